export { type InheritedAccuracyOptions, inheritedAccuracy } from './inherited-accuracy.js';
export {
  NB201_MACRO,
  type Nb201Path,
  Nb201Supernet,
  type Nb201SupernetOptions,
  type SupernetApplyOptions,
  type WeightedApplyOptions,
} from './nb201-supernet.js';
export { SupernetTrainer, type SupernetTrainerOptions } from './supernet-trainer.js';
