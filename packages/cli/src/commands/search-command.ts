import { ConfigError, parseKeyValues, Search, type SearchConfigInput } from '@archlab/core';
import { openContext, type StoreFlags, searchDeps } from '../cli-context.js';
import { type ConfigFile, parseObjective, readConfigFile } from '../config-file.js';
import { driveRun, type OutputOptions } from './drive-run.js';

export interface SearchFlags extends OutputOptions, StoreFlags {
  config?: string;
  space?: string;
  spaceOption?: string[];
  estimator?: string;
  estimatorOption?: string[];
  strategy?: string;
  strategyOption?: string[];
  trials?: number;
  wallTime?: number;
  seed?: number;
  concurrency?: number;
  objective?: string;
  checkpointEvery?: number;
  runId?: string;
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
  const objective = flags.objective ?? file.objective;
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
    estimatorOptions: kv(flags.estimatorOption, '--estimator-option', file.estimatorOptions),
    strategy: flags.strategy ?? file.strategy ?? 'random',
    strategyOptions: kv(flags.strategyOption, '--strategy-option', file.strategyOptions),
    seed: flags.seed ?? file.seed ?? 0,
    concurrency: flags.concurrency ?? file.concurrency ?? 1,
    budget: {
      ...(trials !== undefined || wallTime === undefined ? { trials: trials ?? DEFAULT_TRIALS } : {}),
      ...(wallTime !== undefined && { wallTimeMs: wallTime * 1000 }),
    },
    ...(objective !== undefined && { objective: parseObjective(objective) }),
    ...((flags.checkpointEvery ?? file.checkpointEvery) !== undefined && {
      checkpointEvery: flags.checkpointEvery ?? file.checkpointEvery,
    }),
  };
}

export async function searchCommand(flags: SearchFlags): Promise<number> {
  const file = flags.config ? readConfigFile(flags.config) : {};
  const { db, store, plugins, ...input } = mergeSearchConfig(flags, file);
  const ctx = await openContext({ db, store, storeOption: flags.storeOption, plugins, mustExist: false });
  try {
    if (!input.space) throw missing('space', ctx.registry.names('space'));
    if (!input.estimator) throw missing('estimator', ctx.registry.names('estimator'));
    const search = await Search.start(searchDeps(ctx), input, flags.runId);
    if (!flags.quiet && !flags.json) process.stderr.write(`archlab: run ${search.runId} started in ${db}\n`);
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
