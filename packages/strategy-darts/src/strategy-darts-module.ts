import { ContainerModule, StrategyFactory } from '@archlab/core';
import { betaDartsStrategyFactory, dartsStrategyFactory, gdasStrategyFactory } from './darts-strategy.js';

/** `darts`, `gdas` and `beta-darts`; they train the `supernet` service of `@archlab/oneshot`. */
export const strategyDartsModule = new ContainerModule((bind) => {
  bind(StrategyFactory).toConstantValue(dartsStrategyFactory);
  bind(StrategyFactory).toConstantValue(gdasStrategyFactory);
  bind(StrategyFactory).toConstantValue(betaDartsStrategyFactory);
});
