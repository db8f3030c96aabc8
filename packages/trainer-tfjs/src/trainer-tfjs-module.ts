import { ContainerModule, EstimatorFactory, SearchSpaceFactory } from '@archlab/core';
import { fmnistChainSpaceFactory } from './spaces/fmnist-chain-space.js';
import { trainEstimatorFactory } from './train/train-estimator.js';

/** The `fmnist-chain` space and the `train` estimator (which also trains `nb201` cell networks). */
export const trainerTfjsModule = new ContainerModule((bind) => {
  bind(SearchSpaceFactory).toConstantValue(fmnistChainSpaceFactory);
  bind(EstimatorFactory).toConstantValue(trainEstimatorFactory);
});
