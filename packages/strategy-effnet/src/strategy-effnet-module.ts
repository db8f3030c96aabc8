import { ContainerModule, SearchSpaceFactory, SpaceNetwork, StrategyFactory } from '@archlab/core';
import { compoundScalingFactory } from './compound-scaling.js';
import { mbv3ScaledSpaceFactory } from './mbv3-scaled-space.js';
import { mbv3ScaledSpaceNetwork } from './mbv3-scaled-space-network.js';

/** The `compound-scaling` strategy, the `mbv3-scaled` space it scales, and that space's network. */
export const strategyEffnetModule = new ContainerModule((bind) => {
  bind(StrategyFactory).toConstantValue(compoundScalingFactory);
  bind(SearchSpaceFactory).toConstantValue(mbv3ScaledSpaceFactory);
  bind(SpaceNetwork).toConstantValue(mbv3ScaledSpaceNetwork);
});
