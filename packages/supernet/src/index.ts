export {
  NB201_MACRO,
  type Nb201Path,
  Nb201Supernet,
  type Nb201SupernetOptions,
  type SupernetApplyOptions,
  type WeightedApplyOptions,
} from './nb201-supernet.js';
export {
  type InheritedAccuracyOptions,
  type InheritingSupernet,
  inheritedAccuracy,
  type SposEpoch,
  type SposHooks,
  type SposTrainOptions,
  trainSpos,
} from './spos.js';
export {
  SupernetTrainer,
  type SupernetTrainerOptions,
  supernetWeights,
  type TrainableSupernet,
} from './supernet-trainer.js';
