import { ContainerModule, EstimatorFactory, RunService, StrategyFactory } from '@archlab/core';
import { oneshotEstimatorFactory } from './oneshot-estimator.js';
import { sposStrategyFactory } from './spos-strategy.js';
import { supernetRunService } from './supernet-service.js';

/** The run's `supernet` service, the `oneshot` estimator and the `spos` strategy. */
export const oneshotModule = new ContainerModule((bind) => {
  bind(RunService).toConstantValue(supernetRunService);
  bind(EstimatorFactory).toConstantValue(oneshotEstimatorFactory);
  bind(StrategyFactory).toConstantValue(sposStrategyFactory);
});
