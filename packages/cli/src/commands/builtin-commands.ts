import { type CommandContribution, type CommandOption, EVENT_TYPES } from '@archlab/core';
import { InvalidArgumentError } from 'commander';

// The CLI's own commands, declared as any package declares its contributions. Their bodies are
// imported when they run, so that mounting them costs nothing.

/** Seconds, as many as a millisecond timer holds exactly. */
const seconds = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n * 1000 > Number.MAX_SAFE_INTEGER)
    throw new InvalidArgumentError(
      `--wall-time must be a positive number of seconds, at most ${Math.floor(Number.MAX_SAFE_INTEGER / 1000)}`,
    );
  return n;
};
const integer = (min: number) => ({ integer: { min } });

const PLUGIN_OPTION: CommandOption = {
  flags: '--plugin <package>',
  description: 'load a plugin package (repeatable)',
  repeatable: true,
};
const STORE_OPTIONS: readonly CommandOption[] = [
  { flags: '--db <file>', description: 'the run database: an SQLite file, or a postgres:// URL' },
  {
    flags: '--store <name>',
    description: 'event store plugin',
    defaultText: 'sqlite, or postgres for a postgres:// --db',
  },
  {
    flags: '--store-option <k=v>',
    description: 'event store option, e.g. durability=full (repeatable)',
    repeatable: true,
  },
  PLUGIN_OPTION,
];
const RUNNER_OPTIONS: readonly CommandOption[] = [
  {
    flags: '--runner <name>',
    description: 'where trials run: inprocess (default) or a runner plugin, e.g. bullmq',
  },
  {
    flags: '--runner-option <k=v>',
    description: 'runner option, e.g. tls-ca=ca.pem (repeatable)',
    repeatable: true,
  },
  {
    flags: '--redis <url>',
    description:
      'run trials on `archlab worker` processes through Redis: the bullmq runner (redis[s]://[:PASSWORD@]HOST:PORT)',
  },
];
const RUN = [{ name: 'run', required: true }];
const JSON_OUTPUT: CommandOption = { flags: '--json', description: 'machine-readable output' };
const QUIET: CommandOption = { flags: '-q, --quiet', description: 'no progress output' };
const SPACE_OPTION: CommandOption = {
  flags: '--space-option <k=v>',
  description: 'search space option (repeatable)',
  repeatable: true,
};
const ESTIMATOR_OPTION: CommandOption = {
  flags: '--estimator-option <k=v>',
  description: 'estimator option (repeatable)',
  repeatable: true,
};

const search: CommandContribution = {
  name: 'search',
  description: 'start a search and run it to its budget',
  estimatorShortcuts: true,
  options: [
    { flags: '--config <file>', description: 'read settings from a JSON config file (flags win)' },
    { flags: '--space <name>', description: 'search space, e.g. nb201' },
    SPACE_OPTION,
    { flags: '--estimator <name>', description: 'estimator, e.g. nb201:cifar10' },
    ESTIMATOR_OPTION,
    { flags: '--strategy <name>', description: 'search strategy (default: random)' },
    {
      flags: '--strategy-option <k=v>',
      description: 'strategy option, e.g. population=10 (repeatable)',
      repeatable: true,
    },
    {
      flags: '--trials <n>',
      description: 'trial budget (default: 100 unless --wall-time is given)',
      parse: integer(1),
    },
    {
      flags: '--wall-time <seconds>',
      description: 'wall-time budget, active time summed over resumes',
      parse: seconds,
    },
    { flags: '--seed <n>', description: 'seed of the whole run (default: 0)', parse: integer(0) },
    {
      flags: '--concurrency <k>',
      description:
        'trials evaluated at once (default: what the estimator runs at once, e.g. one per core for train; else 1)',
      parse: integer(1),
    },
    {
      flags: '--objective <metric:dir>',
      description:
        "what to optimise, e.g. test_acc:max; repeat for several, the first is primary (default: the estimator's first metric)",
      repeatable: true,
    },
    {
      flags: '--constraint <expr>',
      description: "a bound every feasible trial keeps, e.g. 'latency_ms<=5' or 'params<1e6' (repeatable)",
      repeatable: true,
    },
    {
      flags: '--hardware <name[:k=v,...]>',
      description:
        'a hardware cost model whose metrics join the results; cheap ones prune before training (repeatable)',
      repeatable: true,
    },
    {
      flags: '--reward <spec>',
      description: 'score by the MnasNet reward, e.g. mnas:latency_ms=5[,alpha=-0.07][,beta=-0.07]',
    },
    {
      flags: '--checkpoint-every <n>',
      description: 'checkpoint a strategy that supports it every N results (default: 50)',
      parse: integer(0),
    },
    {
      flags: '--screen <name[:k=v,...]>',
      description:
        'zero-cost screen: a cheap deterministic estimator that scores architectures before evaluation, e.g. zc:synflow (needs --warmup and/or --prefilter)',
    },
    {
      flags: '--screen-metric <metric>',
      description: "the screen estimator's metric to rank by (default: its first)",
    },
    {
      flags: '--warmup <pool[:top]>',
      description:
        'score POOL sampled architectures with the screen and evaluate the best TOP first, best first (TOP default: 10)',
    },
    {
      flags: '--prefilter <fraction[:min]>',
      description:
        'evaluate only proposals whose screen score is in the best FRACTION of those screened so far, once MIN (default 10) were; the others are pruned',
    },
    ...RUNNER_OPTIONS,
    { flags: '--run-id <id>', description: 'name the run (default: a timestamp)' },
    { flags: '--json', description: 'print the summary as one JSON object on the last line' },
    QUIET,
    ...STORE_OPTIONS,
  ],
  run: async ({ options }) => (await import('./search-command.js')).searchCommand(options),
};

