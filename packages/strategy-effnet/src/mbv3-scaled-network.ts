import type { SearchSpace } from '@archlab/core';
import type { Network, NetworkDescription, SpaceNetworkModule } from '@archlab/nn';
import { mbv3CoveringArchitectures } from '@archlab/space-mbv3';
import {
  buildMbv3Network,
  describeMbv3Network,
  spaceNetwork as mbv3Network,
  mbv3NetworkConfig,
} from '@archlab/space-mbv3/network';
import {
  type Mbv3ScaledSpace,
  mbv3ScaledSpace,
  type ScaledMbv3Arch,
  scaleMbv3,
} from './mbv3-scaled-space.js';
import { UNSCALED } from './scaling.js';

/** The scaled architecture and network configuration of `arch`, for images of `inputChannels` channels. */
function scaled(space: Mbv3ScaledSpace, arch: ScaledMbv3Arch, inputChannels: number, numClasses: number) {
  const config = mbv3NetworkConfig(space.unscaled.config, { inputChannels, numClasses });
  return scaleMbv3(arch.base, config, arch.m, space.divisor);
}

/** The layers and dataflow of a scaled architecture's network (`buildMbv3Network` of `scaleMbv3`), without weights. */
export function describeScaledMbv3Network(
  space: Mbv3ScaledSpace,
  arch: ScaledMbv3Arch,
  numClasses: number,
  inputChannels = space.unscaled.config.inputChannels,
): NetworkDescription {
  const s = scaled(space, arch, inputChannels, numClasses);
  return describeMbv3Network(s.arch, s.config);
}

/** The network of a scaled architecture, on images of its scaled resolution (the caller resizes them). */
export function buildScaledMbv3Network(
  space: Mbv3ScaledSpace,
  arch: ScaledMbv3Arch,
  shape: { readonly inputChannels: number; readonly numClasses: number; readonly seed: number },
): Network {
  const s = scaled(space, arch, shape.inputChannels, shape.numClasses);
  return buildMbv3Network(s.arch, { ...s.config, seed: shape.seed });
}

const asScaled = (space: SearchSpace<ScaledMbv3Arch>) =>
  'unscaled' in space ? (space as Mbv3ScaledSpace) : mbv3ScaledSpace(space.options ?? {});

/**
 * The networks of mbv3-scaled architectures: what `mbv3ScaledSpaceNetwork` loads. As mbv3's,
 * a network takes its architecture's (scaled) resolution and the data's channels.
 */
export const spaceNetwork: SpaceNetworkModule<ScaledMbv3Arch> = {
  // The data's default images, as mbv3's: a network takes its own (scaled) resolution anyway.
  inputShape: (space) => mbv3Network.inputShape(asScaled(space).unscaled),
  describe: (space, arch, { inputShape, numClasses }) =>
    describeScaledMbv3Network(asScaled(space), arch, numClasses, inputShape[2]),
  build: (key, spaceOptions, { inputShape, numClasses, seed }) => {
    const space = mbv3ScaledSpace(spaceOptions);
    return buildScaledMbv3Network(space, space.parse(key), {
      inputChannels: inputShape[2],
      numClasses,
      seed,
    });
  },
  // Unscaled: a lookup table of these misses the scaled widths; time scaled networks with `latency`.
  coveringArchitectures: (space) =>
    mbv3CoveringArchitectures(asScaled(space).unscaled.config).map((base) => ({ base, m: UNSCALED })),
};
