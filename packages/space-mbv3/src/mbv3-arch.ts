import { MalformedArchitectureError } from '@archlab/core';

export const MBV3_SPACE = 'mbv3';

/** One MBConv block: its depthwise kernel side and its expand ratio (hidden channels = input channels × expand). */
export interface Mbv3Block {
  readonly kernel: number;
  readonly expand: number;
}

/**
 * An mbv3 architecture: the side of the (square) images the network takes, and per stage its
 * blocks in order (the stage's depth is their number).
 */
export interface Mbv3Arch {
  readonly resolution: number;
  readonly stages: readonly (readonly Mbv3Block[])[];
}

/**
 * The fixed part of an mbv3 network: what `buildMbv3Network` needs beside the architecture.
 * Compound scaling changes `stem`, `widths`, `final` (width) and the architecture's depths and
 * resolution.
 */
export interface Mbv3NetworkConfig {
  /** Channels of the images (1 for Fashion-MNIST). */
  readonly inputChannels: number;
  /** Output channels of the stem's 3×3 convolution. */
  readonly stem: number;
  /** Stride of the stem's convolution. */
  readonly stemStride: number;
  /** Output channels of each stage's blocks; one entry per stage. */
  readonly widths: readonly number[];
  /** Stride of each stage's first block (its depthwise convolution); one entry per stage. */
  readonly strides: readonly number[];
  /** Output channels of the 1×1 convolution before the pooling. */
  readonly final: number;
  /** Classes of the dense classifier. */
  readonly numClasses: number;
}

/** What an mbv3 space may hold: the network's fixed part and the elastic choices, each ascending. */
export interface Mbv3SpaceConfig extends Omit<Mbv3NetworkConfig, 'numClasses'> {
  readonly resolutions: readonly number[];
  readonly depths: readonly number[];
  readonly kernels: readonly number[];
  readonly expands: readonly number[];
}

export const DEFAULT_MBV3_CONFIG: Mbv3SpaceConfig = {
  inputChannels: 1,
  stem: 16,
  stemStride: 2,
  widths: [16, 24, 32, 48],
  strides: [1, 2, 2, 2],
  final: 128,
  resolutions: [20, 24, 28],
  depths: [2, 3, 4],
  kernels: [3, 5, 7],
  expands: [3, 4, 6],
};

const EXAMPLE = "'r28-k357e346-k35e46-k3355e6644-k77e33'";

/**
 * The canonical key: `r{resolution}` then one token per stage, `k` and a digit per block's
 * kernel, `e` and a digit per block's expand ratio, joined by `-`:
 * `r24-k357e346-k35e46-k3355e6644-k77e33` is resolution 24, stage 1 three blocks (kernels 3,
 * 5, 7, expand ratios 3, 4, 6), stage 2 two blocks... Kernels and expand ratios are one digit.
 */
export function mbv3Key(arch: Mbv3Arch): string {
  const stages = arch.stages.map(
    (blocks) => `k${blocks.map((b) => b.kernel).join('')}e${blocks.map((b) => b.expand).join('')}`,
  );
  return [`r${arch.resolution}`, ...stages].join('-');
}

/**
 * Parses a canonical key of a space with `config` and nothing else; the
 * MalformedArchitectureError's reason names the first bad token and what is wrong with it.
 */
export function parseMbv3Key(key: string, config: Mbv3SpaceConfig): Mbv3Arch {
  const fail = (reason: string): never => {
    throw new MalformedArchitectureError(MBV3_SPACE, key, reason);
  };
  if (key === '') fail(`empty string; expected a resolution and a token per stage, like ${EXAMPLE}`);
  const ws = /\s/.exec(key);
  if (ws) fail(`stray whitespace at position ${ws.index}; a key has no spaces, like ${EXAMPLE}`);
  const tokens = key.split('-');
  const stageCount = config.widths.length;
  if (tokens.length !== stageCount + 1) {
    fail(
      `${tokens.length} token${tokens.length > 1 ? 's' : ''}; this space takes a resolution and ${stageCount} stage tokens joined by '-', like ${EXAMPLE}`,
    );
  }
  const [head, ...rest] = tokens as [string, ...string[]];
  const r = /^r([1-9]\d*)$/.exec(head);
  if (!r) fail(`token 1 '${head}' is not a resolution like 'r${config.resolutions.at(-1)}'`);
  const resolution = Number(r![1]);
  if (!config.resolutions.includes(resolution)) {
    fail(`token 1 '${head}': resolution ${resolution} is not one of ${config.resolutions.join(', ')}`);
  }
  const stages = rest.map((token, s) => {
    const at = `token ${s + 2} '${token}' (stage ${s + 1})`;
    const m = /^k(\d+)e(\d+)$/.exec(token);
    if (!m) fail(`${at} is not kernels then expand ratios, a digit per block, like 'k357e346'`);
    const kernels = [...m![1]!].map(Number);
    const expands = [...m![2]!].map(Number);
    if (kernels.length !== expands.length) {
      fail(
        `${at} has ${kernels.length} kernel${kernels.length > 1 ? 's' : ''} but ${expands.length} expand ratio${expands.length > 1 ? 's' : ''}; give one of each per block`,
      );
    }
    if (!config.depths.includes(kernels.length)) {
      fail(`${at}: depth ${kernels.length} is not one of ${config.depths.join(', ')}`);
    }
    const kernel = kernels.find((k) => !config.kernels.includes(k));
    if (kernel !== undefined) fail(`${at}: kernel ${kernel} is not one of ${config.kernels.join(', ')}`);
    const expand = expands.find((e) => !config.expands.includes(e));
    if (expand !== undefined)
      fail(`${at}: expand ratio ${expand} is not one of ${config.expands.join(', ')}`);
    return kernels.map((kernel, b) => ({ kernel, expand: expands[b]! }));
  });
  return { resolution, stages };
}
