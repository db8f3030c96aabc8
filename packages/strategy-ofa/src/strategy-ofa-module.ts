import { ContainerModule, EstimatorFactory, RunService, StrategyFactory } from '@archlab/core';
import { ofaEstimatorFactory } from './ofa-estimator.js';
import { ofaRunService } from './ofa-service.js';
import { ofaStrategyFactory } from './ofa-strategy.js';

/** The run's `ofa-supernet` service, the `ofa-subnet` estimator and the `ofa` strategy. */
export const strategyOfaModule = new ContainerModule((bind) => {
  bind(RunService).toConstantValue(ofaRunService);
  bind(EstimatorFactory).toConstantValue(ofaEstimatorFactory);
  bind(StrategyFactory).toConstantValue(ofaStrategyFactory);
});
