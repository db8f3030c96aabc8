import { ContainerModule, StrategyFactory } from '@archlab/core';
import { bananasStrategyFactory } from './bananas-strategy.js';
import { pnasStrategyFactory } from './pnas-strategy.js';

/** Binds the `pnas` and `bananas` strategies. */
export const strategyPnasModule = new ContainerModule((bind) => {
  bind(StrategyFactory).toConstantValue(pnasStrategyFactory);
  bind(StrategyFactory).toConstantValue(bananasStrategyFactory);
});
