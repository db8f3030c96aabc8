import { ConfigError } from '../errors.js';
import type { Budget, Objective, RunConfig } from '../events/event.js';

/** What a caller gives to start a search; defaults that depend on the plugins are filled when instantiating. */
export interface SearchConfigInput {
  space: string;
  spaceOptions?: Record<string, unknown>;
  estimator: string;
  estimatorOptions?: Record<string, unknown>;
  strategy?: string;
  strategyOptions?: Record<string, unknown>;
  seed?: number;
  concurrency?: number;
  budget: Budget;
  /** Defaults to the estimator's first metric and its direction. */
  objective?: Objective;
  /** Checkpoint a strategy that can snapshot itself every N results (0: never). */
  checkpointEvery?: number;
}

export const DEFAULT_CHECKPOINT_EVERY = 50;

/** Checks the plugin-independent parts of a config and fills their defaults. */
export function baseRunConfig(input: SearchConfigInput, defaultObjective: Objective): RunConfig {
  const seed = input.seed ?? 0;
  const concurrency = input.concurrency ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new ConfigError(`seed must be a non-negative whole number, got ${seed}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  }
  const { trials, wallTimeMs } = input.budget ?? {};
  if (trials === undefined && wallTimeMs === undefined) {
    throw new ConfigError('a search needs a budget: a number of trials, a wall time, or both');
  }
  if (trials !== undefined && (!Number.isInteger(trials) || trials < 1)) {
    throw new ConfigError(`the trial budget must be a whole number of at least 1, got ${trials}`);
  }
  if (wallTimeMs !== undefined && (!Number.isFinite(wallTimeMs) || wallTimeMs <= 0)) {
    throw new ConfigError(`the wall-time budget must be positive, got ${wallTimeMs} ms`);
  }
  const checkpointEvery = input.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  if (!Number.isInteger(checkpointEvery) || checkpointEvery < 0) {
    throw new ConfigError(`checkpointEvery must be a whole number of at least 0, got ${checkpointEvery}`);
  }
  return {
    space: input.space,
    spaceOptions: input.spaceOptions ?? {},
    estimator: input.estimator,
    estimatorOptions: input.estimatorOptions ?? {},
    strategy: input.strategy ?? 'random',
    strategyOptions: input.strategyOptions ?? {},
    seed,
    concurrency,
    budget: { ...(trials !== undefined && { trials }), ...(wallTimeMs !== undefined && { wallTimeMs }) },
    objective: input.objective ?? defaultObjective,
    checkpointEvery,
  };
}
