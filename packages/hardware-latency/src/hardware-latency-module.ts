import { ContainerModule, HardwareModelFactory } from '@archlab/core';
import { SpaceNetworks } from '@archlab/nn';
import { countersFactory } from './counters.js';
import { deviceFactory } from './device.js';
import { DeviceTables } from './device-tables.js';
import { lutFactory } from './lut.js';
import { latencyFactory } from './measure.js';

const FACTORIES: readonly ((networks: SpaceNetworks) => HardwareModelFactory)[] = [
  countersFactory,
  latencyFactory,
  lutFactory,
];

/**
 * The hardware models of this package: `counters`, `latency` and `lut`, for every space whose
 * package binds a SpaceNetwork, and `device`, for every space whose package binds a
 * DeviceLatencyTableSource. Resolved each time they are asked for, so they see the
 * contributions of plugin packages loaded after this one.
 */
export const hardwareLatencyModule = new ContainerModule((bind) => {
  for (const factory of FACTORIES) {
    bind(HardwareModelFactory).toDynamicValue(({ container }) => factory(SpaceNetworks.in(container)));
  }
  bind(HardwareModelFactory).toDynamicValue(({ container }) => deviceFactory(DeviceTables.in(container)));
});
