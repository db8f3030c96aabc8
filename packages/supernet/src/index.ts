export {
  type InheritedAccuracyOptions,
  type InheritingSupernet,
  inheritedAccuracy,
} from './inherited-accuracy.js';
export {
  NB201_MACRO,
  type Nb201Path,
  Nb201Supernet,
  type Nb201SupernetOptions,
  type SupernetApplyOptions,
  type WeightedApplyOptions,
} from './nb201-supernet.js';
export {
  SupernetTrainer,
  type SupernetTrainerOptions,
  supernetWeights,
  type TrainableSupernet,
} from './supernet-trainer.js';
