import {
  checkChoices,
  InvalidOptionError,
  type OptionsSpec,
  parseOptions,
  type Rng,
  type SearchSpace,
  type SearchSpaceFactory,
  type SpaceEncoding,
} from '@archlab/core';
import {
  MBV3_SPACE,
  type Mbv3Arch,
  type Mbv3Block,
  type Mbv3SpaceConfig,
  mbv3Key,
  parseMbv3Key,
} from './mbv3-arch.js';

export const MBV3_OPTIONS = {
  resolutions: {
    type: 'string',
    default: '28,24,20',
    description:
      'sides of the square images a network may take (images are resized bilinearly to it), comma-separated',
  },
  depths: { type: 'string', default: '2,3,4', description: 'blocks a stage may have, comma-separated' },
  kernels: {
    type: 'string',
    default: '3,5,7',
    description: 'depthwise kernel sides a block may have: odd digits, comma-separated',
  },
  expands: {
    type: 'string',
    default: '3,4,6',
    description:
      'expand ratios a block may have (hidden channels = input channels × ratio): digits, comma-separated',
  },
  stem: {
    type: 'int',
    default: 16,
    min: 1,
    max: 4096,
    description: "output channels of the stem's 3×3 convolution",
  },
  stemStride: { type: 'int', default: 2, min: 1, max: 8, description: "stride of the stem's convolution" },
  widths: {
    type: 'string',
    default: '16,24,32,48',
    description:
      "output channels of each stage, comma-separated (one per stage: their number is the stages')",
  },
  strides: {
    type: 'string',
    default: '1,2,2,2',
    description: "stride of each stage's first block, comma-separated (one per stage)",
  },
  final: {
    type: 'int',
    default: 128,
    min: 1,
    max: 4096,
    description: 'channels of the 1×1 convolution before the pooling',
  },
  channels: {
    type: 'int',
    default: 1,
    min: 1,
    max: 64,
    description: 'channels of the input images (1: Fashion-MNIST)',
  },
} as const satisfies OptionsSpec;

/**
 * The options of a small mbv3 space, 800 architectures on 8×8 or 12×12 images (2 stages of 1 or 2
 * blocks, kernels 3 and 5, expand ratios 1 and 2): few enough to enumerate, for tests and trials.
 */
export const SMALL_MBV3_OPTIONS = {
  resolutions: '8,12',
  depths: '1,2',
  kernels: '3,5',
  expands: '1,2',
  widths: '4,8',
  strides: '1,2',
} as const;

/** An mbv3 space, with the configuration its keys are checked against. */
export interface Mbv3SearchSpace extends SearchSpace<Mbv3Arch> {
  readonly config: Mbv3SpaceConfig;
  mutate(arch: Mbv3Arch, rng: Rng): Mbv3Arch;
  neighbours(arch: Mbv3Arch): Mbv3Arch[];
  readonly encoding: SpaceEncoding<Mbv3Arch>;
}

/** A comma-separated list of distinct whole numbers in [min, max], sorted ascending; `what` says what else each must be. */
function numberList(
  option: string,
  raw: string,
  min: number,
  max: number,
  ok: (n: number) => boolean = () => true,
  what = '',
): number[] {
  const texts = raw.split(',').map((t) => t.trim());
  const values = texts.map(Number);
  const bad = texts.find(
    (t, i) => !/^\d+$/.test(t) || values[i]! < min || values[i]! > max || !ok(values[i]!),
  );
  if (bad !== undefined) {
    throw new InvalidOptionError(
      `${MBV3_SPACE}: option '${option}' is whole numbers in [${min}, ${max}]${what} separated by commas; '${bad}' is not one`,
    );
  }
  if (new Set(values).size !== values.length) {
    throw new InvalidOptionError(`${MBV3_SPACE}: option '${option}' lists a value twice: '${raw}'`);
  }
  return values.sort((a, b) => a - b);
}

