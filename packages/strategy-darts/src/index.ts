export {
  betaDartsStrategyFactory,
  DartsStrategy,
  dartsStrategyFactory,
  gdasStrategyFactory,
  softmaxRows,
} from './darts-strategy.js';
export { strategyDartsModule } from './strategy-darts-module.js';
