export { ArchFeatures, FEATURE_KINDS, type FeatureKind } from './arch-features.js';
export { type BananasOptions, BananasStrategy, bananasStrategyFactory } from './bananas-strategy.js';
export {
  EnsembleMlp,
  type EnsembleMlpConfig,
  type EnsembleMlpState,
  EnsemblePredictions,
} from './ensemble-mlp.js';
export {
  type Acquisition,
  type Evaluated,
  GuidedSearch,
  type GuidedSearchOptions,
  type GuidedSearchState,
} from './guided-search.js';
export { guidedSearchOptions } from './guided-search-options.js';
export { type PnasOptions, PnasStrategy, pnasStrategyFactory } from './pnas-strategy.js';
export { strategyPnasModule } from './strategy-pnas-module.js';
export {
  normalQuantile,
  rankTargets,
  Surrogate,
  type SurrogateSettings,
  type SurrogateState,
} from './surrogate.js';
