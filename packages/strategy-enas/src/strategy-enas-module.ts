import { ContainerModule, StrategyFactory } from '@archlab/core';
import { enasStrategyFactory } from './enas-strategy.js';

/** `enas`; it trains the `supernet` service of `@archlab/oneshot`. */
export const strategyEnasModule = new ContainerModule((bind) => {
  bind(StrategyFactory).toConstantValue(enasStrategyFactory);
});
