import { ConfigError } from '../errors.js';
import type {
  Budget,
  Constraint,
  ConstraintOp,
  HardwareModelConfig,
  Objective,
  RewardConfig,
  RunConfig,
} from '../events/event.js';
import { canonicalJson } from '../events/hash-chain.js';
import type { ScreenInput } from '../screening/screen.js';

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
  /** Several objectives in order; the first is the primary one (`objective`, if also given, must be it). */
  objectives?: readonly Objective[];
  /** Bounds on metrics of the estimator or of a hardware model (the CLI reads them as `latency_ms<=5`). */
  constraints?: readonly Constraint[];
  /** Hardware models by registered name, each with its options. */
  hardware?: readonly { name: string; options?: Record<string, unknown> }[];
  /** MnasNet reward; `alpha` and `beta` default to -0.07. */
  reward?: { kind?: 'mnas'; metric: string; target: number; alpha?: number; beta?: number };
  /** Checkpoint a strategy that can snapshot itself every N results (0: never). */
  checkpointEvery?: number;
  /** Zero-cost warm-up and pre-filter by a cheap, deterministic screen estimator. */
  screen?: ScreenInput;
  /** 'run': seed every trial's estimator with `seed` itself (see `RunConfig.trialSeed`). */
  trialSeed?: 'run';
}

export const DEFAULT_CHECKPOINT_EVERY = 50;
/** MnasNet's soft-constraint exponent (Tan et al. 2019), for both sides of the target. */
export const DEFAULT_MNAS_EXPONENT = -0.07;

/**
 * Checks the plugin-independent parts of a config and fills their defaults. `hardware` comes
 * with its options already resolved by the plugins. Optional v2 fields are left out when
 * unused, so such a run is recorded exactly as before them.
 */
export function baseRunConfig(input: SearchConfigInput, defaultObjective: Objective): RunConfig {
  const seed = input.seed ?? 0;
  const concurrency = input.concurrency ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new ConfigError(`seed must be a non-negative whole number, got ${seed}`);
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new ConfigError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
  }
  const { trials, wallTimeMs } = input.budget ?? {};
  if (trials === undefined && wallTimeMs === undefined) {
    throw new ConfigError('a search needs a budget: a number of trials, a wall time, or both');
  }
  if (trials !== undefined) checkTrialBudget(trials);
  if (wallTimeMs !== undefined && (!(wallTimeMs <= Number.MAX_SAFE_INTEGER) || wallTimeMs <= 0)) {
    throw new ConfigError(
      `the wall-time budget must be positive and at most ${Number.MAX_SAFE_INTEGER} ms, got ${wallTimeMs} ms`,
    );
  }
  const checkpointEvery = input.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  if (!Number.isSafeInteger(checkpointEvery) || checkpointEvery < 0) {
    throw new ConfigError(`checkpointEvery must be a whole number of at least 0, got ${checkpointEvery}`);
  }
  const objectives = resolveObjectives(input, defaultObjective);
  const constraints = (input.constraints ?? []).map(checkConstraint);
  const hardware = (input.hardware ?? []).map((h) => ({ name: h.name, options: h.options ?? {} }));
  const reward = input.reward && resolveReward(input.reward, objectives[0]!);
  if (input.trialSeed !== undefined && input.trialSeed !== 'run') {
    throw new ConfigError(`trialSeed must be 'run' or absent, got ${JSON.stringify(input.trialSeed)}`);
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
    objective: objectives[0]!,
    checkpointEvery,
    ...(objectives.length > 1 && { objectives }),
    ...(constraints.length > 0 && { constraints }),
    ...(hardware.length > 0 && { hardware: hardware as HardwareModelConfig[] }),
    ...(reward && { reward }),
    ...(input.trialSeed && { trialSeed: input.trialSeed }),
  };
}

function checkTrialBudget(trials: number): void {
  if (!Number.isSafeInteger(trials) || trials < 1) {
    throw new ConfigError(`the trial budget must be a whole number of at least 1, got ${trials}`);
  }
}

/**
 * The budget of run `runId` raised to `trials` trials, or undefined when it has that many
 * already. ConfigError for a smaller number (a budget only grows: the run's trials are already
 * recorded, and the strategy may have planned by its budget) and for a run without a trial
 * budget (it runs to a wall time).
 */
