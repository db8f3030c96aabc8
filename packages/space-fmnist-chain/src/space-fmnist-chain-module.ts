import { ContainerModule, SearchSpaceFactory, SpaceNetwork } from '@archlab/core';
import { fmnistChainSpaceFactory } from './fmnist-chain-space.js';
import { fmnistChainSpaceNetwork } from './fmnist-chain-space-network.js';

/** The `fmnist-chain` space and its network. */
export const spaceFmnistChainModule = new ContainerModule((bind) => {
  bind(SearchSpaceFactory).toConstantValue(fmnistChainSpaceFactory);
  bind(SpaceNetwork).toConstantValue(fmnistChainSpaceNetwork);
});
