export { Adam } from './adam.js';
export { ChoiceTree } from './choice-tree.js';
export {
  type Episode,
  type EpisodeLoss,
  LstmPolicy,
  type PolicyConfig,
  type PolicyParam,
} from './lstm-policy.js';
export { type RlOptions, RlStrategy, rlOptions } from './rl-strategy.js';
export { rlStrategyFactory, strategyRlModule } from './strategy-rl-module.js';
