export { reportEpoch } from './epoch-report.js';
export { type CellPath, type Nb201Cells, nb201Cells } from './nb201-cells.js';
export {
  EVAL_IMAGES_OPTION,
  ONESHOT_METRICS,
  oneshotEstimatorFactory,
  weightSharingEstimator,
} from './oneshot-estimator.js';
export { oneshotModule } from './oneshot-module.js';
export { SposStrategy, sposStrategyFactory } from './spos-strategy.js';
export {
  epochsOption,
  optionsOf,
  type SupernetDataOptions,
  type SupernetOptions,
  supernetDataOptionsSpec,
  supernetOptions,
  supernetOptionsSpec,
  trainsSupernet,
} from './supernet-options.js';
export {
  type EpochPlan,
  type EpochStats,
  SupernetDivergedError,
  SupernetRun,
  SupernetService,
  SupernetTrainingError,
  supernetRunService,
  type TensorBatch,
  WeightSharingService,
} from './supernet-service.js';
