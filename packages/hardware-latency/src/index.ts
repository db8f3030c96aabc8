export * from './counters.js';
export { hardwareLatencyCommandsModule } from './hardware-latency-commands.js';
export * from './hardware-latency-module.js';
export * from './lut.js';
export * from './measure.js';
export * from './profile-device-command.js';
export * from './space-network.js';
export * from './stats.js';
