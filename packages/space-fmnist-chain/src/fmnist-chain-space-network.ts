import { defineSpaceNetwork } from '@archlab/nn/space-network';
import { CHAIN_SPACE } from './fmnist-chain-arch.js';

/** How fmnist-chain architectures become networks (see `buildChainNetwork`); the network code loads on first use. */
export const fmnistChainSpaceNetwork = defineSpaceNetwork(
  CHAIN_SPACE,
  new URL('./chain-network.js', import.meta.url),
  () => import('./chain-network.js'),
);
