import { ContainerModule, EstimatorFactory } from '@archlab/core';
import { zeroCostFactories } from './zero-cost-estimator.js';

/** The estimators of this package: `zc` (several proxies and their rank) and `zc:synflow`, `zc:snip`, ... one per proxy. */
export const zeroCostModule = new ContainerModule((bind) => {
  for (const factory of zeroCostFactories) bind(EstimatorFactory).toConstantValue(factory);
});
