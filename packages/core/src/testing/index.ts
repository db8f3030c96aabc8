export * from './contracts.js';
export * from './harness.js';
export * from './synthetic.js';
