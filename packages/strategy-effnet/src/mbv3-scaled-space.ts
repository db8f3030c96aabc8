import { MalformedArchitectureError, parseOptions, type SearchSpaceFactory } from '@archlab/core';
import {
  MBV3_OPTIONS,
  type Mbv3Arch,
  type Mbv3NetworkConfig,
  type Mbv3SearchSpace,
  mbv3Key,
  mbv3Space,
} from '@archlab/space-mbv3';
import type { ScalableSpace } from './scalable-space.js';
import { scaledKey, splitScaledKey } from './scaled-key.js';
import { DEPTH_DIVISOR, type Multipliers, roundFilters, roundRepeats, roundResolution } from './scaling.js';

export const MBV3_SCALED = 'mbv3-scaled';

/** An mbv3 architecture of the unscaled space and how much it is scaled. */
export interface ScaledMbv3Arch {
  readonly base: Mbv3Arch;
  readonly m: Multipliers;
}

export const MBV3_SCALED_OPTIONS = {
  ...MBV3_OPTIONS,
  divisor: {
    type: 'int',
    default: DEPTH_DIVISOR,
    min: 1,
    max: 64,
    description: 'scaled channel counts are multiples of this (EfficientNet: 8)',
  },
} as const;

/**
 * The cheapest architecture of the default mbv3 space at resolution 24: two blocks per stage,
 * kernel 3, expand ratio 3. Its φ=3 networks stay small enough to train on 2 cores.
 */
export const DEFAULT_MBV3_BASE = 'r24-k33e33-k33e33-k33e33-k33e33';

/**
 * The network an mbv3 architecture scaled by `m` has, as EfficientNet scales its base: every
 * stage's blocks repeated to `ceil(n·d)` (new blocks copy the stage's last one, as the reference
 * repeats a stage's block), the stem's, every stage's and the final convolution's channels by
 * `round_filters(c·w)` (expanded channels follow: input channels × the block's ratio), and the
 * image side to `round(r₀·r)` pixels (the `train` estimator resizes the images to it). Strides
 * and kernels stay.
 */
export function scaleMbv3<C extends Omit<Mbv3NetworkConfig, 'numClasses'>>(
  base: Mbv3Arch,
  config: C,
  m: Multipliers,
  divisor = DEPTH_DIVISOR,
): { arch: Mbv3Arch; config: C } {
  const filters = (c: number) => roundFilters(c, m.width, divisor);
  return {
    arch: {
      resolution: roundResolution(base.resolution, m.resolution),
      stages: base.stages.map((blocks) =>
        Array.from({ length: roundRepeats(blocks.length, m.depth) }, (_, i) => blocks[i] ?? blocks.at(-1)!),
      ),
    },
    config: {
      ...config,
      stem: filters(config.stem),
      widths: config.widths.map(filters),
      final: filters(config.final),
    },
  };
}

/** An mbv3-scaled space: the mbv3 space of the same options, and the divisor of its channel counts. */
export interface Mbv3ScaledSpace extends ScalableSpace<ScaledMbv3Arch> {
  readonly unscaled: Mbv3SearchSpace;
  readonly divisor: number;
}

/**
 * `mbv3-scaled`: architectures of the mbv3 space (same options) scaled in depth, width and
 * resolution by `scaleMbv3`; what `compound-scaling` searches. Keys are the multipliers, `:`,
 * then the base's mbv3 key: `d1.44,w1.21,r1.323:r24-k33e33-k33e33-k33e33-k33e33`. Sampling draws
 * a base of the mbv3 space and multipliers among 1, 1.1, 1.2, 1.5 and 2. Stateless.
 */
export function mbv3ScaledSpace(options: Readonly<Record<string, unknown>> = {}): Mbv3ScaledSpace {
  const { divisor, ...rest } = parseOptions(MBV3_SCALED, MBV3_SCALED_OPTIONS, options);
  const unscaled = mbv3Space(rest);
  const multipliers = [1, 1.1, 1.2, 1.5, 2];
  let counter: ((arch: ScaledMbv3Arch) => number) | undefined;
  const space: Mbv3ScaledSpace = {
    name: MBV3_SCALED,
    options: { ...options },
    unscaled,
    divisor,
    defaultBase: DEFAULT_MBV3_BASE,
    sample: (rng) => ({
      base: unscaled.sample(rng),
      m: { depth: rng.pick(multipliers), width: rng.pick(multipliers), resolution: rng.pick(multipliers) },
    }),
    key: (arch) => scaledKey(arch.m, mbv3Key(arch.base)),
    parse: (key) => {
      const { m, base } = splitScaledKey(MBV3_SCALED, key);
      try {
        return { base: unscaled.parse(base), m };
      } catch (e) {
        if (!(e instanceof MalformedArchitectureError)) throw e;
        throw new MalformedArchitectureError(MBV3_SCALED, key, `its base '${base}': ${e.reason}`);
      }
    },
    scale: (base, m) => ({ base: unscaled.parse(base), m }),
    async flopsCounter() {
      if (!counter) {
        const { describeScaledMbv3Network } = await import('./mbv3-scaled-network.js');
        counter = (arch) =>
          describeScaledMbv3Network(space, arch, 10).layers.reduce((sum, layer) => sum + layer.flops, 0);
      }
      return counter;
    },
  };
  return space;
}

/** `--space mbv3-scaled`. */
export const mbv3ScaledSpaceFactory: SearchSpaceFactory = {
  name: MBV3_SCALED,
  description:
    'mbv3 architectures scaled in depth, width and resolution with EfficientNet rounding (the space of compound-scaling)',
  options: MBV3_SCALED_OPTIONS,
  create: (options) => mbv3ScaledSpace(options),
};
