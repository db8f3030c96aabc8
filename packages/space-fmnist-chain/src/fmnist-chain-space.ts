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
  CHAIN_HEADS,
  CHAIN_OPS,
  CHAIN_SPACE,
  type ChainArch,
  type ChainHead,
  type ChainLayer,
  type ChainSpaceConfig,
  chainKey,
  isConv,
  isConvOp,
  isPool,
  maxPoolings,
  parseChainKey,
} from './fmnist-chain-arch.js';

export const FMNIST_CHAIN_OPTIONS = {
  minDepth: { type: 'int', default: 2, min: 1, max: 32, description: 'fewest layers of a chain' },
  maxDepth: { type: 'int', default: 8, min: 1, max: 32, description: 'most layers of a chain' },
  widths: {
    type: 'string',
    default: '16,32,64,128',
    description: 'output channels a convolution may have, comma-separated',
  },
  imageSize: {
    type: 'int',
    default: 28,
    min: 1,
    max: 4096,
    description: 'side of the square input images: a chain may not pool them below 1×1',
  },
  skips: { type: 'boolean', default: true, description: 'let a convolution have a residual connection' },
  head: {
    type: 'enum',
    values: CHAIN_HEADS,
    default: 'gap',
    description:
      "the classifier's input: 'gap' (global average pooling: few weights, slow to learn) or 'flatten' (every value: learns fast on small images)",
  },
} as const satisfies OptionsSpec;

/** A fmnist-chain space, with the configuration its keys are checked against; it has every capability. */
export interface ChainSearchSpace extends SearchSpace<ChainArch> {
  readonly config: ChainSpaceConfig;
  mutate(arch: ChainArch, rng: Rng): ChainArch;
  neighbours(arch: ChainArch): ChainArch[];
  isomorphismKey(arch: ChainArch): string;
  readonly encoding: SpaceEncoding<ChainArch>;
}

/** The options (as `--space-opt` gives them, or typed) as a checked configuration. */
export function chainSpaceConfig(options: Readonly<Record<string, unknown>> = {}): ChainSpaceConfig {
  const o = parseOptions(CHAIN_SPACE, FMNIST_CHAIN_OPTIONS, options);
  if (o.minDepth > o.maxDepth) {
    throw new InvalidOptionError(
      `${CHAIN_SPACE}: option 'minDepth' (${o.minDepth}) must not exceed 'maxDepth' (${o.maxDepth})`,
    );
  }
  const texts = o.widths.split(',').map((w) => w.trim());
  const widths = texts.map(Number);
  const bad = texts.find((t, i) => !/^[1-9]\d*$/.test(t) || widths[i]! > 4096);
  if (bad !== undefined) {
    throw new InvalidOptionError(
      `${CHAIN_SPACE}: option 'widths' is whole numbers in [1, 4096] separated by commas, like '16,32,64'; '${bad}' is not one`,
    );
  }
  if (new Set(widths).size !== widths.length) {
    throw new InvalidOptionError(`${CHAIN_SPACE}: option 'widths' lists a width twice: '${o.widths}'`);
  }
  // parseOptions has checked that head is one of CHAIN_HEADS.
  return { ...o, widths: widths.sort((a, b) => a - b), head: o.head as ChainHead };
}

/**
 * The fmnist-chain space: a plain chain of 2 to 8 layers (by default) for small images, each a
 * 3×3 or 5×5 convolution, a depthwise-separable one, a max or average pooling, or the
 * identity; a convolution picks its width (16, 32, 64 or 128 channels) and whether a residual
 * connection goes around it. Keys read like `conv3x3-32|max_pool|sep_conv5x5-64+skip|identity`.
 * A chain never pools its `imageSize` images below 1×1: parse rejects it, and sample, mutate,
 * neighbours and decode never produce it. Stateless: one instance serves any number of runs.
 */
