import { MalformedArchitectureError } from '@archlab/core';

export const CHAIN_SPACE = 'fmnist-chain';

/** The operations of a layer, in the order the encoding numbers them. */
export const CHAIN_OPS = [
  'conv3x3',
  'conv5x5',
  'sep_conv3x3',
  'sep_conv5x5',
  'max_pool',
  'avg_pool',
  'identity',
] as const;
export type ChainOp = (typeof CHAIN_OPS)[number];
export type ChainConvOp = 'conv3x3' | 'conv5x5' | 'sep_conv3x3' | 'sep_conv5x5';
export type ChainPoolOp = 'max_pool' | 'avg_pool';

/**
 * One layer of a chain. A convolution has an output width (channels) and may add a residual
 * connection around itself; a pooling halves the resolution (2×2 window, stride 2, rounding
 * up); `identity` passes its input on (it lets a fixed-length encoding spell shorter chains).
 */
export type ChainLayer =
  | { readonly op: ChainConvOp; readonly width: number; readonly skip: boolean }
  | { readonly op: ChainPoolOp | 'identity' };

/** Layers in order, input first. */
export type ChainArch = readonly ChainLayer[];

/** What a chain may be: the space's options after validation. */
export interface ChainSpaceConfig {
  readonly minDepth: number;
  readonly maxDepth: number;
  /** Allowed convolution widths, ascending. */
  readonly widths: readonly number[];
  /** Side of the (square) input images the keys are checked against. */
  readonly imageSize: number;
  /** Whether convolutions may have a residual connection. */
  readonly skips: boolean;
  /** The classifier's input: the channels' global average (`gap`) or every value (`flatten`). */
  readonly head: ChainHead;
}

/** Heads a chain's network may end in (see {@link ChainSpaceConfig.head}). */
export const CHAIN_HEADS = ['gap', 'flatten'] as const;
export type ChainHead = (typeof CHAIN_HEADS)[number];

export const DEFAULT_CHAIN_CONFIG: ChainSpaceConfig = {
  minDepth: 2,
  maxDepth: 8,
  widths: [16, 32, 64, 128],
  imageSize: 28,
  skips: true,
  head: 'gap',
};

const OP_NAMES: ReadonlySet<string> = new Set(CHAIN_OPS);

export function isConvOp(op: ChainOp): op is ChainConvOp {
  return op !== 'max_pool' && op !== 'avg_pool' && op !== 'identity';
}

export function isConv(layer: ChainLayer): layer is Extract<ChainLayer, { width: number }> {
  return isConvOp(layer.op);
}

export function isPool(op: ChainOp): op is ChainPoolOp {
  return op === 'max_pool' || op === 'avg_pool';
}

/** How many 2×2 stride-2 poolings (rounding up) a side of `size` pixels takes before it is 1. */
export function maxPoolings(size: number): number {
  let n = 0;
  for (let s = size; s > 1; s = Math.ceil(s / 2)) n++;
  return n;
}

/** A layer's token: `conv3x3-32`, `sep_conv5x5-64+skip`, `max_pool`, `identity`. */
export function chainLayerKey(layer: ChainLayer): string {
  return isConv(layer) ? `${layer.op}-${layer.width}${layer.skip ? '+skip' : ''}` : layer.op;
}

/** The canonical key: layer tokens joined by `|`, e.g. `conv3x3-32|max_pool|sep_conv5x5-64+skip`. */
export function chainKey(arch: ChainArch): string {
  return arch.map(chainLayerKey).join('|');
}

const EXAMPLE = "'conv3x3-32|max_pool|sep_conv5x5-64+skip'";

/**
 * Parses a canonical key and nothing else; the MalformedArchitectureError's reason names the
 * first thing wrong: layer count, operation, width, `+skip`, or more poolings than
 * `config.imageSize` allows.
 */
export function parseChainKey(key: string, config: ChainSpaceConfig): ChainArch {
  const fail = (reason: string): never => {
    throw new MalformedArchitectureError(CHAIN_SPACE, key, reason);
  };
  const { minDepth, maxDepth, widths } = config;
  if (key === '') fail(`empty string; expected layers separated by '|', like ${EXAMPLE}`);
  const ws = /\s/.exec(key);
  if (ws)
    fail(
      `stray whitespace at position ${ws.index}; expected layers separated by '|' with no spaces, like ${EXAMPLE}`,
    );
  const tokens = key.split('|');
  if (tokens.length < minDepth || tokens.length > maxDepth) {
    fail(`${tokens.length} layer${tokens.length > 1 ? 's' : ''}; this space has ${minDepth} to ${maxDepth}`);
  }
  const arch = tokens.map((token, i): ChainLayer => {
    const at = `layer ${i + 1}`;
    if (token === '') fail(`${at} is empty (a '|' at an end or two in a row)`);
    const plus = token.indexOf('+');
    const suffix = plus < 0 ? '' : token.slice(plus);
    if (suffix !== '' && suffix !== '+skip')
      fail(`${at}: unknown suffix '${suffix}'; the only one is '+skip'`);
    const body = plus < 0 ? token : token.slice(0, plus);
    const dash = body.indexOf('-');
    const op = dash < 0 ? body : body.slice(0, dash);
    if (!OP_NAMES.has(op))
      fail(`${at}: unknown operation '${op}'; valid operations: ${CHAIN_OPS.join(', ')}`);
    const name = op as ChainOp;
    if (!isConvOp(name)) {
      if (dash >= 0) fail(`${at}: '${op}' takes no width, found '${body.slice(dash)}'`);
      if (suffix) fail(`${at}: '+skip' applies to convolutions only, not '${op}'`);
      return { op: name };
    }
    if (dash < 0)
      fail(`${at}: '${op}' needs a width, like '${op}-${widths[0]}'; widths: ${widths.join(', ')}`);
    const text = body.slice(dash + 1);
    const width = Number(text);
    if (!/^[1-9]\d*$/.test(text) || !widths.includes(width)) {
      fail(`${at}: width '${text}' is not one of ${widths.join(', ')}`);
    }
    if (suffix && !config.skips) fail(`${at}: skip connections are off in this space (option skips=false)`);
    return { op: name, width, skip: suffix !== '' };
  });
  const over = overPooled(arch, config.imageSize, config.imageSize);
  if (over) fail(over);
  return arch;
}

/**
 * Why `arch` pools an `height`×`width` image below 1×1, or undefined when it does not: each
 * pooling halves the sides (rounding up), and a side already 1 cannot be halved.
 */
export function overPooled(arch: ChainArch, height: number, width: number): string | undefined {
  let h = height;
  let w = width;
  let pools = 0;
  for (const [i, layer] of arch.entries()) {
    if (!isPool(layer.op)) continue;
    pools++;
    if (h < 2 || w < 2) {
      const most = Math.min(maxPoolings(height), maxPoolings(width));
      return `layer ${i + 1} is pooling number ${pools}, which would halve a ${h}×${w} feature map: a ${height}×${width} image allows at most ${most} poolings`;
    }
    h = Math.ceil(h / 2);
    w = Math.ceil(w / 2);
  }
  return undefined;
}
