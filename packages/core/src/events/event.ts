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
  readonly objective: Objective;
  /** Checkpoint strategies that can snapshot themselves every N results (0: never). */
  readonly checkpointEvery: number;
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
    env: RunEnv;
  }
>;

export interface RunEnv {
  readonly node: string;
  readonly platform: string;
  readonly arch: string;
  /** What the estimator's `prepare` reported (e.g. the tfjs backend that trained). */
  readonly estimator?: Readonly<Record<string, string>>;
}
export type TrialProposed = Event<'TrialProposed', { trialId: number; arch: string }>;
export type TrialStarted = Event<'TrialStarted', { trialId: number; attempt: number }>;
export type TrialProgressed = Event<'TrialProgressed', { trialId: number; step: number; metrics: Metrics }>;
export type TrialCompleted = Event<
  'TrialCompleted',
  { trialId: number; metrics: Metrics; durationMs: number }
>;
/** `stage: 'propose'` means the strategy threw while proposing trial `trialId`; there is no TrialProposed for it. */
export type TrialFailed = Event<
  'TrialFailed',
  { trialId: number; stage: 'propose' | 'evaluate'; error: ErrorInfo; durationMs: number }
>;
export type TrialPruned = Event<'TrialPruned', { trialId: number; reason: string; metrics: Metrics }>;
/** The strategy's state after every event up to this one; `blob` is the sha256 of the snapshot bytes. */
export type StrategyCheckpointed = Event<
  'StrategyCheckpointed',
  { blob: string; bytes: number; told: number }
>;
/** A plugin reaction or a strategy's `tell` threw; the run recorded it and went on. */
export type PluginFailed = Event<'PluginFailed', { source: string; trialId?: number; error: ErrorInfo }>;
export type RunResumed = Event<
  'RunResumed',
  { fromSeq: number; redispatched: number[]; env?: RunEnv }
>;
export type RunCompleted = Event<
  'RunCompleted',
  { reason: 'trials' | 'wall-time' | 'exhausted'; trials: number; best: TrialRef | null }
>;

export type RunEvent =
  | RunStarted
  | TrialProposed
  | TrialStarted
  | TrialProgressed
  | TrialCompleted
  | TrialFailed
  | TrialPruned
  | StrategyCheckpointed
  | PluginFailed
  | RunResumed
  | RunCompleted;

export type RunEventType = RunEvent['type'];
export type EventOfType<T extends RunEventType> = Extract<RunEvent, { type: T }>;
export type EventData<T extends RunEventType> = EventOfType<T>['data'];

/** The schema version each event type is written with today. */
export const CURRENT_VERSIONS: Readonly<Record<RunEventType, number>> = {
  RunStarted: 1,
  TrialProposed: 1,
  TrialStarted: 1,
  TrialProgressed: 1,
  TrialCompleted: 1,
  TrialFailed: 1,
  TrialPruned: 1,
  StrategyCheckpointed: 1,
  PluginFailed: 1,
  RunResumed: 1,
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