export function fmnistChainSpace(options: Readonly<Record<string, unknown>> = {}): ChainSearchSpace {
  const config = chainSpaceConfig(options);
  const { minDepth, maxDepth, widths, skips } = config;
  const poolLimit = maxPoolings(config.imageSize);
  const pools = (arch: ChainArch) => arch.filter((l) => isPool(l.op)).length;
  const opsFor = (poolAllowed: boolean) => (poolAllowed ? CHAIN_OPS : CHAIN_OPS.filter((op) => !isPool(op)));

  const randomLayer = (rng: Rng, poolAllowed: boolean): ChainLayer => {
    const op = rng.pick(opsFor(poolAllowed));
    return isConvOp(op) ? { op, width: rng.pick(widths), skip: skips && rng.int(2) === 1 } : { op };
  };

  // Layers that replace `from`: each other op, a convolution keeping its width and skip when `from` has them.
  const replacements = (from: ChainLayer, poolAllowed: boolean): ChainLayer[] =>
    opsFor(poolAllowed)
      .filter((op) => op !== from.op)
      .flatMap((op): ChainLayer[] => {
        if (!isConvOp(op)) return [{ op }];
        if (isConv(from)) return [{ op, width: from.width, skip: from.skip }];
        return widths.map((width) => ({ op, width, skip: false }));
      });

  const mutate = (arch: ChainArch, rng: Rng): ChainArch => {
    const convs = arch.flatMap((l, i) => (isConv(l) ? [i] : []));
    const kinds = ['op'];
    if (convs.length && widths.length > 1) kinds.push('width');
    if (convs.length && skips) kinds.push('skip');
    if (arch.length < maxDepth) kinds.push('insert');
    if (arch.length > minDepth) kinds.push('remove');
    const out = [...arch];
    switch (rng.pick(kinds)) {
      case 'op': {
        const i = rng.int(arch.length);
        const from = arch[i]!;
        const op = rng.pick(opsFor(isPool(from.op) || pools(arch) < poolLimit).filter((o) => o !== from.op));
        out[i] = !isConvOp(op)
          ? { op }
          : isConv(from)
            ? { op, width: from.width, skip: from.skip }
            : { op, width: rng.pick(widths), skip: false };
        return out;
      }
      case 'width': {
        const i = rng.pick(convs);
        const from = arch[i] as Extract<ChainLayer, { width: number }>;
        out[i] = { ...from, width: rng.pick(widths.filter((w) => w !== from.width)) };
        return out;
      }
      case 'skip': {
        const i = rng.pick(convs);
        const from = arch[i] as Extract<ChainLayer, { width: number }>;
        out[i] = { ...from, skip: !from.skip };
        return out;
      }
      case 'insert':
        out.splice(rng.int(arch.length + 1), 0, randomLayer(rng, pools(arch) < poolLimit));
        return out;
      default:
        out.splice(rng.int(arch.length), 1);
        return out;
    }
  };

  const neighbours = (arch: ChainArch): ChainArch[] => {
    const all: ChainArch[] = [];
    const replaced = (i: number, layer: ChainLayer) => all.push(arch.map((l, k) => (k === i ? layer : l)));
    const poolsLeft = pools(arch) < poolLimit;
    arch.forEach((layer, i) => {
      for (const r of replacements(layer, isPool(layer.op) || poolsLeft)) replaced(i, r);
      if (!isConv(layer)) return;
      for (const width of widths) if (width !== layer.width) replaced(i, { ...layer, width });
      if (skips) replaced(i, { ...layer, skip: !layer.skip });
    });
    if (arch.length > minDepth)
      for (let i = 0; i < arch.length; i++) all.push(arch.filter((_, k) => k !== i));
    if (arch.length < maxDepth) {
      // Inserted convolutions come without a skip: adding one is a further step.
      const inserts = opsFor(poolsLeft).flatMap((op): ChainLayer[] =>
        isConvOp(op) ? widths.map((width) => ({ op, width, skip: false })) : [{ op }],
      );
      for (let at = 0; at <= arch.length; at++) {
        for (const layer of inserts) all.push([...arch.slice(0, at), layer, ...arch.slice(at)]);
      }
    }
    // Different changes can give the same chain (removing either of two equal layers).
    const seen = new Set([chainKey(arch)]);
    return all.filter((a) => {
      const key = chainKey(a);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };

  const ABSENT = CHAIN_OPS.length;
  const decisions = Array.from({ length: maxDepth }, (_, s) => [
    { name: `layer${s + 1}.op`, choices: s < minDepth ? [...CHAIN_OPS] : [...CHAIN_OPS, 'absent'] },
    { name: `layer${s + 1}.width`, choices: widths.map(String) },
    ...(skips ? [{ name: `layer${s + 1}.skip`, choices: ['no', 'yes'] }] : []),
  ]).flat();
  const perSlot = skips ? 3 : 2;

  return {
    name: CHAIN_SPACE,
    options: { ...options },
    config,
    size: chainSpaceSize(config),
    sample(rng) {
      const depth = minDepth + rng.int(maxDepth - minDepth + 1);
      const arch: ChainLayer[] = [];
      for (let i = 0; i < depth; i++) arch.push(randomLayer(rng, pools(arch) < poolLimit));
      return arch;
    },
    key: chainKey,
    parse: (key) => parseChainKey(key, config),
    mutate,
    neighbours,
    // Identity layers compute nothing: chains equal but for them compute the same function.
    isomorphismKey: (arch) => chainKey(arch.filter((l) => l.op !== 'identity')) || 'identity',
    /**
     * Per layer slot: op (the slots past `minDepth` may be `absent`), width, skip. A width or
     * skip is read only for a convolution. Any choices in range decode to a valid chain: absent
     * slots are dropped, and a pooling past the most the image allows becomes `identity`.
     */
    encoding: {
      decisions,
      encode(arch) {
        return Array.from({ length: maxDepth }, (_, s) => {
          const layer = arch[s];
          if (!layer) return [ABSENT, 0, 0].slice(0, perSlot);
          const conv = isConv(layer);
          return [
            CHAIN_OPS.indexOf(layer.op),
            conv ? widths.indexOf(layer.width) : 0,
            conv && layer.skip ? 1 : 0,
          ].slice(0, perSlot);
        }).flat();
      },
      decode(choices) {
        checkChoices(CHAIN_SPACE, decisions, choices);
        const arch: ChainLayer[] = [];
        for (let s = 0; s < maxDepth; s++) {
          const [op, width, skip] = choices.slice(s * perSlot, (s + 1) * perSlot) as [
            number,
            number,
            number?,
          ];
          if (op === ABSENT) continue;
          const name = CHAIN_OPS[op]!;
          if (isConvOp(name)) arch.push({ op: name, width: widths[width]!, skip: skip === 1 });
          else arch.push({ op: isPool(name) && pools(arch) >= poolLimit ? 'identity' : name });
        }
        return arch;
      },
    },
  };
}

/**
 * Chains that together contain every layer the space allows at every input it can have: for
 * each reachable (poolings so far, channels in) and each layer choice, the shortest chain that
 * gets there (a convolution of those channels, if any, then the poolings), the layer, and
 * identities up to `minDepth`. The head follows each chain, so it too meets every input it can
 * have. What a lookup table must measure to predict any chain of the space: a combination none
 * of these chains reaches needs more layers than `maxDepth` allows.
 */
export function chainCoveringArchitectures(config: ChainSpaceConfig): ChainArch[] {
  const { minDepth, maxDepth, widths, skips } = config;
  const poolLimit = maxPoolings(config.imageSize);
  const layers: ChainLayer[] = CHAIN_OPS.flatMap((op): ChainLayer[] =>
    isConvOp(op)
      ? widths.flatMap((width) => (skips ? [false, true] : [false]).map((skip) => ({ op, width, skip })))
      : [{ op }],
  );
  const archs = new Map<string, ChainArch>();
  for (let pools = 0; pools <= poolLimit; pools++) {
    for (const channels of [undefined, ...widths]) {
      const prefix: ChainLayer[] = [
        ...(channels === undefined ? [] : [{ op: 'conv3x3' as const, width: channels, skip: false }]),
        ...Array.from({ length: pools }, () => ({ op: 'max_pool' as const })),
      ];
      for (const layer of layers) {
        if (isPool(layer.op) && pools === poolLimit) continue;
        const arch = [...prefix, layer];
        while (arch.length < minDepth) arch.push({ op: 'identity' });
        if (arch.length <= maxDepth) archs.set(chainKey(arch), arch);
      }
    }
  }
  return [...archs.values()];
}

/** Number of chains in the space, or undefined when it exceeds 2^53. */
export function chainSpaceSize(config: ChainSpaceConfig): number | undefined {
  const { minDepth, maxDepth, widths, skips, imageSize } = config;
  const plain = 4 * widths.length * (skips ? 2 : 1) + 1; // convolutions and identity
  const poolLimit = maxPoolings(imageSize);
  // count[p]: chains of the current depth with p poolings.
  let count = [1];
  let total = 0;
  for (let depth = 1; depth <= maxDepth; depth++) {
    const next = new Array<number>(Math.min(depth, poolLimit) + 1).fill(0);
    count.forEach((n, p) => {
      next[p]! += n * plain;
      if (p < poolLimit) next[p + 1]! += n * 2;
    });
    count = next;
    if (depth >= minDepth) total += count.reduce((a, b) => a + b, 0);
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** `--space fmnist-chain`: plain chains of convolutions and poolings for 28×28 images (Fashion-MNIST). */
export const fmnistChainSpaceFactory: SearchSpaceFactory = {
  name: CHAIN_SPACE,
  description:
    'chains of conv/separable conv/pool/identity layers with widths and skips, for small images (Fashion-MNIST)',
  options: FMNIST_CHAIN_OPTIONS,
  create: (options) => fmnistChainSpace(options),
};
