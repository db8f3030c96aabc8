import type { Estimator, EvaluationContext } from '../estimator/estimator.js';
import type { Metrics } from '../events/event.js';

/** One trial to evaluate: its architecture and what the estimator is handed with it. */
export interface TrialJob<A = unknown> extends EvaluationContext {
  readonly arch: A;
}

/**
 * Where a run's trials are evaluated: in this thread, on worker threads, later on a remote
 * queue. The engine hands it up to `concurrency` trials at once and records each result in
 * the order they settle; what a trial is (the estimator) is not the runner's business.
 *
 * Contract: `run` resolves with the estimator's metrics or rejects with its error (the trial
 * fails, not the run); progress and artifacts come back through the trial's `report` and
 * `saveArtifact`; an aborted `signal` rejects promptly. `dispose` ends whatever it started.
 */
export interface TrialRunner {
  /** Trials it evaluates at once: the run's concurrency (`--concurrency` sets it). */
  readonly concurrency: number;
  run(job: TrialJob): Promise<Metrics>;
  dispose?(): void | Promise<void>;
}
// Symbol.for: a plugin built against another copy of @archlab/core still binds the same token.
export const TrialRunner: unique symbol = Symbol.for('archlab.TrialRunner');

/** The default runner: calls the run's estimator in this thread, `concurrency` trials at once. */
export function inProcessRunner(estimator: Estimator, concurrency: number): TrialRunner {
  return {
    concurrency,
    run: ({ arch, ...ctx }) => estimator.evaluate(arch, ctx),
  };
}
