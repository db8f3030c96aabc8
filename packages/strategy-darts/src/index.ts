export {
  betaDartsStrategyFactory,
  betaDecay,
  DartsStrategy,
  dartsStrategyFactory,
  gdasStrategyFactory,
  gumbelHardWeights,
  softmaxRows,
} from './darts-strategy.js';
export { strategyDartsModule } from './strategy-darts-module.js';
