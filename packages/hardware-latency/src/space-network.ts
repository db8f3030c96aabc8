import { InvalidOptionError, type SearchSpace } from '@archlab/core';
import type {
  ImageShape,
  LayerInfo,
  Network,
  NetworkDescription,
  NetworkShape,
  SpaceNetworkModule,
} from '@archlab/nn';

/** What network an architecture becomes: the data set's image shape and class count. */
export interface NetworkShapeOptions {
  /** `[height, width, channels]`; default the space's (its SpaceNetwork's `inputShape`). */
  readonly inputShape?: ImageShape;
  /** Default 10. */
  readonly numClasses?: number;
}

/** Factory options shared by the models that build networks. */
export const NETWORK_SHAPE_OPTIONS = {
  input: {
    type: 'string',
    default: '',
    description: "image shape 'height,width,channels'; empty: the space's (e.g. nb201 32,32,3)",
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

/** `options` with the space's defaults filled in: its network's image shape, 10 classes. */
function shapeOf(
  network: SpaceNetworkModule,
  space: SearchSpace,
  options: NetworkShapeOptions,
): NetworkShape {
  return {
    inputShape: options.inputShape ?? network.inputShape(space),
    numClasses: options.numClasses ?? 10,
  };
}

/**
 * The network of `arch`, built by the space's `network` with fixed weights (seed 0) on the
 * current tfjs backend; the caller disposes it.
 */
export function buildSpaceNetwork(
  network: SpaceNetworkModule,
  space: SearchSpace,
  arch: unknown,
  options: NetworkShapeOptions = {},
): Network {
  return network.build(space.key(arch), space.options ?? {}, {
    ...shapeOf(network, space, options),
    seed: 0,
  });
}

/** Runs `f` on the network of `arch` and disposes the network afterwards. */
export function withSpaceNetwork<T>(
  network: SpaceNetworkModule,
  space: SearchSpace,
  arch: unknown,
  options: NetworkShapeOptions,
  f: (built: Network) => T,
): T {
  const built = buildSpaceNetwork(network, space, arch, options);
  try {
    return f(built);
  } finally {
    built.dispose();
  }
}

/**
 * The layers and dataflow of `arch`'s network, derived from the architecture alone (the
 * network's `describe`: no weights, fast enough for a whole space).
 */
export function spaceDescription(
  network: SpaceNetworkModule,
  space: SearchSpace,
  arch: unknown,
  options: NetworkShapeOptions = {},
): NetworkDescription {
  return network.describe(space, arch, shapeOf(network, space, options));
}

/** The layers of `arch`'s network, in execution order (see {@link spaceDescription}). */
export function spaceLayers(
  network: SpaceNetworkModule,
  space: SearchSpace,
  arch: unknown,
  options: NetworkShapeOptions = {},
): readonly LayerInfo[] {
  return spaceDescription(network, space, arch, options).layers;
}
