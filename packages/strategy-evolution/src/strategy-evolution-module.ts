import { ContainerModule, StrategyFactory } from '@archlab/core';
import { localSearchFactory } from './local-search.js';
import { nsga2Factory } from './nsga2.js';
import { regularizedEvolutionFactory } from './regularized-evolution.js';

export const strategyEvolutionModule = new ContainerModule((bind) => {
  bind(StrategyFactory).toConstantValue(regularizedEvolutionFactory);
  bind(StrategyFactory).toConstantValue(localSearchFactory);
  bind(StrategyFactory).toConstantValue(nsga2Factory);
});