export function extendedBudget(runId: string, budget: Budget, trials: number): Budget | undefined {
  checkTrialBudget(trials);
  if (budget.trials === undefined) {
    throw new ConfigError(
      `run '${runId}' has no trial budget (it runs to a wall time of ${budget.wallTimeMs} ms); a trial budget cannot be added to it`,
    );
  }
  if (trials < budget.trials) {
    throw new ConfigError(
      `run '${runId}' has budget.trials=${budget.trials}; ${trials} would shrink it, and a run's budget only grows`,
    );
  }
  return trials === budget.trials ? undefined : { ...budget, trials };
}

/**
 * The first setting in which two resolved configs (RunStarted's, `instantiate`'s) differ, as a
 * dotted path (`strategyOptions.population`) with both values; undefined when they describe the
 * same search. The trial budget is left out: it may grow (see `extendedBudget`).
 */
export function configDifference(
  recorded: RunConfig,
  requested: RunConfig,
): { field: string; recorded: unknown; requested: unknown } | undefined {
  const { trials: _a, ...recordedBudget } = recorded.budget;
  const { trials: _b, ...requestedBudget } = requested.budget;
  return firstDifference(
    { ...recorded, budget: recordedBudget },
    { ...requested, budget: requestedBudget },
    '',
  );
}

function firstDifference(
  a: unknown,
  b: unknown,
  path: string,
): { field: string; recorded: unknown; requested: unknown } | undefined {
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isRecord(a) && isRecord(b)) {
    for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
      const d = firstDifference(a[key], b[key], path ? `${path}.${key}` : key);
      if (d) return d;
    }
    return undefined;
  }
  return canonicalJson(a) === canonicalJson(b) ? undefined : { field: path, recorded: a, requested: b };
}

function resolveObjectives(input: SearchConfigInput, defaultObjective: Objective): Objective[] {
  const list = input.objectives?.length ? input.objectives : [input.objective ?? defaultObjective];
  const first = list[0]!;
  if (input.objective && input.objectives?.length) {
    const o = input.objective;
    if (o.metric !== first.metric || o.direction !== first.direction) {
      throw new ConfigError(
        `objective ${o.metric}:${o.direction} differs from the first of objectives (${first.metric}:${first.direction}); give one or the other`,
      );
    }
  }
  for (const [i, o] of list.entries()) {
    if (o.direction !== 'max' && o.direction !== 'min') {
      throw new ConfigError(`objective direction must be 'max' or 'min', got '${o.direction}'`);
    }
    if (list.findIndex((p) => p.metric === o.metric) !== i) {
      throw new ConfigError(`objective metric '${o.metric}' is named twice; name each metric once`);
    }
  }
  return list.map((o) => ({ metric: o.metric, direction: o.direction }));
}

const OPS: readonly ConstraintOp[] = ['<=', '>=', '<', '>'];

function checkConstraint(c: Constraint): Constraint {
  if (typeof c.metric !== 'string' || !/^[\w.-]+$/.test(c.metric) || !OPS.includes(c.op)) {
    throw new ConfigError(
      `constraint ${JSON.stringify(c)} must name a metric and one of ${OPS.join(' ')}, e.g. latency_ms<=5`,
    );
  }
  if (typeof c.bound !== 'number' || !Number.isFinite(c.bound)) {
    throw new ConfigError(`constraint on '${c.metric}' needs a finite number as its bound, got ${c.bound}`);
  }
  return { metric: c.metric, op: c.op, bound: c.bound };
}

function resolveReward(r: NonNullable<SearchConfigInput['reward']>, primary: Objective): RewardConfig {
  const kind = r.kind ?? 'mnas';
  if (kind !== 'mnas') throw new ConfigError(`unknown reward '${kind}'; known rewards: mnas`);
  const alpha = r.alpha ?? DEFAULT_MNAS_EXPONENT;
  const beta = r.beta ?? DEFAULT_MNAS_EXPONENT;
  if (!(typeof r.target === 'number' && Number.isFinite(r.target) && r.target > 0)) {
    throw new ConfigError(`reward target for '${r.metric}' must be a positive number, got ${r.target}`);
  }
  if (!Number.isFinite(alpha) || !Number.isFinite(beta)) {
    throw new ConfigError(`reward exponents must be finite numbers, got alpha=${alpha} beta=${beta}`);
  }
  if (primary.direction !== 'max') {
    throw new ConfigError(
      `the mnas reward multiplies the primary objective, which must be maximised (an accuracy); '${primary.metric}' is min`,
    );
  }
  return { kind, metric: r.metric, target: r.target, alpha, beta };
}
