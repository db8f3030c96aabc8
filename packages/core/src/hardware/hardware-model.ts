import type { Metrics } from '../events/event.js';
import type { OptionsSpec } from '../options/options.js';
import type { SearchSpace } from '../space/search-space.js';

/**
 * Cost of an architecture on a device: counted (params, FLOPs), measured, or predicted from a
 * lookup table. The engine calls cheap models on every proposal before evaluating it, and
 * prunes the trial when their costs break a constraint of the run; it calls the others after
 * the evaluation. Either way their metrics join the estimator's in the trial's results.
 */
export interface HardwareModel<A = unknown> {
  readonly name: string;
  /** Metric names `cost` returns, e.g. `latency_ms`, `params`; the engine keeps exactly these. */
  readonly metrics: readonly string[];
  /** Whether `cost` is cheap enough to call before every evaluation. */
  readonly cheap: boolean;
  /**
   * True when `cost` always gives the same metrics for the same architecture (counters, lookup
   * tables): `replay --verify` then recomputes them and compares. Absent means false (measured).
   */
  readonly deterministic?: boolean;
  /** The device this model describes, recorded with the results. */
  readonly device: Readonly<Record<string, string>>;
  cost(arch: A): Promise<Metrics>;
  /**
   * Called once before a run starts: checks that the model can cost the space's architectures
   * (a typed error saying why not) and gives the least value over the whole space of those of
   * its metrics it knows exactly (a lookup table's latency on a space that can name its cheapest
   * network). A constraint `metric <= X` (or `<`) that even the least value breaks would prune
   * every trial: the run is refused before it starts.
   */
  floors?(): Promise<readonly MetricFloor[]>;
  dispose?(): void | Promise<void>;
}

/** The least value a metric takes over a whole space (see `HardwareModel.floors`). */
export interface MetricFloor {
  readonly metric: string;
  readonly value: number;
  /** Where it is reached, for the refusal: `the fastest mbv3 subnet takes 1.2 ms on this LUT (KEY)`. */
  readonly text: string;
  /** The key of an architecture that reaches it, when the model can name one (a strategy's fallback). */
  readonly arch?: string;
}

export interface HardwareModelFactory {
  readonly name: string;
  readonly description: string;
  /** Space names this model can cost; absent means any. */
  readonly spaces?: readonly string[];
  /** When given, the core validates options against it and `create` gets them with defaults filled in. */
  readonly options?: OptionsSpec;
  create(space: SearchSpace, options: Readonly<Record<string, unknown>>): HardwareModel;
}
// Symbol.for: a plugin built against another copy of @archlab/core still binds the same token.
export const HardwareModelFactory: unique symbol = Symbol.for('archlab.HardwareModelFactory');
