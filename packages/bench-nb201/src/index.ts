export * from './bench-nb201-module.js';
export * from './nb201-arch.js';
export * from './nb201-estimator.js';
export * from './nb201-space.js';
export { nb201SpaceNetwork } from './nb201-space-network.js';
export * from './nb201-table.js';
