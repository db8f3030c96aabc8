export {
  type ArchitectureCounts,
  COUNTER_METRICS,
  type CounterMetric,
  countArchitecture,
  countersFactory,
  countersModel,
  peakActivationBytes,
} from './counters.js';
export { DeviceTableMissError, deviceFactory, deviceModel } from './device.js';
export { DeviceTables } from './device-tables.js';
export { hardwareLatencyCommandsModule } from './hardware-latency-commands.js';
export { hardwareLatencyModule } from './hardware-latency-module.js';
export {
  defaultTimer,
  dispatchMs,
  distinctOps,
  type LatencyLut,
  LUT_FORMAT,
  LUT_OPTIONS,
  LUT_VERSION,
  layerFromInfo,
  lutFactory,
  lutModel,
  minimalNetwork,
  opKey,
  type ProfileOptions,
  type ProfileTarget,
  type ProfileTimer,
  parseLut,
  predictLatency,
  predictLayers,
  profileDevice,
  readLut,
  type TimingOptions,
  timeOp,
  warmUp,
  writeLut,
} from './lut.js';
export {
  LATENCY_BACKENDS,
  LATENCY_OPTIONS,
  type LatencyMeasurement,
  type LatencyModelOptions,
  latencyFactory,
  latencyModel,
  type MeasureOptions,
  machineDevice,
  measureLatency,
  readBack,
  timeRuns,
  useBackend,
} from './measure.js';
export {
  PROFILE_DEVICE_OPTIONS,
  type ProfileDeviceContext,
  type ProfileDeviceFlags,
  profileDeviceCommand,
} from './profile-device-command.js';
export {
  buildSpaceNetwork,
  NETWORK_SHAPE_OPTIONS,
  type NetworkShapeOptions,
  networkShapeOptions,
  spaceDescription,
  spaceLayers,
  withSpaceNetwork,
} from './space-network.js';
export { type TimingStats, timingStats } from './stats.js';
