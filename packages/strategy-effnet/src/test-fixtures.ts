import { MalformedArchitectureError, type SearchSpaceFactory } from '@archlab/core';
import type { ScalableSpace } from './scalable-space.js';
import { scaledKey, splitScaledKey } from './scaled-key.js';
import { type Multipliers, roundFilters, roundRepeats, roundResolution } from './scaling.js';

/** A toy architecture: repeats per stage (the base, e.g. `2.3`) scaled by multipliers. */
export interface ToyScaledArch {
  readonly base: string;
  readonly m: Multipliers;
}

export const TOY_SCALED = 'toy-scaled';
const WIDTHS = [16, 24];
const SIDE = 28;

/**
 * A scalable space without networks, for the strategy's tests: a base is the repeats of two
 * stages (`2.3`: 2 then 3 blocks) of widths 16 and 24, on 28×28 images halved by each stage;
 * its FLOPs are Σ repeats × width² × side² over the rounded network, a stand-in with the same
 * steps as a real network's counts.
 */
export function toyScaledSpace(): ScalableSpace<ToyScaledArch> {
  const parseBase = (key: string, base: string): number[] => {
    if (!/^[1-9]\.[1-9]$/.test(base)) {
      throw new MalformedArchitectureError(TOY_SCALED, key, `base '${base}' is not two repeats like '2.3'`);
    }
    return base.split('.').map(Number);
  };
  return {
    name: TOY_SCALED,
    defaultBase: '2.3',
    sample: (rng) => ({
      base: rng.pick(['2.3', '3.2']),
      m: { depth: rng.pick([1, 1.1, 1.5]), width: rng.pick([1, 1.2, 2]), resolution: rng.pick([1, 1.3]) },
    }),
    key: (a) => scaledKey(a.m, a.base),
    parse: (key) => {
      const { m, base } = splitScaledKey(TOY_SCALED, key);
      parseBase(key, base);
      return { base, m };
    },
    scale: (base, m) => {
      parseBase(base, base);
      return { base, m };
    },
    flopsCounter: async () => toyFlops,
  };
}

/** The toy space's FLOPs: Σ repeats × width² × side² of the rounded network. */
export function toyFlops(a: ToyScaledArch): number {
  const side = roundResolution(SIDE, a.m.resolution);
  return a.base
    .split('.')
    .map(Number)
    .reduce((sum, repeats, s) => {
      const w = roundFilters(WIDTHS[s]!, a.m.width);
      const out = Math.ceil(side / 2 ** (s + 1));
      return sum + roundRepeats(repeats, a.m.depth) * w * w * out * out;
    }, 0);
}

export const toyScaledSpaceFactory: SearchSpaceFactory = {
  name: TOY_SCALED,
  description: 'a scalable toy space without networks (tests)',
  create: () => toyScaledSpace(),
};
