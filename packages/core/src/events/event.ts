/**
 * The run log. Every event of a run carries `runId`, a gap-free `seq` (0 is RunStarted),
 * a timestamp, the schema version of its `data`, and `hash`, which chains it to the
 * previous event so that a tampered or corrupted log is detected on replay.
 */
export interface Event<Type extends string, Data> {
  readonly type: Type;
  /** Schema version of `data` for this type. Old versions are upcast on read, never inside a fold. */
  readonly v: number;
  readonly runId: string;
  readonly seq: number;
  /** Milliseconds since the epoch, when the event was recorded. Folds never read the clock; they read this. */
  readonly ts: number;
  readonly data: Data;
  /** sha256 (hex) of the previous event's hash and this event's content. */
  readonly hash: string;
}

export type Metrics = Readonly<Record<string, number>>;
export type Direction = 'max' | 'min';

export interface Objective {
  readonly metric: string;
  readonly direction: Direction;
}

/** A bound a trial's metric must keep, e.g. `latency_ms <= 5`. A trial that breaks one is infeasible. */
export interface Constraint {
  readonly metric: string;
  readonly op: ConstraintOp;
  readonly bound: number;
}
export type ConstraintOp = '<=' | '>=' | '<' | '>';

/** A hardware model of the run, by registered name, with its options resolved (defaults filled). */
export interface HardwareModelConfig {
  readonly name: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * Zero-cost screening (Abdelfattah et al. 2021): a cheap, deterministic estimator scores
 * architectures before they are evaluated. `warmup` evaluates the `top` best of `pool` sampled
 * architectures first, best first; `filter` prunes each of the strategy's proposals whose score
 * is not in the best `fraction` of the scores of its proposals so far, once `min` were scored.
 */
export interface ScreenConfig {
  /** The screen estimator, by registered name, with its options resolved (defaults filled). */
  readonly estimator: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** The screen estimator's metric that ranks architectures, and its direction (from the estimator). */
  readonly metric: string;
  readonly direction: Direction;
  readonly warmup?: { readonly pool: number; readonly top: number };
  readonly filter?: { readonly fraction: number; readonly min: number };
}

/**
 * MnasNet's weighted reward (Tan et al. 2019): `acc × (m / target)^w`, `w = alpha` when
 * `m <= target`, else `beta`; `acc` is the run's primary objective (a metric to maximise) and
 * `m` is `metric` (e.g. latency_ms). alpha = beta = -0.07 makes it a soft constraint; alpha = 0,
 * beta = -1 penalises only models over the target.
 */
export interface RewardConfig {
  readonly kind: 'mnas';
  readonly metric: string;
  readonly target: number;
  readonly alpha: number;
  readonly beta: number;
}

export interface Budget {
  /** Number of trials (trial ids) the run may use. */
  readonly trials?: number;
  /** Active wall-clock time, summed over the run's segments (a resume starts a new segment). */
  readonly wallTimeMs?: number;
}

/** Everything that determines a run. Stored in RunStarted; resume reads it from there. */
export interface RunConfig {
  readonly space: string;
  readonly spaceOptions: Readonly<Record<string, unknown>>;
  readonly estimator: string;
  readonly estimatorOptions: Readonly<Record<string, unknown>>;
  readonly strategy: string;
  readonly strategyOptions: Readonly<Record<string, unknown>>;
  readonly seed: number;
  readonly concurrency: number;
  readonly budget: Budget;
  /** The primary objective: what `score` and the best trial use (`objectives[0]` when there are several). */
  readonly objective: Objective;
  /** Checkpoint strategies that can snapshot themselves every N results (0: never). */
  readonly checkpointEvery: number;
  // The fields below came with RunStarted v2. Each is absent when unused, so a run that uses
  // none of them is recorded exactly as before (as v1) and older archlab versions still read it.
  /** Every objective, in order, when there are two or more; the first is `objective`. */
  readonly objectives?: readonly Objective[];
  /** Bounds every feasible trial keeps; checked before evaluation where a cheap hardware model gives the metric. */
  readonly constraints?: readonly Constraint[];
  /** Cost models run on each trial; their metrics join the estimator's. */
  readonly hardware?: readonly HardwareModelConfig[];
  /** When given, strategies are told this reward as the score instead of the primary objective. */
  readonly reward?: RewardConfig;
  /** Zero-cost warm-up and pre-filtering of proposals. */
  readonly screen?: ScreenConfig;
  /**
   * 'run': every trial's estimator is seeded with `seed` itself, so `archlab train --seed N`
   * trains exactly as seed N did before it was recorded. Absent: a seed derived from `seed` and
   * the trial id (`trialSeed`), different for every trial.
   */
  readonly trialSeed?: 'run';
}

export interface ErrorInfo {
  readonly name: string;
  readonly message: string;
}

export interface TrialRef {
  readonly trialId: number;
  readonly arch: string;
  readonly metrics: Metrics;
}

export type RunStarted = Event<
  'RunStarted',
  {
    config: RunConfig;
    /** package name → version of every loaded plugin package and the core. */
    packages: Readonly<Record<string, string>>;
    /**
     * The package each plugin of the run came from (space, estimator, strategy, hardware models,
     * screen), for those loaded from a package. Absent in runs recorded before it, and when none was.
     */
    providers?: readonly PluginProvider[];
    env: RunEnv;
  }
>;

/** Plugin `name` of `kind` (e.g. strategy 'greedy') was bound by package `package` (its version is in `packages`). */
export interface PluginProvider {
  readonly kind: string;
  readonly name: string;
  readonly package: string;
}

export interface RunEnv {
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  /** What the estimator's `prepare` reported (e.g. the tfjs backend that trained). */
  readonly estimator?: Readonly<Record<string, string>>;
  /** The device each hardware model of the run describes, in config order. */
  readonly hardware?: readonly { readonly name: string; readonly device: Readonly<Record<string, string>> }[];
  /** What the screen estimator's `prepare` reported, in screened runs. */
  readonly screen?: Readonly<Record<string, string>>;
}
/**
 * What the gates (`GateName`) measured of a proposal before it was decided on, by gate: the cheap
 * hardware models' costs under `hardware` (their metrics), the zero-cost pre-filter's screen
 * value under `screen` (as `{ value }`, `SCREEN_GATE_VALUE`: its trial metric is `screen.METRIC`).
 * A gate that did not measure the proposal (it does not apply, or one before it decided) is absent.
 */
export type GateMeasurements = Readonly<Record<string, Metrics>>;
/** The key of the screen gate's one measurement (`GateMeasurements.screen`). */
export const SCREEN_GATE_VALUE = 'value';
/**
 * v2: `gates` holds every gate's measurement of the proposal, written in the same batch as the
 * decision on it, so a proposal left unfinished keeps its measurements; `seeded: 'warmup'` marks
 * a trial the engine took from the warm-up pool instead of asking the strategy. v1 had only the
 * screen's `screen: { value, warmup? }` (see `upcast`); one with neither field is still written as v1.
 */
export type TrialProposed = Event<
  'TrialProposed',
  { trialId: number; arch: string; gates?: GateMeasurements; seeded?: 'warmup' }
>;
export type TrialStarted = Event<'TrialStarted', { trialId: number; attempt: number }>;
export type TrialProgressed = Event<'TrialProgressed', { trialId: number; step: number; metrics: Metrics }>;
/**
 * What an evaluation left beside its metrics (e.g. `weights`, the trained network), stored as a
 * blob: `blob` is the sha256 (hex) of its `bytes` bytes, and `format` says how to read them.
 */
export interface ArtifactRef {
  readonly blob: string;
  readonly bytes: number;
  readonly format: string;
}

/** `artifacts` (v2) is present only when the estimator saved some (see `EvaluationContext.saveArtifact`). */
export type TrialCompleted = Event<
  'TrialCompleted',
  {
    trialId: number;
    metrics: Metrics;
    durationMs: number;
    artifacts?: Readonly<Record<string, ArtifactRef>>;
  }
>;
/** `stage: 'propose'` means the strategy threw while proposing trial `trialId`; there is no TrialProposed for it. */
export type TrialFailed = Event<
  'TrialFailed',
  { trialId: number; stage: 'propose' | 'evaluate'; error: ErrorInfo; durationMs: number }
>;
/**
 * The trial was rejected without being evaluated: its cheap hardware costs (`metrics`) break a
 * constraint, which `reason` names with the value; or, in a screened run, its screen score
 * (`metrics` holds it as `screen.METRIC`) is not in the best fraction, and `reason` starts with
 * `screen:`.
 */
export type TrialPruned = Event<
  'TrialPruned',
  { trialId: number; reason: string; metrics: Metrics; gate: GateName }
>;
/**
 * The gates a proposal passes before it is evaluated, in this order: `hardware` (the cheap
 * hardware models' costs against the constraints) and `screen` (the zero-cost pre-filter).
 * TrialPruned v2 names the gate that pruned the trial (v1 is upcast from its reason).
 */
export type GateName = 'hardware' | 'screen';
/**
 * The state of `owner` (the strategy is `strategy`; a run-scoped service, its own name) after
 * `told` results were told; `blob` is the sha256 of the snapshot bytes. StrategyCheckpointed
 * (before v2 of the log) is upcast to this with owner `strategy`.
 */
export type Checkpointed = Event<
  'Checkpointed',
  { owner: string; blob: string; bytes: number; told: number }
>;
/**
 * Progress of work a run does between trials (a supernet's training epoch, a controller's
 * update), as `owner` (`strategy`, or a run service's name, as in Checkpointed) reported it:
 * `step` counts from 1 per owner; `metrics` are scalars (loss, accuracy, images processed);
 * `values`, when given, named vectors (e.g. `alpha`, a one-shot method's architecture weights,
 * flattened). A resume or a verify that does the work again checks each report against these.
 */
export type Progressed = Event<
  'Progressed',
  {
    owner: string;
    step: number;
    metrics: Metrics;
    values?: Readonly<Record<string, readonly number[]>>;
  }
>;
/** A plugin reaction or a strategy's `tell` threw; the run recorded it and went on. */
export type PluginFailed = Event<'PluginFailed', { source: string; trialId?: number; error: ErrorInfo }>;
export type RunResumed = Event<'RunResumed', { fromSeq: number; redispatched: number[]; env?: RunEnv }>;
/**
 * The run's budget grew to `budget` (only the trial budget, only upward): a completed run is
 * running again until the new budget is spent. The strategy keeps the budget of RunStarted, so
 * the trials before the extension replay exactly as recorded.
 */
export type RunExtended = Event<'RunExtended', { budget: Budget }>;
export type RunCompleted = Event<
  'RunCompleted',
  { reason: 'trials' | 'wall-time' | 'exhausted' | 'pruned'; trials: number; best: TrialRef | null }
>;

export type RunEvent =
  | RunStarted
  | TrialProposed
  | TrialStarted
  | TrialProgressed
  | TrialCompleted
  | TrialFailed
  | TrialPruned
  | Checkpointed
  | Progressed
  | PluginFailed
  | RunResumed
  | RunExtended
  | RunCompleted;

export type RunEventType = RunEvent['type'];
export type EventOfType<T extends RunEventType> = Extract<RunEvent, { type: T }>;
export type EventData<T extends RunEventType> = EventOfType<T>['data'];

/**
 * The schema version each event type is read as today. A writer may record an older version
 * when the data fits it (see `storedVersion`), so that older readers keep reading simple runs.
 */
export const CURRENT_VERSIONS: Readonly<Record<RunEventType, number>> = {
  // v2: RunConfig may hold objectives, constraints, hardware, reward and screen.
  RunStarted: 2,
  // v2: the gates' measurements (`gates`) and `seeded` replace `screen`.
  TrialProposed: 2,
  TrialStarted: 1,
  TrialProgressed: 1,
  // v2: may hold artifacts.
  TrialCompleted: 2,
  TrialFailed: 1,
  // v2: names the gate that pruned it.
  TrialPruned: 2,
  // Replaces StrategyCheckpointed v1 (see `upcast`).
  Checkpointed: 1,
  Progressed: 1,
  PluginFailed: 1,
  RunResumed: 1,
  RunExtended: 1,
  RunCompleted: 1,
};

export const EVENT_TYPES = Object.keys(CURRENT_VERSIONS) as RunEventType[];

export function isEventType(type: string): type is RunEventType {
  return Object.hasOwn(CURRENT_VERSIONS, type);
}

/** Narrow a stream of events to some types, as an RxJS operator does for Observables. */
export function isOfType<T extends RunEventType>(...types: T[]): (e: RunEvent) => e is EventOfType<T> {
  return (e): e is EventOfType<T> => (types as string[]).includes(e.type);
}
