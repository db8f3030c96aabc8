import 'reflect-metadata';

// A plugin builds its ContainerModule with the same inversify the core loads it into.
export { Container, ContainerModule } from 'inversify';

export * from './core-module.js';
export * from './di/plugin-loader.js';
export * from './di/plugin-registry.js';
export * from './engine/hardware-cost.js';
export * from './engine/plugin-instances.js';
export * from './engine/reaction.js';
export * from './engine/replay.js';
export * from './engine/run-config.js';
export * from './engine/run-writer.js';
export * from './engine/screen.js';
export * from './engine/search.js';
export * from './errors.js';
export * from './estimator/estimator.js';
export * from './events/event.js';
export * from './events/hash-chain.js';
export * from './events/log-check.js';
export * from './events/upcast.js';
export * from './hardware/hardware-model.js';
export * from './options/options.js';
export * from './projections/best-so-far.js';
export * from './projections/objectives.js';
export * from './projections/pareto.js';
export * from './projections/run-state.js';
export * from './rng/rng.js';
export * from './space/search-space.js';
export { MissingSpaceNetworkError, SpaceNetwork } from './space/space-network.js';
export * from './stats/rank-stats.js';
export * from './store/event-store.js';
export * from './store/in-memory-event-store.js';
export * from './strategy/fixed-strategy.js';
export * from './strategy/random-strategy.js';
export * from './strategy/strategy.js';
