import { ContainerModule, EstimatorFactory } from '@archlab/core';
import { SpaceNetworks } from '@archlab/nn';
import { zeroCostFactories } from './zero-cost-estimator.js';

/**
 * The estimators of this package: `zc` (several proxies and their rank) and `zc:synflow`,
 * `zc:snip`, ... one per proxy, for every space whose package binds a SpaceNetwork. Resolved each
 * time they are asked for, so they see the networks of plugin packages loaded after this one.
 */
export const zeroCostModule = new ContainerModule((bind) => {
  for (const factory of zeroCostFactories) {
    bind(EstimatorFactory).toDynamicValue(({ container }) => factory(SpaceNetworks.in(container)));
  }
});
