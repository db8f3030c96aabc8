import { defineSpaceNetwork } from '@archlab/nn/space-network';
import { MBV3_SPACE } from './mbv3-arch.js';

/** How mbv3 architectures become networks (see `buildMbv3Network`); the network code loads on first use. */
export const mbv3SpaceNetwork = defineSpaceNetwork(
  MBV3_SPACE,
  new URL('./mbv3-network.js', import.meta.url),
  () => import('./mbv3-network.js'),
);