/** The options (as `--space-opt` gives them, or typed) as a checked configuration. */
export function mbv3SpaceConfig(options: Readonly<Record<string, unknown>> = {}): Mbv3SpaceConfig {
  const o = parseOptions(MBV3_SPACE, MBV3_OPTIONS, options);
  const inOrder = (option: string, raw: string, min: number, max: number) =>
    raw.split(',').map((t) => {
      const n = Number(t.trim());
      if (!/^\d+$/.test(t.trim()) || n < min || n > max) {
        throw new InvalidOptionError(
          `${MBV3_SPACE}: option '${option}' is whole numbers in [${min}, ${max}] separated by commas, one per stage; '${t.trim()}' is not one`,
        );
      }
      return n;
    });
  const widths = inOrder('widths', o.widths, 1, 4096);
  const strides = inOrder('strides', o.strides, 1, 8);
  if (widths.length !== strides.length) {
    throw new InvalidOptionError(
      `${MBV3_SPACE}: options 'widths' (${widths.length} stages) and 'strides' (${strides.length}) need one entry per stage each`,
    );
  }
  return {
    inputChannels: o.channels,
    stem: o.stem,
    stemStride: o.stemStride,
    widths,
    strides,
    final: o.final,
    resolutions: numberList('resolutions', o.resolutions, 1, 1024),
    depths: numberList('depths', o.depths, 1, 32),
    kernels: numberList('kernels', o.kernels, 1, 9, (k) => k % 2 === 1, ' (odd)'),
    expands: numberList('expands', o.expands, 1, 9),
  };
}

/**
 * The mbv3 space: OFA's elastic MobileNetV3 for small images. An architecture is an input
 * resolution (28, 24 or 20 by default), a depth per stage (2 to 4 blocks) and per block a
 * depthwise kernel (3, 5, 7) and an expand ratio (3, 4, 6). Keys read like
 * `r24-k357e346-k35e46-k3355e6644-k77e33` (see `mbv3Key`). Stateless.
 */
export function mbv3Space(options: Readonly<Record<string, unknown>> = {}): Mbv3SearchSpace {
  const config = mbv3SpaceConfig(options);
  const { resolutions, depths, kernels, expands, widths } = config;
  const maxDepth = depths.at(-1)!;
  const randomBlock = (rng: Rng): Mbv3Block => ({ kernel: rng.pick(kernels), expand: rng.pick(expands) });
  const other = <T>(values: readonly T[], from: T) => values.filter((v) => v !== from);
  /** `blocks` cut or grown to `depth`, new blocks made by `grow`. */
  const resized = (blocks: readonly Mbv3Block[], depth: number, grow: () => Mbv3Block) =>
    Array.from({ length: depth }, (_, b) => blocks[b] ?? grow());
  const withStage = (arch: Mbv3Arch, s: number, blocks: readonly Mbv3Block[]): Mbv3Arch => ({
    resolution: arch.resolution,
    stages: arch.stages.map((old, i) => (i === s ? blocks : old)),
  });
  const withBlock = (arch: Mbv3Arch, s: number, b: number, block: Mbv3Block) =>
    withStage(
      arch,
      s,
      arch.stages[s]!.map((old, i) => (i === b ? block : old)),
    );

  const mutate = (arch: Mbv3Arch, rng: Rng): Mbv3Arch => {
    const blocks = arch.stages.flatMap((stage, s) => stage.map((_, b) => [s, b] as const));
    const kinds: string[] = [];
    if (resolutions.length > 1) kinds.push('resolution');
    if (depths.length > 1) kinds.push('depth');
    if (kernels.length > 1) kinds.push('kernel');
    if (expands.length > 1) kinds.push('expand');
    switch (kinds.length ? rng.pick(kinds) : undefined) {
      case 'resolution':
        return { ...arch, resolution: rng.pick(other(resolutions, arch.resolution)) };
      case 'depth': {
        const s = rng.int(widths.length);
        const depth = rng.pick(other(depths, arch.stages[s]!.length));
        return withStage(
          arch,
          s,
          resized(arch.stages[s]!, depth, () => randomBlock(rng)),
        );
      }
      case 'kernel': {
        const [s, b] = rng.pick(blocks);
        const from = arch.stages[s]![b]!;
        return withBlock(arch, s, b, { ...from, kernel: rng.pick(other(kernels, from.kernel)) });
      }
      case 'expand': {
        const [s, b] = rng.pick(blocks);
        const from = arch.stages[s]![b]!;
        return withBlock(arch, s, b, { ...from, expand: rng.pick(other(expands, from.expand)) });
      }
      default:
        return arch; // a space of one architecture
    }
  };

  const neighbours = (arch: Mbv3Arch): Mbv3Arch[] => [
    ...other(resolutions, arch.resolution).map((resolution) => ({ ...arch, resolution })),
    // A stage grows by copies of its last block.
    ...arch.stages.flatMap((blocks, s) =>
      other(depths, blocks.length).map((depth) =>
        withStage(
          arch,
          s,
          resized(blocks, depth, () => blocks.at(-1)!),
        ),
      ),
    ),
    ...arch.stages.flatMap((blocks, s) =>
      blocks.flatMap((block, b) => [
        ...other(kernels, block.kernel).map((kernel) => withBlock(arch, s, b, { ...block, kernel })),
        ...other(expands, block.expand).map((expand) => withBlock(arch, s, b, { ...block, expand })),
      ]),
    ),
  ];

  const decisions = [
    { name: 'resolution', choices: resolutions.map(String) },
    ...widths.flatMap((_, s) => [
      { name: `s${s + 1}.depth`, choices: depths.map(String) },
      ...Array.from({ length: maxDepth }, (_, b) => [
        { name: `s${s + 1}.b${b + 1}.kernel`, choices: kernels.map(String) },
        { name: `s${s + 1}.b${b + 1}.expand`, choices: expands.map(String) },
      ]).flat(),
    ]),
  ];
  const perStage = 1 + 2 * maxDepth;

  return {
    name: MBV3_SPACE,
    options: { ...options },
    config,
    size: mbv3SpaceSize(config),
    sample(rng) {
      const resolution = rng.pick(resolutions);
      const stages = widths.map(() => Array.from({ length: rng.pick(depths) }, () => randomBlock(rng)));
      return { resolution, stages };
    },
    key: mbv3Key,
    parse: (key) => parseMbv3Key(key, config),
    mutate,
    neighbours,
    /**
     * The resolution, then per stage its depth and, for each of the deepest stage's block slots,
     * a kernel and an expand ratio; the slots past a stage's depth are read as nothing (they
     * encode as the first choice). Any choices in range decode to a valid architecture.
     */
    encoding: {
      decisions,
      encode: (arch) => [
        resolutions.indexOf(arch.resolution),
        ...arch.stages.flatMap((blocks) => [
          depths.indexOf(blocks.length),
          ...Array.from({ length: maxDepth }, (_, b) => {
            const block = blocks[b];
            return block ? [kernels.indexOf(block.kernel), expands.indexOf(block.expand)] : [0, 0];
          }).flat(),
        ]),
      ],
      decode(choices) {
        checkChoices(MBV3_SPACE, decisions, choices);
        return {
          resolution: resolutions[choices[0]!]!,
          stages: widths.map((_, s) => {
            const at = 1 + s * perStage;
            return Array.from({ length: depths[choices[at]!]! }, (_, b) => ({
              kernel: kernels[choices[at + 1 + 2 * b]!]!,
              expand: expands[choices[at + 2 + 2 * b]!]!,
            }));
          }),
        };
      },
    },
  };
}

