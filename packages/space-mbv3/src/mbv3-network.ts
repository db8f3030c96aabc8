import { ConfigError, type SearchSpace } from '@archlab/core';
import {
  type GraphBuilder,
  type LayerInfo,
  LayerListBuilder,
  type Network,
  NetworkBuilder,
  type NetworkDescription,
  type SpaceNetworkModule,
} from '@archlab/nn';
import {
  DEFAULT_MBV3_CONFIG,
  type Mbv3Arch,
  type Mbv3NetworkConfig,
  type Mbv3SpaceConfig,
} from './mbv3-arch.js';
import { mbv3CoveringArchitectures, mbv3Space } from './mbv3-space.js';

/**
 * The network of an mbv3 architecture, on `[r, r, inputChannels]` images (r: the
 * architecture's resolution; the caller resizes its images to it, see trainer-tfjs's
 * `resizeDataset`). Layers, by name (stages `s` and blocks `b` count from 1):
 * - `stem.conv` (3×3, `stem` channels, stride `stemStride`), `stem.bn`, `stem.relu`;
 * - per block `s{s}.b{b}.`: `expand` (1×1 to input channels × expand ratio; absent when the
 *   ratio is 1), `expand_bn`, `expand_relu`; `dw` (k×k depthwise, the stage's stride on its
 *   first block, 1 on the others), `dw_bn`, `dw_relu`; `project` (1×1 to the stage's width),
 *   `project_bn`; `add` (the block's input added) when the stride is 1 and the width unchanged;
 * - `head.conv` (1×1 to `final` channels), `head.bn`, `head.relu`, `head.pool` (global
 *   average), `head.dense` (the classes, with bias).
 * Convolutions have no bias (BN follows) and `same` padding; ReLU throughout (no h-swish or
 * squeeze-excitation: they are not layers of @archlab/nn). Any depth works, beyond a space's
 * choices too.
 */
export function buildMbv3Network(
  arch: Mbv3Arch,
  config: Mbv3NetworkConfig & { readonly seed: number },
): Network {
  checkNetworkConfig(arch, config);
  return NetworkBuilder.buildFrom(inputShapeOf(arch, config), config.seed, (b) => mbv3Graph(b, arch, config));
}

/** The layers and dataflow `buildMbv3Network(arch, config)` would have, without weights or tensors. */
export function describeMbv3Network(arch: Mbv3Arch, config: Mbv3NetworkConfig): NetworkDescription {
  checkNetworkConfig(arch, config);
  const b = new LayerListBuilder(inputShapeOf(arch, config));
  return b.describe(mbv3Graph(b, arch, config));
}

/** The network configuration of a space's config, for data of `inputChannels` channels and `numClasses` classes. */
export function mbv3NetworkConfig(
  config: Mbv3SpaceConfig,
  data: { readonly inputChannels?: number; readonly numClasses: number },
): Mbv3NetworkConfig {
  const { stem, stemStride, widths, strides, final } = config;
  return {
    inputChannels: data.inputChannels ?? config.inputChannels,
    stem,
    stemStride,
    widths,
    strides,
    final,
    numClasses: data.numClasses,
  };
}

function inputShapeOf(arch: Mbv3Arch, config: Mbv3NetworkConfig): [number, number, number] {
  return [arch.resolution, arch.resolution, config.inputChannels];
}

function checkNetworkConfig(arch: Mbv3Arch, config: Mbv3NetworkConfig): void {
  const fail = (what: string): never => {
    throw new ConfigError(`mbv3 network: ${what}`);
  };
  const whole = (n: number) => Number.isInteger(n) && n >= 1;
  const { inputChannels, stem, stemStride, widths, strides, final, numClasses } = config;
  for (const [name, n] of Object.entries({ inputChannels, stem, stemStride, final, numClasses })) {
    if (!whole(n)) fail(`${name} must be a whole number ≥ 1, got ${n}`);
  }
  if (widths.length === 0 || widths.length !== strides.length) {
    fail(`widths and strides need one entry per stage, got ${widths.length} and ${strides.length}`);
  }
  if (![...widths, ...strides].every(whole)) fail('widths and strides must be whole numbers ≥ 1');
  if (arch.stages.length !== widths.length) {
    fail(`the architecture has ${arch.stages.length} stages, the network ${widths.length}`);
  }
  if (!whole(arch.resolution)) fail(`resolution must be a whole number ≥ 1, got ${arch.resolution}`);
  arch.stages.forEach((blocks, s) => {
    if (blocks.length === 0) fail(`stage ${s + 1} has no blocks`);
    for (const { kernel, expand } of blocks) {
      if (!whole(kernel) || kernel % 2 === 0) fail(`stage ${s + 1}: kernel ${kernel} is not odd and ≥ 1`);
      if (!whole(expand)) fail(`stage ${s + 1}: expand ratio ${expand} is not a whole number ≥ 1`);
    }
  });
}

