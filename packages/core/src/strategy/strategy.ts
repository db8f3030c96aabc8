import type { RunServices } from '../di/run-scope.js';
import type { ProgressReporter } from '../engine/run-progress.js';
import type { Budget, Constraint, Metrics, Objective } from '../events/event.js';
import type { OptionsSpec } from '../options/options.js';
import type { Rng } from '../rng/rng.js';
import type { SearchSpace, SpaceCapability } from '../space/search-space.js';

export interface TrialResult<A = unknown> {
  readonly trialId: number;
  readonly arch: A;
  readonly key: string;
  readonly status: 'completed' | 'failed' | 'pruned';
  /** The estimator's metrics merged with the hardware costs; for a pruned trial, the cheap costs only. */
  readonly metrics?: Metrics;
  /**
   * What the run optimises, as a number where larger is better: the primary objective, or the
   * run's reward when it has one. NaN for a failed trial, a pruned one, and a completed one that
   * breaks a constraint, so a strategy that skips NaN scores never climbs towards infeasible ones.
   */
  readonly score: number;
  /** False when the trial breaks a constraint of the run (pruned, or completed but infeasible). */
  readonly feasible?: boolean;
  /** The constraints it breaks, e.g. `latency_ms=7.2 breaks latency_ms<=5`. */
  readonly violations?: readonly string[];
  /**
   * True for a warm-up trial of a screened run: the engine chose the architecture (the best of
   * a pool by the screen estimator), not the strategy's `ask`. Absent otherwise.
   */
  readonly seeded?: true;
}

/**
 * A search strategy. The resume/replay contract: its decisions depend only on its context
 * (config, options, the `rng` it was given) and on the results it was told, in the order it was
 * told them. The engine calls `ask` and `tell` one at a time, never concurrently, in log order,
 * and on resume replays the same calls against the recorded results.
 *
 * - `ask` returns the next architecture, or `undefined` when it has nothing to propose until
 *   more results arrive (or ever); an `ask` that returns `undefined` must not change state.
 *   With no trial in flight, `undefined` ends the run as 'exhausted', so a strategy that waits
 *   for results must know what it has in flight.
 * - `tell` receives each proposed trial's outcome exactly once, failures and prunings included.
 *   An `ask` that throws is recorded as a failed trial with no architecture and is not told;
 *   one that throws a RunHaltedError (its own state is broken: a supernet diverged) stops the
 *   run instead, with nothing recorded for it.
 *   A trial pruned by a cheap hardware model is told at once, before any later `ask`, with
 *   status 'pruned', its costs as metrics and score NaN.
 * - Screened runs (`RunConfig.screen`): with a warm-up, the first trials are architectures the
 *   strategy never proposed; each is told (`seeded: true`, best screen score first) before the
 *   strategy's first `ask`, like any result. A strategy must accept them: use them as it uses
 *   its own results (a population member, a surrogate's training point), at least never
 *   propose them again, and not count them as its proposals in flight. With a pre-filter, a
 *   proposal whose screen score is too low is told at once as 'pruned' with score NaN and
 *   `feasible: false`, its screen score as `screen.METRIC` in its metrics.
 * - `snapshot`/`restore` (optional) save and load the whole state, rng included, so resume can
 *   start from the latest checkpoint instead of replaying from the first event.
 */
export interface Strategy<A = unknown> {
  ask(): A | undefined | Promise<A | undefined>;
  tell(result: TrialResult<A>): void | Promise<void>;
  snapshot?(): Uint8Array | Promise<Uint8Array>;
  restore?(state: Uint8Array): void | Promise<void>;
  dispose?(): void | Promise<void>;
}

export interface StrategyContext<A = unknown, O = Record<string, unknown>> {
  readonly space: SearchSpace<A>;
  /** Seeded from the run: the strategy's only source of randomness. */
  readonly rng: Rng;
  /** Validated against the factory's `options` spec, defaults filled in. */
  readonly options: O;
  /** The primary objective (`objectives[0]`). */
  readonly objective: Objective;
  // The engine always gives the two below; they are optional so that contexts built by hand
  // (a plugin's unit tests, written before they existed) still type-check.
  /** Every objective of the run in order (one for most runs); read as `objectives ?? [objective]`. */
  readonly objectives?: readonly Objective[];
  /** The run's constraints; the engine already prunes and scores by them (see TrialResult.score). */
  readonly constraints?: readonly Constraint[];
  /**
   * The budget the run started with. A later extension (RunExtended) lets the engine ask for
   * more trials but is not seen here, so that the trials before it replay as recorded.
   */
  readonly budget: Budget;
  readonly concurrency: number;
  /**
   * The run's shared services (`RunService`), e.g. a supernet the estimator also uses. The
   * engine always gives it; optional so that contexts built by hand still type-check.
   */
  readonly services?: RunServices;
  /**
   * Records the progress of work the strategy does between trials (one epoch of supernet
   * training in `ask`, a controller update in `tell`) as `Progressed { owner: 'strategy' }`;
   * a resume or verify that replays the work checks each report against the log. The engine
   * always gives it; optional so that contexts built by hand still type-check.
   */
  readonly progress?: ProgressReporter;
}

export interface StrategyFactory {
  readonly name: string;
  readonly description: string;
  readonly options: OptionsSpec;
  /** Space operations the strategy calls; a space without one is rejected before the run starts. Absent: none. */
  readonly requires?: readonly SpaceCapability[];
  /**
   * The run's `checkpointEvery` when the caller gives none (absent: the engine's default, 50). A
   * strategy whose `ask` does expensive work of its own (a one-shot method trains a supernet for
   * an epoch in each) sets 1, so a resume never redoes more than one ask's work.
   */
  readonly checkpointEvery?: number;
  /**
   * Bounds the strategy searches under besides the run's constraints (OFA's latency budgets,
   * from its options as the run records them): checked like `--constraint` before the run
   * starts, so a bound no architecture meets is refused before anything is written.
   */
  searchConstraints?(options: Readonly<Record<string, unknown>>): readonly Constraint[];
  /** May throw InvalidOptionError for checks across options (e.g. sample size > population). */
  // biome-ignore lint/suspicious/noExplicitAny: each factory narrows its own options type
  create(ctx: StrategyContext<unknown, any>): Strategy;
}
// Symbol.for: a plugin built against another copy of @archlab/core still binds the same token.
export const StrategyFactory: unique symbol = Symbol.for('archlab.StrategyFactory');
