import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Rng } from '@archlab/core';
import type { Network } from '@archlab/nn';
import {
  accuracy,
  cosineLearningRate,
  crossEntropy,
  type Dataset,
  makeBatch,
  type Samples,
  type TrainingData,
} from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import type { Nb201Path } from './nb201-supernet.js';
import type { SupernetTrainer } from './supernet-trainer.js';

export interface SposTrainOptions {
  /** Epochs over `data.train`, each in a fresh seeded order (the trainer's). */
  readonly epochs: number;
  readonly batchSize: number;
  /** Peak of the per-step cosine schedule. */
  readonly lr: number;
}

export interface SposEpoch {
  /** Mean training cross-entropy over the epoch's steps run in this call. */
  readonly loss: number;
  /** Accuracy (%) of the sampled paths on the batches they trained on (training mode). */
  readonly train_acc: number;
  /** Training images per second. */
  readonly img_s: number;
}

export interface SposHooks {
  /** After every epoch completed, `epoch` counting from 1. */
  report?(epoch: number, metrics: SposEpoch): void;
  /** Checked before every step: once aborted, training stops (the trainer's state stays consistent: snapshot it). */
  readonly signal?: AbortSignal;
}

/**
 * SPOS's supernet training (Guo et al. 2020): every step, one path drawn uniformly (from the
 * trainer's rng) is trained on the next batch of the trainer's data order. Picks up wherever the
 * trainer is (a restored one resumes mid-epoch) and stops after `epochs` epochs of steps. A NaN
 * loss is a TrainingDivergedError.
 */
export async function trainSpos(
  trainer: SupernetTrainer,
  data: TrainingData,
  options: SposTrainOptions,
  hooks: SposHooks = {},
): Promise<void> {
  const { epochs, batchSize, lr } = options;
  for (const [name, v] of Object.entries({ epochs, batchSize })) {
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`SPOS: ${name} must be a whole number ≥ 1, got ${v}`);
  }
  if (!(lr > 0)) throw new RangeError(`SPOS: lr must be positive, got ${lr}`);
  const { dataset, train } = data;
  const n = train.indices.length;
  const stepsPerEpoch = Math.ceil(n / batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  let sums = { loss: 0, correct: 0, images: 0, started: performance.now() };
  while (trainer.optimizer.steps < totalSteps) {
    await yieldToEventLoop();
    hooks.signal?.throwIfAborted();
    const { x, y } = toTensors(dataset, train, trainer.nextBatch(n, batchSize));
    try {
      const path = trainer.samplePath();
      let hits = 0;
      const loss = trainer.step(
        () => {
          const logits = trainer.supernet.applyPath(x, path, { training: true });
          hits = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')).dataSync()[0]!);
          return crossEntropy(logits, y, dataset.numClasses);
        },
        cosineLearningRate(lr, trainer.optimizer.steps, totalSteps),
      );
      sums.loss += loss * x.shape[0];
      sums.correct += hits;
      sums.images += x.shape[0];
    } finally {
      tf.dispose([x, y]);
    }
    if (trainer.optimizer.steps % stepsPerEpoch === 0) {
      const seconds = (performance.now() - sums.started) / 1000;
      hooks.report?.(trainer.optimizer.steps / stepsPerEpoch, {
        loss: sums.loss / sums.images,
        train_acc: (100 * sums.correct) / sums.images,
        img_s: sums.images / seconds,
      });
      sums = { loss: 0, correct: 0, images: 0, started: performance.now() };
    }
  }
}

export interface InheritedAccuracyOptions {
  /** Training images BN statistics are recalibrated on (a seeded draw, the same for every path); default 640. */
  readonly recalibrationImages?: number;
  /** Default 64. */
  readonly batchSize?: number;
  /** Picks the recalibration images. */
  readonly seed: number;
}

/** A supernet whose paths (subnets) can be recalibrated and extracted as stand-alone networks. */
export interface InheritingSupernet<P> {
  recalibrateBn(path: P, batches: readonly tf.Tensor4D[]): void;
  extract(path: P): Network;
}

/**
 * SPOS's score of one cell (or OFA's of one subnet, `data` resized to its resolution): its BN
 * statistics recalibrated on a fixed seeded set of training images, then the accuracy (%) on
 * `samples` (default `data.val`) of its network with the supernet's weights, in inference mode.
 */
export async function inheritedAccuracy<P = Nb201Path>(
  trainer: { readonly supernet: InheritingSupernet<P> },
  path: P,
  data: TrainingData,
  options: InheritedAccuracyOptions,
  samples: Samples = data.val,
): Promise<number> {
  const { recalibrationImages = 640, batchSize = 64, seed } = options;
  const { dataset, train } = data;
  const pool = Rng.fromSeed(`${seed}/recalibration`).shuffle(Array.from(train.indices));
  const chosen = pool.slice(0, Math.min(recalibrationImages, pool.length));
  const batches: tf.Tensor4D[] = [];
  try {
    for (let start = 0; start < chosen.length; start += batchSize) {
      const { x, y } = toTensors(dataset, train, chosen.slice(start, start + batchSize), false);
      y.dispose();
      batches.push(x);
    }
    trainer.supernet.recalibrateBn(path, batches);
  } finally {
    tf.dispose(batches);
  }
  const net = trainer.supernet.extract(path);
  try {
    return await accuracy(net, dataset, samples, Math.max(batchSize, 256));
  } finally {
    net.dispose();
  }
}

/** A batch of `samples`: `positions` index its `indices`, or (`viaIndices` false) are indices into its split. */
function toTensors(
  dataset: Dataset,
  samples: Samples,
  positions: ArrayLike<number>,
  viaIndices = true,
): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const indices = viaIndices ? Array.from(positions, (p) => samples.indices[p]!) : positions;
  const batch = makeBatch(dataset, samples.split, indices);
  const [h, w, c] = dataset.imageShape;
  return {
    x: tf.tensor4d(batch.images, [batch.size, h, w, c]),
    y: tf.tensor1d(batch.labels, 'int32'),
  };
}
