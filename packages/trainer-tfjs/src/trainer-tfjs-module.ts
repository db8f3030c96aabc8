import { ContainerModule, EstimatorFactory } from '@archlab/core';
import { SpaceNetworks } from '@archlab/nn';
import { trainEstimatorFactory } from './train/train-estimator.js';

/**
 * The `train` estimator, for every space whose package binds a SpaceNetwork. Resolved each time
 * it is asked for, so it sees the networks of plugin packages loaded after this one.
 */
export const trainerTfjsModule = new ContainerModule((bind) => {
  bind(EstimatorFactory).toDynamicValue(({ container }) =>
    trainEstimatorFactory(SpaceNetworks.in(container)),
  );
});
