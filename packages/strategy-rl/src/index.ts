export * from './adam.js';
export * from './choice-tree.js';
export * from './lstm-policy.js';
export * from './rl-strategy.js';
export * from './strategy-rl-module.js';
