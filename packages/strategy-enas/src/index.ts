export { EnasStrategy, enasStrategyFactory } from './enas-strategy.js';
export { strategyEnasModule } from './strategy-enas-module.js';
