export * from './chain-network.js';
export * from './describe-space-network.js';
export * from './fmnist-chain-arch.js';
export * from './fmnist-chain-space.js';
export * from './nb201-network.js';
