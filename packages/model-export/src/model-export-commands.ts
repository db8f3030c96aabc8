import { CommandContribution, ContainerModule, defineCommand } from '@archlab/core';
import type { ExportModelFlags } from './export-model-command.js';

// Loaded by the CLI at start-up to mount its commands: nothing heavy here (no tfjs, no protobuf);
// the command's body is imported when it runs.

const exportModel = defineCommand<ExportModelFlags>({
  name: 'export-model',
  description:
    "write a trial's trained network as a file a runtime loads (ONNX, for onnxruntime): a trial of a search with the train estimator's save-weights, an archlab train run, or a subnet an ofa run picked per budget",
  options: [
    { flags: '--db <file>', description: 'the run database', required: true },
    { flags: '--run <id>', description: 'the run (id or unique prefix; default: the only run in --db)' },
    {
      flags: '--trial <n>',
      description: "the trial (default: the run's best)",
      parse: { integer: { min: 0 } },
    },
    { flags: '--out <file>', description: 'where the model goes, e.g. model.onnx', required: true },
    { flags: '--format <name>', description: 'file format: onnx (the default)' },
    {
      flags: '--pixels',
      description:
        "the model takes pixel values 0..255 and normalises them as training did (default: normalised images, as archlab's networks take)",
    },
    { flags: '--force', description: 'replace --out if it exists' },
    { flags: '--plugin <package>', description: 'load a plugin package (repeatable)', repeatable: true },
    { flags: '--json', description: 'one JSON object: the file, its input and output, and what it holds' },
  ],
  run: async ({ options }, cli) =>
    (await import('./export-model-command.js')).exportModelCommand(options, cli),
});

/** The package's CLI contributions (package.json `archlab.commands`). */
export const modelExportCommandsModule = new ContainerModule((bind) => {
  bind(CommandContribution).toConstantValue(exportModel);
});
