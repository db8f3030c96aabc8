import { ContainerModule, StrategyFactory } from '@archlab/core';
import { compoundScalingFactory } from './compound-scaling.js';

/** The `compound-scaling` strategy and the `mbv3-scaled` space it scales. */
export const strategyEffnetModule = new ContainerModule((bind) => {
  bind(StrategyFactory).toConstantValue(compoundScalingFactory);
});
