import {
  ContainerModule,
  DeviceLatencyTableSource,
  EstimatorFactory,
  SearchSpaceFactory,
  SpaceNetwork,
} from '@archlab/core';
import { nb201DeviceTableSource } from './nb201-device-table.js';
import { nb201Cifar10Factory, nb201Cifar100Factory, nb201ImageNet16Factory } from './nb201-estimator.js';
import { nb201SpaceFactory } from './nb201-space.js';
import { nb201SpaceNetwork } from './nb201-space-network.js';

/**
 * The `nb201` space, its network (loaded on first use) and its three table estimators
 * (`nb201:cifar10`, `nb201:cifar100`, `nb201:imagenet16-120`), and its measured latencies on
 * 21 devices (read on first use) for the `device` and `learned` hardware models.
 */
export const benchNb201Module = new ContainerModule((bind) => {
  bind(SearchSpaceFactory).toConstantValue(nb201SpaceFactory);
  bind(SpaceNetwork).toConstantValue(nb201SpaceNetwork);
  bind(EstimatorFactory).toConstantValue(nb201Cifar10Factory);
  bind(EstimatorFactory).toConstantValue(nb201Cifar100Factory);
  bind(EstimatorFactory).toConstantValue(nb201ImageNet16Factory);
  bind(DeviceLatencyTableSource).toConstantValue(nb201DeviceTableSource);
});