/** The network's graph on any builder; returns the logits. */
function mbv3Graph<T>(b: GraphBuilder<T>, arch: Mbv3Arch, config: Mbv3NetworkConfig): T {
  const convBnRelu = (name: string, x: T, filters: number, kernelSize: number, stride = 1) =>
    b.relu(
      `${name}.relu`,
      b.batchNorm(`${name}.bn`, b.conv2d(`${name}.conv`, x, { kernelSize, filters, stride })),
    );
  let x = convBnRelu('stem', b.input, config.stem, 3, config.stemStride);
  arch.stages.forEach((blocks, s) => {
    const width = config.widths[s]!;
    blocks.forEach(({ kernel, expand }, i) => {
      const name = `s${s + 1}.b${i + 1}`;
      const stride = i === 0 ? config.strides[s]! : 1;
      const cin = b.shapeOf(x)[2]!;
      let h = x;
      if (expand !== 1) {
        h = b.conv2d(`${name}.expand`, h, { kernelSize: 1, filters: cin * expand });
        h = b.relu(`${name}.expand_relu`, b.batchNorm(`${name}.expand_bn`, h));
      }
      h = b.depthwiseConv2d(`${name}.dw`, h, { kernelSize: kernel, stride });
      h = b.relu(`${name}.dw_relu`, b.batchNorm(`${name}.dw_bn`, h));
      h = b.batchNorm(
        `${name}.project_bn`,
        b.conv2d(`${name}.project`, h, { kernelSize: 1, filters: width }),
      );
      x = stride === 1 && cin === width ? b.add(`${name}.add`, [h, x]) : h;
    });
  });
  const features = b.globalAvgPool('head.pool', convBnRelu('head', x, config.final, 1));
  return b.dense('head.dense', features, { units: config.numClasses });
}

const FASHION_MNIST_SIDE = 28;

/** The configuration of an mbv3 space (the defaults for one made without). */
function configOf(space: SearchSpace<Mbv3Arch>): Mbv3SpaceConfig {
  return (space as { config?: Mbv3SpaceConfig }).config ?? DEFAULT_MBV3_CONFIG;
}

/**
 * The networks of mbv3 architectures (see `buildMbv3Network`): what `mbv3SpaceNetwork` loads.
 * The shape it is given is the data's (by default Fashion-MNIST's 28×28 with the space's
 * `channels`): the network takes the architecture's resolution and the data's channels, and the
 * caller resizes the images to it (`inputShape` of the built network).
 */
export const spaceNetwork: SpaceNetworkModule<Mbv3Arch> = {
  // The images fed to the networks by default, Fashion-MNIST's: each network takes its own resolution of them.
  inputShape: (space) => [FASHION_MNIST_SIDE, FASHION_MNIST_SIDE, configOf(space).inputChannels],
  describe: (space, arch, { inputShape, numClasses }) =>
    describeMbv3Network(
      arch,
      mbv3NetworkConfig(configOf(space), { inputChannels: inputShape[2], numClasses }),
    ),
  build: (key, spaceOptions, { inputShape, numClasses, seed }) => {
    const space = mbv3Space(spaceOptions);
    const config = mbv3NetworkConfig(space.config, { inputChannels: inputShape[2], numClasses });
    return buildMbv3Network(space.parse(key), { ...config, seed });
  },
  coveringArchitectures: (space) => mbv3CoveringArchitectures(configOf(space)),
  cheapest: (space, cost, { inputShape, numClasses }) =>
    mbv3CheapestArchitecture(
      configOf(space),
      mbv3NetworkConfig(configOf(space), { inputChannels: inputShape[2], numClasses }),
      cost,
    ),
};

/**
 * The architecture of the space whose network's layers cost least in total, for a cost of at
 * least 0 per layer (a lookup table's latencies): exact, not a heuristic. A block's layers
 * depend only on its own kernel and expand ratio, its position (first of its stage or not) and
 * the resolution, so per resolution each stage takes its fewest blocks, each with the cheapest
 * (kernel, expand ratio) for its position; the resolution with the cheapest such network wins.
 * Ties go to the earlier choice in the config's (ascending) order.
 */
export function mbv3CheapestArchitecture(
  space: Mbv3SpaceConfig,
  network: Mbv3NetworkConfig,
  cost: (layer: LayerInfo) => number,
): Mbv3Arch {
  const depth = Math.min(...space.depths);
  const choices = space.kernels.flatMap((kernel) => space.expands.map((expand) => ({ kernel, expand })));
  let best: { arch: Mbv3Arch; total: number } | undefined;
  for (const resolution of space.resolutions) {
    // Per choice, the cost of each block's layers, by block name (`s1.b2`).
    const costs = choices.map((block) => {
      const arch = { resolution, stages: space.widths.map(() => Array.from({ length: depth }, () => block)) };
      const byBlock = new Map<string, number>();
      for (const layer of describeMbv3Network(arch, network).layers) {
        const block = /^s\d+\.b\d+/.exec(layer.name)?.[0];
        if (block) byBlock.set(block, (byBlock.get(block) ?? 0) + cost(layer));
      }
      return byBlock;
    });
    const stages = space.widths.map((_, s) =>
      Array.from({ length: depth }, (_, b) => {
        const name = `s${s + 1}.b${b + 1}`;
        let at = 0;
        costs.forEach((c, i) => {
          if (c.get(name)! < costs[at]!.get(name)!) at = i;
        });
        return choices[at]!;
      }),
    );
    const arch = { resolution, stages };
    const total = describeMbv3Network(arch, network).layers.reduce((sum, layer) => sum + cost(layer), 0);
    if (!best || total < best.total) best = { arch, total };
  }
  return best!.arch;
}
