import { ArchlabError, cutEchoes, EVENT_TYPES, parseKeyValues } from '@archlab/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { loadRegistry } from './cli-context.js';
import { compareCommand } from './commands/compare-command.js';
import { evalCommand } from './commands/eval-command.js';
import { eventsCommand, exportCommand, runsCommand, showCommand } from './commands/read-commands.js';
import { replayCommand } from './commands/replay-command.js';
import { resumeCommand } from './commands/resume-command.js';
import { searchCommand } from './commands/search-command.js';
import { trainCommand } from './commands/train-command.js';

/** Whole numbers that a double holds exactly: 9007199254740993 is refused, not rounded to ...992. */
const int = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || n < min)
    throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}`);
  if (!Number.isSafeInteger(n))
    throw new InvalidArgumentError(`${name} must be at most ${Number.MAX_SAFE_INTEGER}`);
  return n;
};
/** Seconds, as many as a millisecond timer holds exactly. */
const seconds = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n * 1000 > Number.MAX_SAFE_INTEGER)
    throw new InvalidArgumentError(
      `--wall-time must be a positive number of seconds, at most ${Math.floor(Number.MAX_SAFE_INTEGER / 1000)}`,
    );
  return n;
};
const collect = (v: string, prev: string[] = []) => [...prev, v];

function storeOptions(cmd: Command): Command {
  return cmd
    .option('--db <file>', 'the run database (SQLite)')
    .addOption(new Option('--store <name>', 'event store plugin').default(undefined, 'sqlite'))
    .option('--store-option <k=v>', 'event store option, e.g. durability=full (repeatable)', collect)
    .option('--plugin <package>', 'load a plugin package (repeatable)', collect);
}

export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command('archlab')
    .description('Neural architecture search with an event-sourced, resumable, verifiable log')
    .version('0.1.0')
    // Every user error is one line, `archlab: error: ...`, printed by main (so no help after it).
    .configureOutput({ outputError: () => {} })
    .showHelpAfterError(false)
    .exitOverride();

  storeOptions(
    program
      .command('search')
      .description('start a search and run it to its budget')
      .option('--config <file>', 'read settings from a JSON config file (flags win)')
      .option('--space <name>', 'search space, e.g. nb201')
      .option('--space-option <k=v>', 'search space option (repeatable)', collect)
      .option('--estimator <name>', 'estimator, e.g. nb201:cifar10')
      .option('--estimator-option <k=v>', 'estimator option (repeatable)', collect)
      .option('--dataset <name>', 'data set of the train estimator (its dataset option), e.g. fashion-mnist')
      .option(
        '--epochs <n>',
        'epochs per trial of the train estimator (its epochs option)',
        int('--epochs', 1),
      )
      .option('--strategy <name>', 'search strategy (default: random)')
      .option('--strategy-option <k=v>', 'strategy option, e.g. population=10 (repeatable)', collect)
      .option('--trials <n>', 'trial budget (default: 100 unless --wall-time is given)', int('--trials', 1))
      .option('--wall-time <seconds>', 'wall-time budget, active time summed over resumes', seconds)
      .option('--seed <n>', 'seed of the whole run (default: 0)', int('--seed', 0))
      .option(
        '--concurrency <k>',
        'trials evaluated at once (default: what the estimator runs at once, e.g. one per core for train; else 1)',
        int('--concurrency', 1),
      )
      .option(
        '--objective <metric:dir>',
        "what to optimise, e.g. test_acc:max; repeat for several, the first is primary (default: the estimator's first metric)",
        collect,
      )
      .option(
        '--constraint <expr>',
        "a bound every feasible trial keeps, e.g. 'latency_ms<=5' or 'params<1e6' (repeatable)",
        collect,
      )
      .option(
        '--hardware <name[:k=v,...]>',
        'a hardware cost model whose metrics join the results; cheap ones prune before training (repeatable)',
        collect,
      )
      .option(
        '--reward <spec>',
        'score by the MnasNet reward, e.g. mnas:latency_ms=5[,alpha=-0.07][,beta=-0.07]',
      )
      .option(
        '--checkpoint-every <n>',
        'checkpoint a strategy that supports it every N results (default: 50)',
        int('--checkpoint-every', 0),
      )
      .option(
        '--screen <name[:k=v,...]>',
        'zero-cost screen: a cheap deterministic estimator that scores architectures before evaluation, e.g. zc:synflow (needs --warmup and/or --prefilter)',
      )
      .option('--screen-metric <metric>', "the screen estimator's metric to rank by (default: its first)")
      .option(
        '--warmup <pool[:top]>',
        'score POOL sampled architectures with the screen and evaluate the best TOP first, best first (TOP default: 10)',
      )
      .option(
        '--prefilter <fraction[:min]>',
        'evaluate only proposals whose screen score is in the best FRACTION of those screened so far, once MIN (default 10) were; the others are pruned',
      )
      .option('--run-id <id>', 'name the run (default: a timestamp)')
      .option('--json', 'print the summary as one JSON object on the last line')
      .option('-q, --quiet', 'no progress output'),
  ).action(async (flags) => exit(await searchCommand(flags)));

  storeOptions(
    program
      .command('resume <run>')
      .description('carry on an interrupted run: completed trials are kept, unfinished ones run again')
      .option(
        '--trials <n>',
        "raise the run's trial budget to N (never lower); a finished run carries on to N",
        int('--trials', 1),
      )
      .option('--json', 'print the summary as JSON')
      .option('-q, --quiet', 'no progress output'),
  ).action(async (run, flags) => exit(await resumeCommand(run, flags)));

  storeOptions(
    program
      .command('replay <run>')
      .description('rebuild a run from its log; --verify checks it and names the first divergent seq')
      .option('--verify', 'verify: hash chain, every proposal, and re-evaluate deterministic results')
      .option(
        '--expect-head <seq:hash>',
        'fail unless the log still holds this head, as an earlier verify printed it (detects truncation)',
      )
      .option('--json', 'machine-readable output'),
  ).action(async (run, flags) => exit(await replayCommand(run, flags)));

  storeOptions(
    program
      .command('runs')
      .description('list the runs in a database')
      .option('--json', 'machine-readable output'),
  ).action(async (flags) => exit(await runsCommand(flags)));

  storeOptions(
    program
      .command('show <run>')
      .description("a run's configuration, status, best architecture and top trials")
      .option('--top <n>', 'how many of the best trials to list', int('--top', 0), 10)
      .option('--json', 'machine-readable output'),
  ).action(async (run, flags) => exit(await showCommand(run, flags)));

  storeOptions(
    program
      .command('events <run>')
      .description("print a run's events in log order")
      .addOption(
        new Option('--type <type>', 'only events of this type (repeatable)')
          .choices(EVENT_TYPES)
          .argParser(collect),
      )
      .option('--json', 'a JSON array of the events, as stored (as export writes them)')
      .option('--upcast', "the events in today's schema versions, as the engine reads them"),
  ).action(async (run, flags) => exit(await eventsCommand(run, flags)));

  storeOptions(
    program
      .command('export <run>')
      .description('export a run: jsonl (every stored event, one per line) or csv (one row per trial)')
      .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
      .option('--out <file>', 'write to a file instead of stdout'),
  ).action(async (run, flags) => exit(await exportCommand(run, flags)));

  storeOptions(
    program
      .command('compare')
      .description('run several strategies × seeds on one space and compare their best-so-far curves')
      .option('--space <name>', 'search space, e.g. nb201')
      .option('--space-option <k=v>', 'search space option (repeatable)', collect)
      .option('--estimator <name>', 'estimator, e.g. nb201:cifar10')
      .option('--estimator-option <k=v>', 'estimator option (repeatable)', collect)
      .option('--strategies <list>', 'comma-separated strategy names', 'random')
      .option(
        '--strategy-option <s.k=v>',
        'option of one strategy, e.g. evolution.population=20 (repeatable)',
        collect,
      )
      .option('--seeds <n>', 'seeds 0..n-1 per strategy', int('--seeds', 1), 20)
      .option('--trials <n>', 'trials per run', int('--trials', 1), 300)
      .option('--concurrency <k>', 'trials in flight per run', int('--concurrency', 1))
      .option('--checkpoints <list>', 'trial counts for the table', '25,50,100,150,300')
      .option('--name <name>', 'comparison name; runs are NAME.STRATEGY.sSEED (default: cmp-<timestamp>)')
      .option('--out <dir>', 'where compare.{csv,json,svg} go (default: the name)')
      .option('--json', 'print the summary as one JSON object')
      .option('-q, --quiet', 'no progress output'),
  ).action(async (flags) => exit(await compareCommand(flags)));

  program
    .command('eval')
    .description('evaluate one architecture (nothing is recorded)')
    .option('--space <name>', 'search space (or from --run)')
    .option('--space-option <k=v>', 'search space option (repeatable; adds to those of --run)', collect)
    .option('--estimator <name>', "estimator (or --run's)")
    .option('--estimator-option <k=v>', 'estimator option (repeatable)', collect)
    .option('--arch <key>', "the architecture's key, e.g. an NB201 cell string (or --run's best)")
    .option('--run <id>', 'take the space, its options and the best architecture from this run in --db')
    .option('--db <file>', 'the SQLite database of --run')
    .option('--seed <n>', 'seed given to the estimator', int('--seed', 0))
    .option('--plugin <package>', 'load a plugin package (repeatable)', collect)
    .option('--json', 'machine-readable output')
    .action(async (flags) => exit(await evalCommand(flags)));

  program
    .command('profile-device')
    .description('measure every operation of a space on this machine and write a latency lookup table')
    .requiredOption('--space <name>', 'search space with a network, e.g. nb201')
    .option('--space-option <k=v>', 'search space option (repeatable)', collect)
    .requiredOption('--out <file>', 'where the table goes, e.g. device.lut.json')
    .option('--backend <name>', 'tfjs backend to time (default: wasm)')
    .option('--runs <n>', 'timed passes per operation')
    .option('--warmup <n>', 'untimed passes first')
    .option('--plugin <package>', 'load a plugin package (repeatable), e.g. one with a space', collect)
    .action(async (flags) => {
      const { profileDeviceCommand } = await import('@archlab/hardware-latency');
      const { SpaceNetworks } = await import('@archlab/nn');
      const { spaceOption, plugin, ...rest } = flags;
      const { registry, plugins } = await loadRegistry(plugin);
      const lut = await profileDeviceCommand(
        { ...rest, spaceOptions: parseKeyValues(spaceOption ?? [], '--space-option') },
        { space: (name) => registry.get('space', name), networks: SpaceNetworks.in(plugins.container) },
      );
      process.stdout.write(
        `wrote ${flags.out}: ${Object.keys(lut.entries).length} operations on ${lut.backend}; use it with --hardware lut:file=${flags.out}\n`,
      );
      exit(0);
    });

  program
    .command('proxy')
    .description(
      'score architectures with zero-cost proxies; on a space with a tabular benchmark (nb201), print Spearman ρ and Kendall τ against it',
    )
    .requiredOption('--space <name>', 'search space, e.g. nb201')
    .option('--space-option <k=v>', 'search space option (repeatable)', collect)
    .requiredOption('--proxy <list>', 'comma-separated proxies, e.g. synflow,jacob_cov,params')
    .option('--sample <n>', 'architectures to draw at random (distinct)', int('--sample', 1), 100)
    .option('--seed <n>', 'seed of the sample', int('--seed', 0), 0)
    .option('--archs <file>', 'score the architectures in FILE instead, one key per line')
    .option('--proxy-option <k=v>', 'proxy option, e.g. batch-size=64 or backend=cpu (repeatable)', collect)
    .option('--plugin <package>', 'load a plugin package (repeatable)', collect)
    .option('--json', 'one JSON object: correlations, and every score')
    .option('-q, --quiet', 'no progress output')
    .action(async (flags) => {
      const { proxyCommand } = await import('./commands/proxy-command.js');
      exit(await proxyCommand({ ...flags, option: flags.proxyOption }));
    });

  program
    .command('train')
    .description(
      'train one architecture with the train estimator and record it as a run in --db (config, epochs, metrics, weights)',
    )
    .option('--space <name>', 'search space, e.g. fmnist-chain or nb201 (or from --run)')
    .option('--space-option <k=v>', 'search space option (repeatable; adds to those of --run)', collect)
    .option('--arch <key>', "the architecture's key, e.g. from `archlab show RUN` (or --run's best)")
    .option(
      '--run <id>',
      'take the space, its options and the best architecture from this run in --db (not its training options: give those you want)',
    )
    .option('--db <file>', 'where the run is recorded (required): a new file, or the database of --run')
    .option('--run-id <id>', 'name the run (default: a timestamp)')
    .option('--epochs <n>', 'epochs to train', int('--epochs', 1))
    .option('--dataset <name>', 'data set, e.g. fashion-mnist')
    .option('--estimator-option <k=v>', 'other train option, e.g. batch-size=256 (repeatable)', collect)
    .option('--seed <n>', 'seed of the initial weights and the shuffling', int('--seed', 0))
    .option('--plugin <package>', 'load a plugin package (repeatable)', collect)
    .option('--json', 'machine-readable output: run id, metrics and the weights blob')
    .option('-q, --quiet', 'no progress output')
    .action(async (flags) => exit(await trainCommand(flags)));

  return program;
}

/** One line on stderr, the input it echoes cut short; exit 2. */
function userError(message: string): number {
  process.stderr.write(`archlab: error: ${cutEchoes(message)}\n`);
  return 2;
}

/** Runs the CLI; returns the exit code. User errors: one line on stderr, exit 2. */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv as string[]);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; commander's messages start with `error: ` and may
      // add a suggestion on a line of its own.
      if (err.exitCode === 0) return 0;
      // `archlab` alone or `archlab help NOSUCH`: the usage went to stderr, and is the answer.
      if (err.code === 'commander.help') return 2;
      return userError(err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '));
    }
    if (err instanceof ArchlabError) return userError(err.message);
    process.stderr.write(
      `archlab: internal error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}