const resume: CommandContribution = {
  name: 'resume',
  description: 'carry on an interrupted run: completed trials are kept, unfinished ones run again',
  arguments: RUN,
  options: [
    {
      flags: '--trials <n>',
      description: "raise the run's trial budget to N (never lower); a finished run carries on to N",
      parse: integer(1),
    },
    ...RUNNER_OPTIONS,
    { flags: '--json', description: 'print the summary as JSON' },
    QUIET,
    ...STORE_OPTIONS,
  ],
  run: async ({ args, options }) => (await import('./resume-command.js')).resumeCommand(args[0]!, options),
};

const replay: CommandContribution = {
  name: 'replay',
  description: 'rebuild a run from its log; --verify checks it and names the first divergent seq',
  arguments: RUN,
  options: [
    {
      flags: '--verify',
      description: 'verify: hash chain, every proposal, and re-evaluate deterministic results',
    },
    {
      flags: '--expect-head <seq:hash>',
      description:
        'fail unless the log still holds this head, as an earlier verify printed it (detects truncation)',
    },
    JSON_OUTPUT,
    ...STORE_OPTIONS,
  ],
  run: async ({ args, options }) => (await import('./replay-command.js')).replayCommand(args[0]!, options),
};

const runs: CommandContribution = {
  name: 'runs',
  description: 'list the runs in a database',
  options: [JSON_OUTPUT, ...STORE_OPTIONS],
  run: async ({ options }) => (await import('./read-commands.js')).runsCommand(options),
};

const show: CommandContribution = {
  name: 'show',
  description: "a run's configuration, status, best architecture and top trials",
  arguments: RUN,
  options: [
    {
      flags: '--top <n>',
      description: 'how many of the best trials to list',
      parse: integer(0),
      default: 10,
    },
    JSON_OUTPUT,
    ...STORE_OPTIONS,
  ],
  run: async ({ args, options }) => (await import('./read-commands.js')).showCommand(args[0]!, options),
};

const events: CommandContribution = {
  name: 'events',
  description: "print a run's events in log order",
  arguments: RUN,
  options: [
    {
      flags: '--type <type>',
      description: 'only events of this type (repeatable)',
      choices: EVENT_TYPES,
      repeatable: true,
    },
    { flags: '--json', description: 'a JSON array of the events, as stored (as export writes them)' },
    { flags: '--upcast', description: "the events in today's schema versions, as the engine reads them" },
    ...STORE_OPTIONS,
  ],
  run: async ({ args, options }) => (await import('./read-commands.js')).eventsCommand(args[0]!, options),
};

const exportRun: CommandContribution = {
  name: 'export',
  description: 'export a run: jsonl (every stored event, one per line) or csv (one row per trial)',
  arguments: RUN,
  options: [
    { flags: '--format <format>', description: 'output format', choices: ['jsonl', 'csv'], default: 'jsonl' },
    { flags: '--out <file>', description: 'write to a file instead of stdout' },
    ...STORE_OPTIONS,
  ],
  run: async ({ args, options }) => (await import('./read-commands.js')).exportCommand(args[0]!, options),
};

