export * from './arch-features.js';
export * from './bananas-strategy.js';
export * from './ensemble-mlp.js';
export * from './guided-search.js';
export * from './guided-search-options.js';
export * from './pnas-strategy.js';
export * from './strategy-pnas-module.js';
export * from './surrogate.js';
