import { ConfigError, MalformedArchitectureError, type SearchSpace } from '@archlab/core';
import {
  type GraphBuilder,
  type ImageShape,
  LayerListBuilder,
  type Network,
  NetworkBuilder,
  type NetworkDescription,
  type SpaceNetworkModule,
} from '@archlab/nn';
import {
  CHAIN_HEADS,
  CHAIN_SPACE,
  type ChainArch,
  type ChainHead,
  type ChainSpaceConfig,
  chainKey,
  DEFAULT_CHAIN_CONFIG,
  isConv,
  overPooled,
} from './fmnist-chain-arch.js';
import { chainCoveringArchitectures, fmnistChainSpace } from './fmnist-chain-space.js';

export interface ChainNetworkOptions {
  /** `[height, width, channels]`; default `[28, 28, 1]` (Fashion-MNIST). */
  readonly inputShape?: ImageShape;
  /** Default 10. */
  readonly numClasses?: number;
  /** The classifier's input (the space's `head` option); default `gap`. */
  readonly head?: ChainHead;
  /** Initial weights; the same seed gives the same weights. */
  readonly seed: number;
}

/**
 * The network of a fmnist-chain architecture. Layer i (from 1) is named `layer{i}`:
 * - `convKxK-W`: conv K×K → W channels, BN, ReLU;
 * - `sep_convKxK-W`: depthwise K×K, pointwise 1×1 → W, BN, ReLU;
 * - `+skip`: adds the layer's input to its output, through a 1×1 convolution (no bias, no BN)
 *   when the channel counts differ (convolutions keep the resolution, so only they can);
 * - `max_pool` / `avg_pool`: 2×2 window, stride 2, `same` padding (sides halve, rounding up);
 * - `identity`: nothing.
 * Then global average pooling (`head: 'gap'`) or flattening (`'flatten'`) and a dense layer to
 * the classes. Convolutions have no bias
 * (BN follows) and `same` padding.
 */
export function buildChainNetwork(arch: ChainArch, options: ChainNetworkOptions): Network {
  const { inputShape, numClasses, head } = chainOptions(arch, options);
  return NetworkBuilder.buildFrom(inputShape, options.seed, (b) => chainGraph(b, arch, numClasses, head));
}

/** The layers and dataflow `buildChainNetwork(arch, options)` would have, without weights or tensors. */
export function describeChainNetwork(
  arch: ChainArch,
  options: Omit<ChainNetworkOptions, 'seed'> = {},
): NetworkDescription {
  const { inputShape, numClasses, head } = chainOptions(arch, options);
  const b = new LayerListBuilder(inputShape);
  return b.describe(chainGraph(b, arch, numClasses, head));
}

/** The configuration of a fmnist-chain space (the defaults for one made without). */
function configOf(space: SearchSpace<ChainArch>): ChainSpaceConfig {
  return (space as { config?: ChainSpaceConfig }).config ?? DEFAULT_CHAIN_CONFIG;
}

/**
 * The networks of fmnist-chain architectures (see `buildChainNetwork`), with the space's `head`
 * and, by default, its `imageSize`² × 1 images: what `fmnistChainSpaceNetwork` loads.
 */
export const spaceNetwork: SpaceNetworkModule<ChainArch> = {
  inputShape: (space) => {
    const side = configOf(space).imageSize;
    return [side, side, 1];
  },
  describe: (space, arch, shape) => describeChainNetwork(arch, { ...shape, head: configOf(space).head }),
  build: (key, spaceOptions, { inputShape, numClasses, seed }) => {
    const space = fmnistChainSpace(spaceOptions);
    return buildChainNetwork(space.parse(key), { inputShape, numClasses, head: space.config.head, seed });
  },
  coveringArchitectures: (space) => chainCoveringArchitectures(configOf(space)),
};

function chainOptions(
  arch: ChainArch,
  options: Omit<ChainNetworkOptions, 'seed'>,
): { inputShape: ImageShape; numClasses: number; head: ChainHead } {
  const { inputShape = [28, 28, 1], numClasses = 10, head = 'gap' } = options;
  if (!CHAIN_HEADS.includes(head)) {
    throw new ConfigError(`${CHAIN_SPACE} network: head is one of ${CHAIN_HEADS.join(', ')}, got '${head}'`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new ConfigError(`${CHAIN_SPACE} network: numClasses must be a whole number ≥ 1, got ${numClasses}`);
  }
  const over = overPooled(arch, inputShape[0], inputShape[1]);
  if (over) throw new MalformedArchitectureError(CHAIN_SPACE, chainKey(arch), over);
  return { inputShape, numClasses, head };
}

/** The chain's graph on any builder; returns the logits. */
function chainGraph<T>(b: GraphBuilder<T>, arch: ChainArch, numClasses: number, head: ChainHead): T {
  let x = b.input;
  arch.forEach((layer, index) => {
    const name = `layer${index + 1}`;
    if (layer.op === 'identity') return;
    if (!isConv(layer)) {
      const pool = { size: 2, stride: 2 };
      x = layer.op === 'max_pool' ? b.maxPool(`${name}.pool`, x, pool) : b.avgPool(`${name}.pool`, x, pool);
      return;
    }
    const k = layer.op.endsWith('5x5') ? 5 : 3;
    const conv = layer.op.startsWith('sep_')
      ? b.conv2d(`${name}.pointwise`, b.depthwiseConv2d(`${name}.depthwise`, x, { kernelSize: k }), {
          kernelSize: 1,
          filters: layer.width,
        })
      : b.conv2d(`${name}.conv`, x, { kernelSize: k, filters: layer.width });
    const y = b.relu(`${name}.relu`, b.batchNorm(`${name}.bn`, conv));
    if (!layer.skip) {
      x = y;
      return;
    }
    const shortcut =
      b.shapeOf(x)[2] === layer.width
        ? x
        : b.conv2d(`${name}.proj`, x, { kernelSize: 1, filters: layer.width });
    x = b.add(`${name}.add`, [y, shortcut]);
  });
  const features = head === 'flatten' ? b.flatten('head.flatten', x) : b.globalAvgPool('head.pool', x);
  return b.dense('head.dense', features, { units: numClasses });
}
