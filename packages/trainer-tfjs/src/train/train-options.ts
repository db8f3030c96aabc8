import { type OptionValues, parseOptions } from '@archlab/core';
import { BACKENDS } from '@archlab/nn';

/** Learning rates used when the `lr` option is 0. */
export const DEFAULT_LEARNING_RATES = { sgd: 0.05, adam: 0.001 } as const;

/** Options of the `train` estimator (`--estimator-option NAME=VALUE`). */
export const trainOptionsSpec = {
  epochs: { type: 'int', default: 2, min: 1, max: 1000, description: 'passes over the training images' },
  'batch-size': { type: 'int', default: 128, min: 1, max: 4096, description: 'images per training step' },
  optimizer: {
    type: 'enum',
    values: ['sgd', 'adam'],
    default: 'sgd',
    description: 'SGD with momentum, or Adam (AdamW-style weight decay)',
  },
  lr: {
    type: 'number',
    default: 0,
    min: 0,
    max: 10,
    description: `peak learning rate of the cosine schedule; 0 picks ${DEFAULT_LEARNING_RATES.sgd} for sgd, ${DEFAULT_LEARNING_RATES.adam} for adam`,
  },
  momentum: { type: 'number', default: 0.9, min: 0, max: 0.999, description: 'SGD momentum (0: none)' },
  nesterov: { type: 'boolean', default: true, description: 'Nesterov momentum for SGD' },
  'weight-decay': {
    type: 'number',
    default: 5e-4,
    min: 0,
    max: 0.1,
    description: 'L2 penalty (sgd) or decoupled weight decay (adam)',
  },
  'warmup-epochs': {
    type: 'number',
    default: 0,
    min: 0,
    max: 100,
    description: 'epochs of linear learning-rate warm-up before the cosine decay',
  },
  augment: {
    type: 'boolean',
    default: false,
    description: 'random crop after zero padding (crop-padding) and horizontal flips',
  },
  'crop-padding': {
    type: 'int',
    default: 4,
    min: 0,
    max: 64,
    description: 'pixels of padding on each side before the random crop of augment (0: flips only)',
  },
  dropout: {
    type: 'number',
    default: 0,
    min: 0,
    max: 0.95,
    description: "share of the classifier's inputs dropped at random in each training step (0: none)",
  },
  'label-smoothing': {
    type: 'number',
    default: 0,
    min: 0,
    max: 0.5,
    description: 'share of each training target spread evenly over all classes (0: one-hot targets)',
  },
  dataset: { type: 'string', default: 'fashion-mnist', description: 'data set to train and test on' },
  'data-dir': {
    type: 'string',
    default: '',
    description:
      "directory of the data set's files (empty: its environment variable, then its default location)",
  },
  'val-fraction': {
    type: 'number',
    default: 0.1,
    min: 0.01,
    max: 0.5,
    description: 'share of the training images held out for val_acc (stratified, the same for every trial)',
  },
  'max-train': {
    type: 'int',
    default: 0,
    min: 0,
    description: 'train on at most this many images, a stratified subset (0: all), for quick runs',
  },
  'max-test': {
    type: 'int',
    default: 0,
    min: 0,
    description: 'test on at most this many test images, a stratified subset (0: all)',
  },
  'split-seed': {
    type: 'int',
    default: 0,
    min: 0,
    description: 'seed of the validation split and the subsets (the trial seed drives init and shuffling)',
  },
  backend: {
    type: 'enum',
    values: ['auto', ...BACKENDS],
    default: 'auto',
    description: 'tfjs backend; auto takes the first that loads of tensorflow-gpu, tensorflow, wasm, cpu',
  },
  'save-weights': {
    type: 'boolean',
    default: false,
    description:
      "keep each trial's trained weights (safetensors) as a blob of the run, named in its TrialCompleted (archlab train does)",
  },
  workers: {
    type: 'int',
    default: 0,
    min: 0,
    max: 256,
    description: 'trials trained at once, one worker thread each (0: one per CPU core)',
  },
} as const;

export type TrainEstimatorOptions = OptionValues<typeof trainOptionsSpec>;

/** Validates raw `train` options (unknown names and out-of-range values are InvalidOptionErrors) and fills defaults. */
export function parseTrainOptions(raw: Readonly<Record<string, unknown>> = {}): TrainEstimatorOptions {
  return parseOptions('train', trainOptionsSpec, raw);
}

/** The learning rate the options ask for, the optimiser's default where `lr` is 0. */
export function learningRate(options: Pick<TrainEstimatorOptions, 'lr' | 'optimizer'>): number {
  return options.lr > 0 ? options.lr : DEFAULT_LEARNING_RATES[options.optimizer as 'sgd' | 'adam'];
}
