export * from './bench-nb201-module.js';
export * from './nb201-arch.js';
export * from './nb201-estimator.js';
export * from './nb201-space.js';
export * from './nb201-table.js';
