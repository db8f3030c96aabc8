import { ConfigError, redactLocation, type ScreenInput, Search, type SearchConfigInput } from '@archlab/core';
import { databasePath, loadRegistry, openStore, type StoreFlags, searchDeps } from '../cli-context.js';
import { type ConfigFile, readConfigFile } from '../config-file.js';
import {
  parseConstraint,
  parseHardwareSpec,
  parseKeyValues,
  parseObjective,
  parsePluginSpec,
  parsePrefilter,
  parseReward,
  parseRunnerFlags,
  parseWarmup,
  type RunnerFlags,
} from '../flag-parsers.js';
import { driveRun, type OutputOptions } from './drive-run.js';

export interface SearchFlags extends OutputOptions, StoreFlags, RunnerFlags {
  config?: string;
  space?: string;
  spaceOption?: string[];
  estimator?: string;
  estimatorOption?: string[];
  /** The estimator option shortcuts given (`--epochs 5`: `{ epochs: 5 }`); they win over `estimatorOption`. */
  estimatorShortcuts?: Readonly<Record<string, unknown>>;
  strategy?: string;
  strategyOption?: string[];
  trials?: number;
  wallTime?: number;
  seed?: number;
  concurrency?: number;
  /** Repeatable: the first is the primary objective. */
  objective?: string[];
  constraint?: string[];
  hardware?: string[];
  reward?: string;
  checkpointEvery?: number;
  runId?: string;
  /** Screen estimator, `NAME[:k=v,...]`. */
  screen?: string;
  screenMetric?: string;
  /** `POOL[:TOP]`. */
  warmup?: string;
  /** `FRACTION[:MIN]`. */
  prefilter?: string;
}

export const DEFAULT_TRIALS = 100;

/** Flags over the config file over defaults. */
export function mergeSearchConfig(
  flags: SearchFlags,
  file: ConfigFile,
): SearchConfigInput & { db?: string; store?: string; plugins: string[] } {
  const space = flags.space ?? file.space;
  const estimator = flags.estimator ?? file.estimator;
  const trials = flags.trials ?? file.trials;
  const wallTime = flags.wallTime ?? file.wallTime;
  const objectives = flags.objective ?? file.objectives ?? (file.objective ? [file.objective] : []);
  const constraints = flags.constraint ?? file.constraints ?? [];
  const hardware = flags.hardware ?? file.hardware ?? [];
  const reward = flags.reward ?? file.reward;
  const kv = (pairs: string[] | undefined, flag: string, fromFile: Record<string, unknown> | undefined) => ({
    ...fromFile,
    ...parseKeyValues(pairs ?? [], flag),
  });
  return {
    db: flags.db ?? file.db,
    store: flags.store ?? file.store,
    plugins: [...(file.plugins ?? []), ...(flags.plugin ?? [])],
    space: space ?? '',
    spaceOptions: kv(flags.spaceOption, '--space-option', file.spaceOptions),
    estimator: estimator ?? '',
    estimatorOptions: {
      ...kv(flags.estimatorOption, '--estimator-option', file.estimatorOptions),
      ...flags.estimatorShortcuts,
    },
    strategy: flags.strategy ?? file.strategy ?? 'random',
    strategyOptions: kv(flags.strategyOption, '--strategy-option', file.strategyOptions),
    seed: flags.seed ?? file.seed ?? 0,
    // Absent: the estimator's own parallelism (one trial per worker for `train`), else 1.
    concurrency: flags.concurrency ?? file.concurrency,
    budget: {
      ...(trials !== undefined || wallTime === undefined ? { trials: trials ?? DEFAULT_TRIALS } : {}),
      ...(wallTime !== undefined && { wallTimeMs: wallTime * 1000 }),
    },
    ...(objectives.length > 0 && { objectives: objectives.map(parseObjective) }),
    ...(constraints.length > 0 && { constraints: constraints.map(parseConstraint) }),
    ...(hardware.length > 0 && {
      hardware: hardware.map((h) => (typeof h === 'string' ? parseHardwareSpec(h) : h)),
    }),
    ...(reward !== undefined && { reward: typeof reward === 'string' ? parseReward(reward) : reward }),
    ...((flags.checkpointEvery ?? file.checkpointEvery) !== undefined && {
      checkpointEvery: flags.checkpointEvery ?? file.checkpointEvery,
    }),
    ...mergeScreen(flags, file),
  };
}

/** `--screen`, `--screen-metric`, `--warmup` and `--prefilter` over the config file's `screen`. */
function mergeScreen(flags: SearchFlags, file: ConfigFile): { screen?: ScreenInput } {
  const fromFile = file.screen;
  const spec = (text: string) => parsePluginSpec(text, 'screen estimator', '--screen');
  const estimator =
    flags.screen !== undefined
      ? spec(flags.screen)
      : fromFile && {
          ...spec(fromFile.estimator),
          options: { ...spec(fromFile.estimator).options, ...fromFile.options },
        };
  const metric = flags.screenMetric ?? fromFile?.metric;
  const warmup = flags.warmup ?? fromFile?.warmup;
  const filter = flags.prefilter ?? fromFile?.filter;
  if (!estimator) {
    if (warmup !== undefined || filter !== undefined || metric !== undefined) {
      throw new ConfigError(
        '--warmup, --prefilter and --screen-metric need --screen NAME, the estimator that scores architectures (e.g. --screen zc:synflow)',
      );
    }
    return {};
  }
  return {
    screen: {
      estimator: estimator.name,
      options: estimator.options,
      ...(metric !== undefined && { metric }),
      ...(warmup !== undefined && { warmup: typeof warmup === 'string' ? parseWarmup(warmup) : warmup }),
      ...(filter !== undefined && { filter: typeof filter === 'string' ? parsePrefilter(filter) : filter }),
    },
  };
}

export async function searchCommand(flags: SearchFlags): Promise<number> {
  const file = flags.config ? readConfigFile(flags.config) : {};
  const { db, store, plugins, ...input } = mergeSearchConfig(flags, file);
  const dbPath = databasePath(db, false);
  const loaded = await loadRegistry(plugins);
  if (!input.space) throw missing('space', loaded.registry.names('space'));
  if (!input.estimator) throw missing('estimator', loaded.registry.names('estimator'));
  // Everything is checked before the store is opened, so bad input creates no database file.
  const runner = parseRunnerFlags(flags);
  const prepared = await Search.prepare(loaded.registry, input, flags.runId, runner && { runner });
  const ctx = await openStore(loaded, { db: dbPath, store, storeOption: flags.storeOption });
  try {
    const search = await Search.begin(searchDeps(ctx), prepared);
    if (!flags.quiet && !flags.json)
      process.stderr.write(`archlab: run ${search.runId} started in ${redactLocation(db!)}\n`);
    return await driveRun(search, db!, flags);
  } finally {
    await ctx.store.close();
  }
}

function missing(what: string, known: string[]): ConfigError {
  return new ConfigError(
    `--${what} is required (or "${what}" in the config file); known ${what}s: ${known.join(', ') || '(none)'}`,
  );
}