const compare: CommandContribution = {
  name: 'compare',
  description: 'run several strategies × seeds on one space and compare their best-so-far curves',
  estimatorShortcuts: true,
  options: [
    { flags: '--space <name>', description: 'search space, e.g. nb201' },
    SPACE_OPTION,
    { flags: '--estimator <name>', description: 'estimator, e.g. nb201:cifar10' },
    ESTIMATOR_OPTION,
    { flags: '--strategies <list>', description: 'comma-separated strategy names', default: 'random' },
    {
      flags: '--strategy-option <s.k=v>',
      description: 'option of one strategy, e.g. evolution.population=20 (repeatable)',
      repeatable: true,
    },
    { flags: '--seeds <n>', description: 'seeds 0..n-1 per strategy', parse: integer(1), default: 20 },
    { flags: '--trials <n>', description: 'trials per run', parse: integer(1), default: 300 },
    { flags: '--concurrency <k>', description: 'trials in flight per run', parse: integer(1) },
    ...RUNNER_OPTIONS,
    {
      flags: '--checkpoints <list>',
      description: 'trial counts for the table',
      default: '25,50,100,150,300',
    },
    {
      flags: '--name <name>',
      description: 'comparison name; runs are NAME.STRATEGY.sSEED (default: cmp-<timestamp>)',
    },
    { flags: '--out <dir>', description: 'where compare.{csv,json,svg} go (default: the name)' },
    { flags: '--json', description: 'print the summary as one JSON object' },
    QUIET,
    ...STORE_OPTIONS,
  ],
  run: async ({ options }) => (await import('./compare-command.js')).compareCommand(options),
};

const report: CommandContribution = {
  name: 'report',
  description:
    'one HTML page of runs (or of a compare) that opens offline: config, verify status, best so far, Pareto front, trials',
  arguments: [{ name: 'runs', required: false, variadic: true }],
  options: [
    { flags: '--compare <name>', description: "report every run of 'compare --name NAME'" },
    { flags: '--out <file>', description: 'the HTML file to write', default: 'report.html' },
    {
      flags: '--top <k>',
      description: 'distinct best architectures counted in the op-per-decision heatmap',
      parse: integer(1),
      default: 20,
    },
    {
      flags: '--verify <mode>',
      description:
        "check each run first: 'full' as replay --verify, 'decisions' without re-evaluating results, 'off'",
      choices: ['full', 'decisions', 'off'],
      default: 'full',
    },
    QUIET,
    ...STORE_OPTIONS,
  ],
  run: async ({ args, options }) => (await import('./report-command.js')).reportCommand(args, options),
};

const evaluate: CommandContribution = {
  name: 'eval',
  description: 'evaluate one architecture (nothing is recorded)',
  estimatorShortcuts: true,
  options: [
    { flags: '--space <name>', description: 'search space (or from --run)' },
    {
      flags: '--space-option <k=v>',
      description: 'search space option (repeatable; adds to those of --run)',
      repeatable: true,
    },
    { flags: '--estimator <name>', description: "estimator (or --run's)" },
    ESTIMATOR_OPTION,
    {
      flags: '--arch <key>',
      description: "the architecture's key, e.g. an NB201 cell string (or --run's best)",
    },
    {
      flags: '--run <id>',
      description: 'take the space, its options and the best architecture from this run in --db',
    },
    { flags: '--db <file>', description: 'the SQLite database of --run' },
    { flags: '--seed <n>', description: 'seed given to the estimator', parse: integer(0) },
    PLUGIN_OPTION,
    JSON_OUTPUT,
  ],
  run: async ({ options }) => (await import('./eval-command.js')).evalCommand(options),
};

/** A TCP port; 0 lets the system pick a free one. */
const port = (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n > 65535)
    throw new InvalidArgumentError('--port must be a whole number from 0 to 65535 (0: any free port)');
  return n;
};

const serve: CommandContribution = {
  name: 'serve',
  description:
    "the database's runs as live report pages in the browser: new trials appear as a run writes them",
  options: [
    { flags: '--port <n>', description: 'TCP port; 0 picks a free one (default: 8201)', parse: port },
    {
      flags: '--host <address>',
      description: 'address to bind; anything but loopback needs --token (default: 127.0.0.1)',
    },
    {
      flags: '--token <secret>',
      description:
        'every request must carry it (?token=, or an Authorization: Bearer header); at least 16 characters',
    },
    ...STORE_OPTIONS,
  ],
  run: async ({ options }) => (await import('../serve/serve-command.js')).serveCommand(options),
};

const list: CommandContribution = {
  name: 'list',
  description:
    'every registered space, strategy, estimator, hardware model and store, with its options; and where the config JSON Schema is',
  options: [JSON_OUTPUT, PLUGIN_OPTION],
  run: async ({ options }) => (await import('./list-command.js')).listCommand(options),
};

/** In the order `archlab --help` lists them; contributed commands follow. */
export const BUILTIN_COMMANDS: readonly CommandContribution[] = [
  search,
  resume,
  replay,
  runs,
  show,
  events,
  exportRun,
  compare,
  report,
  evaluate,
  serve,
  list,
];
