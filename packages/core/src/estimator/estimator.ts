import type { RunServices } from '../di/run-scope.js';
import type { Direction, Metrics } from '../events/event.js';
import type { OptionsSpec } from '../options/options.js';
import type { SearchSpace } from '../space/search-space.js';

export interface MetricSpec {
  readonly name: string;
  readonly direction: Direction;
  readonly description?: string;
}

export interface EvaluationContext {
  readonly trialId: number;
  /** Derived from the run seed and trial id: the same trial gets the same seed when it is re-run after a crash. */
  readonly seed: number;
  /** Aborted when the run stops early; an estimator should stop promptly and throw. */
  readonly signal: AbortSignal;
  /** Records a TrialProgressed event (e.g. one per epoch). */
  report(step: number, metrics: Metrics): void;
  /**
   * Keeps `bytes` (e.g. the trained weights) with the trial's result: a run stores them as a blob
   * and records its sha256 in TrialCompleted's `artifacts[name]`, with `format` saying how to read
   * them. Absent where nothing is recorded (`archlab eval`, a replay).
   */
  saveArtifact?(name: string, bytes: Uint8Array, format: string): void;
}

/**
 * Turns an architecture into metrics (training, a table lookup, a proxy). It may be called for
 * several trials at once (up to the run's concurrency). Throwing fails the trial, not the run.
 */
export interface Estimator<A = unknown> {
  readonly name: string;
  /** Every metric `evaluate` returns; the first is the default objective. */
  readonly metrics: readonly MetricSpec[];
  /** True when the same architecture and seed always give the same metrics; `replay --verify` then re-evaluates. */
  readonly deterministic: boolean;
  /** Trials it can evaluate at once to good effect (e.g. its worker threads): a run's default concurrency. */
  readonly parallelism?: number;
  /** The best value each metric reaches over the whole space, where it is known (tabular benchmarks). */
  readonly optimum?: Readonly<Record<string, number>>;
  /**
   * Called once before a run starts or resumes, before any `evaluate`: pick a backend, load data,
   * start workers. What it returns (e.g. `{ backend: 'wasm' }`) is recorded in RunStarted (or
   * RunResumed) as `env.estimator`, so a log says what the trials ran on.
   */
  prepare?(): Promise<Readonly<Record<string, string>>>;
  evaluate(arch: A, ctx: EvaluationContext): Promise<Metrics>;
  dispose?(): void | Promise<void>;
}

export interface EstimatorFactory {
  readonly name: string;
  readonly description: string;
  /** Space names this estimator can evaluate; absent means any. */
  readonly spaces?: readonly string[];
  /** When given, the core validates options against it and `create` gets them with defaults filled in. */
  readonly options?: OptionsSpec;
  /** `ctx` is given in a run (absent where an estimator is made outside one, e.g. `archlab eval`). */
  create(space: SearchSpace, options: Readonly<Record<string, unknown>>, ctx?: EstimatorContext): Estimator;
}

/** What a run hands an estimator factory besides the space and options. */
export interface EstimatorContext {
  /** The run's shared services (`RunService`), e.g. the supernet its strategy trains. */
  readonly services: RunServices;
}
// Symbol.for: a plugin built against another copy of @archlab/core still binds the same token.
export const EstimatorFactory: unique symbol = Symbol.for('archlab.EstimatorFactory');
