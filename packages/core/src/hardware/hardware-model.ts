import type { Metrics } from '../events/event.js';
import type { SearchSpace } from '../space/search-space.js';

/**
 * Cost of an architecture on a device: counted (params, FLOPs), measured, or predicted from a
 * lookup table. Cheap models let the engine reject an architecture before it is trained.
 */
export interface HardwareModel<A = unknown> {
  readonly name: string;
  /** Metric names `cost` returns, e.g. `latency_ms`, `params`. */
  readonly metrics: readonly string[];
  /** Whether `cost` is cheap enough to call before every evaluation. */
  readonly cheap: boolean;
  /** The device this model describes, recorded with the results. */
  readonly device: Readonly<Record<string, string>>;
  cost(arch: A): Promise<Metrics>;
  dispose?(): void | Promise<void>;
}

export interface HardwareModelFactory {
  readonly name: string;
  readonly description: string;
  create(space: SearchSpace, options: Readonly<Record<string, unknown>>): HardwareModel;
}
// Symbol.for: a plugin built against another copy of @archlab/core still binds the same token.
export const HardwareModelFactory: unique symbol = Symbol.for('archlab.HardwareModelFactory');