/** Number of architectures of the space, or undefined when it exceeds 2^53. */
export function mbv3SpaceSize(config: Mbv3SpaceConfig): number | undefined {
  const { resolutions, depths, kernels, expands, widths } = config;
  const perBlock = BigInt(kernels.length * expands.length);
  const perStage = depths.reduce((n, d) => n + perBlock ** BigInt(d), 0n);
  const total = BigInt(resolutions.length) * perStage ** BigInt(widths.length);
  return total <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(total) : undefined;
}

/**
 * Architectures whose networks hold every operation the space's networks can have, at every
 * input shape: per resolution and (kernel, expand ratio), every stage at its largest depth with
 * that block throughout. A block's operations depend only on its kernel, expand ratio, stage,
 * position (first or not) and the resolution, so these cover them all: what a latency table times.
 */
export function mbv3CoveringArchitectures(config: Mbv3SpaceConfig): Mbv3Arch[] {
  const depth = config.depths.at(-1)!;
  return config.resolutions.flatMap((resolution) =>
    config.kernels.flatMap((kernel) =>
      config.expands.map((expand) => ({
        resolution,
        stages: config.widths.map(() => Array.from({ length: depth }, () => ({ kernel, expand }))),
      })),
    ),
  );
}

/** `--space mbv3`: OFA's elastic MobileNetV3 for small images (Fashion-MNIST). */
export const mbv3SpaceFactory: SearchSpaceFactory = {
  name: MBV3_SPACE,
  description:
    "OFA's elastic MobileNetV3 for small images: input resolution, depth per stage, kernel and expand ratio per block",
  options: MBV3_OPTIONS,
  create: (options) => mbv3Space(options),
};
