import { ContainerModule, HardwareModelFactory } from '@archlab/core';
import { countersFactory } from './counters.js';
import { lutFactory } from './lut.js';
import { latencyFactory } from './measure.js';

/** The hardware models of this package: `counters`, `latency` and `lut`. */
export const hardwareLatencyModule = new ContainerModule((bind) => {
  bind(HardwareModelFactory).toConstantValue(countersFactory);
  bind(HardwareModelFactory).toConstantValue(latencyFactory);
  bind(HardwareModelFactory).toConstantValue(lutFactory);
});
