import { CommandContribution, ContainerModule, defineCommand, EstimatorOptionShortcut } from '@archlab/core';
import type { TrainFlags } from './train/train-command.js';

// Loaded by the CLI at start-up to mount its commands: nothing heavy here (no tfjs); the train
// command's body is imported when it runs.

const train = defineCommand<TrainFlags>({
  name: 'train',
  description:
    'train one architecture with the train estimator and record it as a run in --db (config, epochs, metrics, weights)',
  options: [
    { flags: '--space <name>', description: 'search space, e.g. fmnist-chain or nb201 (or from --run)' },
    {
      flags: '--space-option <k=v>',
      description: 'search space option (repeatable; adds to those of --run)',
      repeatable: true,
    },
    {
      flags: '--arch <key>',
      description: "the architecture's key, e.g. from `archlab show RUN` (or --run's best)",
    },
    {
      flags: '--run <id>',
      description:
        'take the space, its options and the best architecture from this run in --db (not its training options: give those you want)',
    },
    {
      flags: '--db <file>',
      description: 'where the run is recorded (required): a new file, or the database of --run',
    },
    { flags: '--run-id <id>', description: 'name the run (default: a timestamp)' },
    { flags: '--epochs <n>', description: 'epochs to train', parse: { integer: { min: 1 } } },
    { flags: '--dataset <name>', description: 'data set, e.g. fashion-mnist (the default) or cifar10' },
    {
      flags: '--estimator-option <k=v>',
      description: 'other train option, e.g. batch-size=256 (repeatable)',
      repeatable: true,
    },
    {
      flags: '--seed <n>',
      description: 'seed of the initial weights and the shuffling',
      parse: { integer: { min: 0 } },
    },
    { flags: '--plugin <package>', description: 'load a plugin package (repeatable)', repeatable: true },
    { flags: '--json', description: 'machine-readable output: run id, metrics and the weights blob' },
    { flags: '-q, --quiet', description: 'no progress output' },
  ],
  run: async ({ options }, cli) => (await import('./train/train-command.js')).trainCommand(options, cli),
});

/** `--dataset` and `--epochs` on search, compare and eval: training runs set them all the time. */
const shortcuts: EstimatorOptionShortcut[] = [
  {
    option: 'dataset',
    flags: '--dataset <name>',
    description: 'data set of the train estimator (its dataset option), e.g. fashion-mnist or cifar10',
  },
  {
    option: 'epochs',
    flags: '--epochs <n>',
    description: 'epochs per trial of the train estimator (its epochs option)',
    parse: { integer: { min: 1 } },
  },
];

/** The package's CLI contributions (package.json `archlab.commands`). */
export const trainerTfjsCommandsModule = new ContainerModule((bind) => {
  bind(CommandContribution).toConstantValue(train);
  for (const s of shortcuts) bind(EstimatorOptionShortcut).toConstantValue(s);
});
