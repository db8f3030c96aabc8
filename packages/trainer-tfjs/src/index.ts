export { type Augmentation, type Batch, makeBatch } from './data/batch.js';
export {
  CIFAR10_DEFAULT_DIR,
  CIFAR10_ENV,
  CIFAR10_RECORD_BYTES,
  CIFAR10_URL,
  cifar10,
  cifar10Dir,
  decodeCifar10,
  encodeCifar10,
} from './data/cifar10.js';
export {
  type Dataset,
  type DatasetLoadOptions,
  type DatasetSource,
  imageSize,
  type Split,
} from './data/dataset.js';
export {
  FASHION_MNIST_DEFAULT_DIR,
  FASHION_MNIST_ENV,
  fashionMnist,
  fashionMnistDir,
  fashionMnistRequirement,
} from './data/fashion-mnist.js';
export { encodeIdx, type IdxArray, parseIdx, readIdx } from './data/idx.js';
export { datasetNames, loadDataset, registerDataset } from './data/registry.js';
export { resizeBilinear, resizeDataset, resizeTrainingData } from './data/resize.js';
export { type Samples, type SplitOptions, splitDataset, type TrainingData } from './data/split.js';
export { classifierDropout } from './train/dropout.js';
export { cosineLearningRate } from './train/lr-schedule.js';
export {
  createOptimizer,
  type Optimizer,
  type OptimizerName,
  type OptimizerOptions,
} from './train/optimizer.js';
export { type TrainFlags, TrainingFailedError, trainCommand } from './train/train-command.js';
export { TRAIN_METRICS, trainEstimatorFactory } from './train/train-estimator.js';
export {
  accuracy,
  crossEntropy,
  type EpochMetrics,
  type TrainHooks,
  type TrainOptions,
  type TrainResult,
  trainNetwork,
} from './train/train-network.js';
export {
  DEFAULT_LEARNING_RATES,
  learningRate,
  parseTrainOptions,
  type TrainEstimatorOptions,
  trainOptionsSpec,
} from './train/train-options.js';
export { TrainingDivergedError } from './train/training-diverged-error.js';
export { runTrainingTrial, type TrainedTrial, type TrainRequest, type TrialHooks } from './train/trial.js';
export { trainerTfjsCommandsModule } from './trainer-tfjs-commands.js';
export { trainerTfjsModule } from './trainer-tfjs-module.js';
