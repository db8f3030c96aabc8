import { defineSpaceNetwork } from '@archlab/nn/space-network';
import { MBV3_SCALED } from './mbv3-scaled-space.js';

/** How mbv3-scaled architectures become networks (see `scaleMbv3`); the network code loads on first use. */
export const mbv3ScaledSpaceNetwork = defineSpaceNetwork(
  MBV3_SCALED,
  new URL('./mbv3-scaled-network.js', import.meta.url),
  () => import('./mbv3-scaled-network.js'),
);
