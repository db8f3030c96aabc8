import { type OptionsSpec, type OptionValues, parseOptions } from '@archlab/core';
import { BACKENDS } from '@archlab/nn';

/**
 * Options of a run's supernet and of the data it trains on. They are options of the one-shot
 * strategy (`--strategy-option NAME=VALUE`): the strategy is what trains the supernet, and the
 * estimator may be another one (`train` retrains the derived cell, `nb201:*` looks it up).
 * Every one-shot strategy's spec includes them, so the run's recorded `strategyOptions` hold them
 * with their defaults and the `supernet` service reads them from there.
 */
/** A one-shot strategy's `epochs` option: its epochs of supernet training, one per trial. */
export function epochsOption(defaultEpochs: number, description: string) {
  return { type: 'int', default: defaultEpochs, min: 1, max: 10000, description } as const;
}

/**
 * Options of any run's supernet (the data it trains on and the weights' optimizer); a
 * supernet's own shape options come on top (`supernetOptionsSpec` for the NAS-Bench-201 one).
 */
export const supernetDataOptionsSpec = {
  dataset: { type: 'string', default: 'fashion-mnist', description: 'data set the supernet trains on' },
  'data-dir': {
    type: 'string',
    default: '',
    description:
      "directory of the data set's files (empty: its environment variable, then its default location)",
  },
  'train-images': {
    type: 'int',
    // DARTS's epoch on these (and as many validation images in α steps) took about a minute on
    // 2 shared cores (wasm); SPOS's is several times shorter.
    default: 2000,
    min: 1,
    description:
      "training images of the supernet's weights, a stratified subset of the data set's training split",
  },
  'val-images': {
    type: 'int',
    default: 1000,
    min: 1,
    description:
      'validation images (disjoint from train-images, from the training split too): architecture steps and inherited-weight scores',
  },
  'split-seed': {
    type: 'int',
    default: 0,
    min: 0,
    description: 'seed of the train/validation split (the test split is never read)',
  },
  'batch-size': { type: 'int', default: 64, min: 2, max: 4096, description: 'images per weight step' },
  lr: {
    type: 'number',
    default: 0.025,
    min: 0,
    max: 10,
    description: 'peak learning rate of the weights (SGD, cosine over the epochs)',
  },
  momentum: { type: 'number', default: 0.9, min: 0, max: 0.999, description: 'SGD momentum of the weights' },
  'weight-decay': {
    type: 'number',
    default: 3e-4,
    min: 0,
    max: 0.1,
    description: 'L2 penalty of the weights',
  },
  backend: {
    type: 'enum',
    values: ['auto', ...BACKENDS],
    default: 'auto',
    description: 'tfjs backend; a run resumes exactly only on the backend it was recorded on',
  },
} as const;

/** The NAS-Bench-201 supernet's shape, then the data and optimizer options. */
export const supernetOptionsSpec = {
  channels: {
    type: 'int',
    default: 8,
    min: 1,
    max: 256,
    description: "C: channels of the supernet's first stage (NAS-Bench-201: 16)",
  },
  cells: {
    type: 'int',
    default: 1,
    min: 1,
    max: 10,
    description: 'N: cells per stage (NAS-Bench-201: 5)',
  },
  'stem-stride': {
    type: 'int',
    default: 2,
    min: 1,
    max: 4,
    description: 'stride of the stem convolution (NAS-Bench-201: 1; 2 makes 28×28 inputs 4× cheaper)',
  },
  ...supernetDataOptionsSpec,
} as const;

export type SupernetDataOptions = OptionValues<typeof supernetDataOptionsSpec>;
export type SupernetOptions = OptionValues<typeof supernetOptionsSpec>;

/** The supernet's options out of a one-shot strategy's (the other options are the strategy's own). */
export function supernetOptions(strategyOptions: Readonly<Record<string, unknown>>): SupernetOptions {
  return optionsOf('supernet', supernetOptionsSpec, strategyOptions);
}

/** The options of `spec` out of a strategy's, parsed (as `who`'s) with their defaults. */
export function optionsOf<S extends OptionsSpec>(
  who: string,
  spec: S,
  strategyOptions: Readonly<Record<string, unknown>>,
): OptionValues<S> {
  const own = Object.fromEntries(
    Object.keys(spec).flatMap((k) => (k in strategyOptions ? [[k, strategyOptions[k]]] : [])),
  );
  return parseOptions(who, spec, own);
}

/** True when a strategy's options include the supernet's: the strategy trains a supernet. */
export function trainsSupernet(strategyOptions: Readonly<Record<string, unknown>>): boolean {
  return Object.keys(supernetOptionsSpec).every((k) => k in strategyOptions);
}
