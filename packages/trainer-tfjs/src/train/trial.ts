import type { Metrics } from '@archlab/core';
import { type BackendChoice, importSpaceNetwork, initBackend, networkWeights } from '@archlab/nn';
import { loadDataset } from '../data/registry.js';
import { resizeDataset } from '../data/resize.js';
import { splitDataset } from '../data/split.js';
import { trainNetwork } from './train-network.js';
import { learningRate, parseTrainOptions } from './train-options.js';

/** Everything a worker needs to train one trial: plain data, so it crosses a thread boundary. */
export interface TrainRequest {
  /** Space name and its options. */
  readonly space: string;
  readonly spaceOptions: Readonly<Record<string, unknown>>;
  /** URL of the space's network module (its SpaceNetwork's `module`), imported in the worker. */
  readonly network: string;
  /** The architecture's key in that space. */
  readonly arch: string;
  /** The `train` estimator's options (epochs, batch size, optimiser, dataset...), defaults filled in. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly seed: number;
}

/** A trained trial: its metrics (see `TrainResult`) and, with the `save-weights` option, its weights as safetensors. */
export interface TrainedTrial {
  readonly metrics: Metrics;
  readonly weights?: Uint8Array;
}

export interface TrialHooks {
  report(step: number, metrics: Metrics): void;
  readonly signal: AbortSignal;
}

/**
 * Trains one architecture and returns its metrics (see `TrainResult`) and, when the options ask
 * (`save-weights`), its trained weights (see `networkWeights`). Initialises the backend
 * and loads the data set on first use in this thread; builds the network with the space network module
 * of `req.network`, seeded from `req.seed`, resizes the images to the network's input when they
 * differ (see `resizeDataset`), and disposes the network however training ends.
 */
export async function runTrainingTrial(req: TrainRequest, hooks: TrialHooks): Promise<TrainedTrial> {
  const o = parseTrainOptions(req.options);
  const network = await importSpaceNetwork(req.network);
  await initBackend(o.backend as BackendChoice);
  const dataset = await loadDataset(o.dataset, { dataDir: o['data-dir'] });
  hooks.signal.throwIfAborted();
  const net = network.build(req.arch, req.spaceOptions, {
    inputShape: dataset.imageShape,
    numClasses: dataset.numClasses,
    seed: req.seed,
  });
  try {
    // A network of another resolution (an mbv3 architecture's) gets the images resized to it.
    const data = splitDataset(resizeDataset(dataset, net.inputShape), {
      valFraction: o['val-fraction'],
      maxTrain: o['max-train'],
      maxTest: o['max-test'],
      seed: o['split-seed'],
    });
    const metrics = await trainNetwork(
      net,
      data,
      {
        epochs: o.epochs,
        batchSize: o['batch-size'],
        optimizer: o.optimizer as 'sgd' | 'adam',
        lr: learningRate(o),
        momentum: o.momentum,
        nesterov: o.nesterov,
        weightDecay: o['weight-decay'],
        warmupEpochs: o['warmup-epochs'],
        augment: o.augment,
        cropPadding: o['crop-padding'],
        dropout: o.dropout,
        labelSmoothing: o['label-smoothing'],
        seed: req.seed,
      },
      hooks,
    );
    if (!o['save-weights']) return { metrics };
    return { metrics, weights: networkWeights(net, { space: req.space, arch: req.arch }) };
  } finally {
    net.dispose();
  }
}
