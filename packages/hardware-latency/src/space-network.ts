import type { Nb201Arch } from '@archlab/bench-nb201';
import { ConfigError, InvalidOptionError, type SearchSpace } from '@archlab/core';
import type { ImageShape, LayerInfo, Network, NetworkDescription } from '@archlab/nn';
import {
  buildChainNetwork,
  buildNb201Network,
  type ChainArch,
  chainHeadOf,
  describeSpaceNetwork,
} from '@archlab/trainer-tfjs';

/** Spaces whose architectures this package can build into networks. */
export const BUILDABLE_SPACES = ['nb201', 'fmnist-chain'] as const;

/** What network an architecture becomes: the data set's image shape and class count. */
export interface NetworkShapeOptions {
  /** `[height, width, channels]`; default the space's: CIFAR `[32, 32, 3]` for nb201, `[imageSize, imageSize, 1]` for fmnist-chain. */
  readonly inputShape?: ImageShape;
  /** Default 10. */
  readonly numClasses?: number;
}

/** Factory options shared by the models that build networks. */
export const NETWORK_SHAPE_OPTIONS = {
  input: {
    type: 'string',
    default: '',
    description:
      "image shape 'height,width,channels'; empty: the space's (nb201 32,32,3; fmnist-chain 28,28,1)",
  },
  classes: { type: 'int', default: 10, min: 1, description: 'classes of the classifier head' },
} as const;

/** Reads the `input` and `classes` options of a hardware model factory. */
export function networkShapeOptions(owner: string, input: string, classes: number): NetworkShapeOptions {
  if (input.trim() === '') return { numClasses: classes };
  const dims = input.split(',').map((d) => Number(d.trim()));
  if (dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new InvalidOptionError(
      `${owner}: option 'input' must be 'height,width,channels' with whole numbers ≥ 1, got '${input}'`,
    );
  }
  return { inputShape: [dims[0]!, dims[1]!, dims[2]!], numClasses: classes };
}

/** The default image shape of a buildable space. */
export function defaultInputShape(space: SearchSpace): ImageShape {
  const config = (space as { config?: { imageSize?: unknown } }).config;
  if (space.name === 'fmnist-chain') {
    const side = typeof config?.imageSize === 'number' ? config.imageSize : 28;
    return [side, side, 1];
  }
  return [32, 32, 3];
}

/**
 * The network of `arch`, built with fixed weights (seed 0) on the current tfjs backend; the
 * caller disposes it. A space other than nb201 or fmnist-chain is a ConfigError.
 */
export function buildSpaceNetwork(
  space: SearchSpace,
  arch: unknown,
  options: NetworkShapeOptions = {},
): Network {
  const inputShape = options.inputShape ?? defaultInputShape(space);
  const numClasses = options.numClasses ?? 10;
  switch (space.name) {
    case 'nb201':
      return buildNb201Network(arch as Nb201Arch, { inputShape, numClasses, seed: 0 });
    case 'fmnist-chain':
      return buildChainNetwork(arch as ChainArch, {
        inputShape,
        numClasses,
        head: chainHeadOf(space),
        seed: 0,
      });
    default:
      throw new ConfigError(
        `hardware models cannot build networks for space '${space.name}'; they can for: ${BUILDABLE_SPACES.join(', ')}`,
      );
  }
}

/** Runs `f` on the network of `arch` and disposes the network afterwards. */
export function withSpaceNetwork<T>(
  space: SearchSpace,
  arch: unknown,
  options: NetworkShapeOptions,
  f: (network: Network) => T,
): T {
  const network = buildSpaceNetwork(space, arch, options);
  try {
    return f(network);
  } finally {
    network.dispose();
  }
}

/**
 * The layers and dataflow of `arch`'s network, derived from the architecture alone
 * (trainer-tfjs's `describeSpaceNetwork`: no weights, fast enough for a whole space).
 */
export function spaceDescription(
  space: SearchSpace,
  arch: unknown,
  options: NetworkShapeOptions = {},
): NetworkDescription {
  const shape = {
    inputShape: options.inputShape ?? defaultInputShape(space),
    numClasses: options.numClasses ?? 10,
  };
  const description = describeSpaceNetwork(space, arch, shape);
  if (!description) {
    throw new ConfigError(
      `hardware models cannot describe networks for space '${space.name}'; they can for: ${BUILDABLE_SPACES.join(', ')}`,
    );
  }
  return description;
}

/** The layers of `arch`'s network, in execution order (see {@link spaceDescription}). */
export function spaceLayers(
  space: SearchSpace,
  arch: unknown,
  options: NetworkShapeOptions = {},
): readonly LayerInfo[] {
  return spaceDescription(space, arch, options).layers;
}
