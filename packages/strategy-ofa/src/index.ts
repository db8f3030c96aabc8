export { OFA_METRICS, ofaEstimatorFactory } from './ofa-estimator.js';
export { OFA_PHASES, type OfaOptions, type OfaPhase, ofaOptionsSpec, trainsOfa } from './ofa-options.js';
export {
  elasticShape,
  OFA_ESTIMATOR,
  OfaRun,
  OfaService,
  ofaRunService,
  type SubnetScoreOptions,
} from './ofa-service.js';
export { distillation, OfaStrategy, ofaStrategyFactory, parseBudgets } from './ofa-strategy.js';
export { type OfaApplyOptions, type OfaSubnet, OfaSupernet, type OfaSupernetConfig } from './ofa-supernet.js';
export { strategyOfaModule } from './strategy-ofa-module.js';
export { oneHot, SubnetPredictor } from './subnet-predictor.js';
