import type { SearchSpace } from '@archlab/core';
import type { Multipliers } from './scaling.js';

/**
 * A space whose architectures are a base architecture scaled in depth, width and resolution:
 * what `compound-scaling` searches (`mbv3-scaled`). Both methods are deterministic.
 */
export interface ScalableSpace<A = unknown> extends SearchSpace<A> {
  /** The key of the base architecture a run scales when it names none. */
  readonly defaultBase: string;
  /** `base` (a key of the unscaled space) scaled by `m`; a MalformedArchitectureError names what is wrong with `base`. */
  scale(base: string, m: Multipliers): A;
  /**
   * Counts the multiply-adds of an architecture's network for one image, as the `counters`
   * model does; a promise, so that the space can load its network code on first use.
   */
  flopsCounter(): Promise<(arch: A) => number>;
}

export function isScalable(space: SearchSpace): space is ScalableSpace {
  const s = space as Partial<ScalableSpace>;
  return (
    typeof s.scale === 'function' && typeof s.flopsCounter === 'function' && typeof s.defaultBase === 'string'
  );
}
