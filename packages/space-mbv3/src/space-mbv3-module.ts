import { ContainerModule, SearchSpaceFactory, SpaceNetwork } from '@archlab/core';
import { mbv3SpaceFactory } from './mbv3-space.js';
import { mbv3SpaceNetwork } from './mbv3-space-network.js';

/** The `mbv3` space and its network. */
export const spaceMbv3Module = new ContainerModule((bind) => {
  bind(SearchSpaceFactory).toConstantValue(mbv3SpaceFactory);
  bind(SpaceNetwork).toConstantValue(mbv3SpaceNetwork);
});
