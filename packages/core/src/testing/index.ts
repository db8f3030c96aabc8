export * from './contracts.js';
export * from './harness.js';
export * from './requirement.js';
export * from './synthetic.js';
