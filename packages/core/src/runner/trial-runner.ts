import type { Estimator, EvaluationContext } from '../estimator/estimator.js';
import type { Metrics, RunConfig } from '../events/event.js';
import type { OptionsSpec } from '../options/options.js';
import type { SearchSpace } from '../space/search-space.js';

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
 * A `RunnerUnavailableError` (where trials run is gone) stops the run instead of failing the
 * trial: the trial is left unfinished for `resume`.
 */
export interface TrialRunner {
  /** Trials it evaluates at once: the run's concurrency (`--concurrency` sets it). */
  readonly concurrency: number;
  /**
   * True when it calls the run's own estimator (the one in its context) in this process. Only
   * such a runner can evaluate with an estimator that uses the run's services (`RunService`):
   * elsewhere the estimator is made again, without them, so a run whose estimator gets one is
   * refused with any other runner.
   */
  readonly inProcess?: boolean;
  /**
   * Checks that trials can run at all (a queue's server answers, its password is right) before
   * the run writes anything: `search` and `resume` call it first, so a wrong URL is one line and
   * an untouched log, not a run that starts and then waits. Rejects with RunnerUnavailableError.
   */
  prepare?(): Promise<void>;
  run(job: TrialJob): Promise<Metrics>;
  dispose?(): void | Promise<void>;
}
// Symbol.for: a plugin built against another copy of @archlab/core still binds the same token.
export const TrialRunner: unique symbol = Symbol.for('archlab.TrialRunner');

/** The default runner: calls the run's estimator in this thread, `concurrency` trials at once. */
export function inProcessRunner(estimator: Estimator, concurrency: number): TrialRunner {
  return {
    concurrency,
    inProcess: true,
    run: ({ arch, ...ctx }) => estimator.evaluate(arch, ctx),
  };
}

/** What a runner factory is given to make one run's runner. */
export interface TrialRunnerContext {
  readonly runId: string;
  /** The run's resolved (or recorded) config; the runner must be `config.concurrency` wide. */
  readonly config: RunConfig;
  readonly space: SearchSpace;
  /** The run's estimator, made in this process (an in-process runner calls it). */
  readonly estimator: Estimator;
  /** Name → version of `@archlab/core` and of the packages that provide the run's space and estimator. */
  readonly packages: Readonly<Record<string, string>>;
}

/**
 * A way to run trials, chosen by name (`--runner NAME --runner-option k=v`). The runner is not
 * part of a run's identity: RunStarted does not record it, a run may be resumed with another,
 * and a run's results must not depend on it.
 */
export interface TrialRunnerFactory {
  readonly name: string;
  readonly description: string;
  readonly options?: OptionsSpec;
  /** `options` are parsed against `options` (defaults filled). */
  create(options: Readonly<Record<string, unknown>>, ctx: TrialRunnerContext): TrialRunner;
}
export const TrialRunnerFactory: unique symbol = Symbol.for('archlab.TrialRunnerFactory');

/** A runner by name and its options as given (strings from the CLI), for `Search.prepare`/`resume`. */
export interface RunnerChoice {
  readonly name: string;
  readonly options?: Readonly<Record<string, unknown>>;
}

/** The default runner as a plugin: `inprocess`. */
export const inProcessRunnerFactory: TrialRunnerFactory = {
  name: 'inprocess',
  description: 'evaluates trials in this process, `concurrency` at once (the default)',
  create: (_options, { estimator, config }) => inProcessRunner(estimator, config.concurrency),
};
