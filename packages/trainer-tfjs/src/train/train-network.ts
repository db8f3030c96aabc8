import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Rng } from '@archlab/core';
import type { Network } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { type Augmentation, makeBatch } from '../data/batch.js';
import type { Dataset } from '../data/dataset.js';
import type { Samples, TrainingData } from '../data/split.js';
import { classifierDropout } from './dropout.js';
import { cosineLearningRate } from './lr-schedule.js';
import { createOptimizer, type OptimizerOptions } from './optimizer.js';
import { TrainingDivergedError } from './training-diverged-error.js';

export interface TrainOptions extends OptimizerOptions {
  readonly epochs: number;
  readonly batchSize: number;
  /** Peak learning rate of the cosine schedule. */
  readonly lr: number;
  /** Epochs of linear warm-up before the cosine decay (may be fractional; default 0). */
  readonly warmupEpochs?: number;
  /** Random crop after padding, and horizontal flips (default false). */
  readonly augment?: boolean;
  /** Padding of the random crop, in pixels (default 4). */
  readonly cropPadding?: number;
  /** Dropout rate on the classifier's input while training, in [0, 1) (default 0: none). */
  readonly dropout?: number;
  /**
   * Label smoothing in [0, 1) (default 0): the training targets are `1 - ε` on the true class
   * plus `ε / classes` on every class. The reported loss is against these targets.
   */
  readonly labelSmoothing?: number;
  /** Batch size for validation and test (default: the larger of `batchSize` and 256). */
  readonly evalBatchSize?: number;
  /** Seeds the shuffling, augmentation and dropout masks (the network's weights are seeded where it is built). */
  readonly seed: number;
}

/** What each epoch reports. Accuracies are percentages, as in the NAS-Bench-201 tables. */
export type EpochMetrics = {
  /** Mean training cross-entropy over the epoch's batches. */
  readonly loss: number;
  /** Accuracy (%) on the training batches as they were trained on (training mode, augmented). */
  readonly train_acc: number;
  /** Accuracy (%) on the held-out validation images after the epoch, in inference mode. */
  readonly val_acc: number;
  /** Training images per second in this epoch (validation not counted). */
  readonly img_s: number;
  /** Training images processed so far, this epoch included: the compute a trial has spent, as a one-shot run's `Progressed` counts it. */
  readonly images: number;
};

export type TrainResult = {
  /** Of the last epoch run. */
  readonly val_acc: number;
  /** Accuracy (%) on the test images after training, in inference mode. */
  readonly test_acc: number;
  readonly train_acc: number;
  readonly loss: number;
  readonly params: number;
  /** Multiply-adds per image. */
  readonly flops: number;
  /** Wall time of the epochs (training and per-epoch validation; the final test not counted). */
  readonly train_ms: number;
  readonly epochs_run: number;
};

export interface TrainHooks {
  /** Called after every epoch, `epoch` counting from 1. */
  report?(epoch: number, metrics: EpochMetrics): void;
  /** Checked before every batch: once aborted, training stops and rejects with the abort reason. */
  readonly signal?: AbortSignal;
  /** Asked after every epoch's report: true ends training early (a scheduler pruning the trial). */
  shouldStop?(epoch: number, metrics: EpochMetrics): boolean;
}

/**
 * Trains `net` in place with softmax cross-entropy on `data.train`, then tests it. The learning
 * rate follows a per-step cosine schedule with optional warm-up; the training images are
 * reshuffled every epoch from `options.seed`. Every tensor it makes is disposed before it
 * returns or throws (`net` itself stays the caller's). A NaN or infinite loss is a
 * TrainingDivergedError; it yields to the event loop between batches so aborts and reports get
 * through.
 */
export async function trainNetwork(
  net: Network,
  data: TrainingData,
  options: TrainOptions,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  const started = performance.now();
  const { dataset, train } = data;
  const { epochs, batchSize } = options;
  const { signal } = hooks;
  const evalBatchSize = options.evalBatchSize ?? Math.max(batchSize, 256);
  const variables = [...net.variables];
  const stepsPerEpoch = Math.ceil(train.indices.length / batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  const warmupSteps = Math.round((options.warmupEpochs ?? 0) * stepsPerEpoch);
  const rng = Rng.fromSeed(options.seed);
  const shuffleRng = rng.fork('shuffle');
  const augmentation: Augmentation | undefined = options.augment
    ? { padding: options.cropPadding ?? 4, flip: true, rng: rng.fork('augment') }
    : undefined;
  const labelSmoothing = options.labelSmoothing ?? 0;
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
    throw new RangeError(`label smoothing must be in [0, 1), got ${labelSmoothing}`);
  }
  const dropout = options.dropout ? classifierDropout(net, options.dropout, rng.fork('dropout')) : undefined;
  const optimizer = createOptimizer(variables, options);
  try {
    let last: EpochMetrics | undefined;
    let epoch = 0;
    let step = 0;
    let images = 0;
    while (epoch < epochs) {
      epoch++;
      const epochStarted = performance.now();
      const order = shuffleRng.shuffle(Array.from(train.indices));
      let lossSum = 0;
      let correct = 0;
      for (let start = 0; start < order.length; start += batchSize) {
        await yieldToEventLoop();
        signal?.throwIfAborted();
        const batch = makeBatch(dataset, train.split, order.slice(start, start + batchSize), augmentation);
        const x = toImages(dataset, batch.images, batch.size);
        const y = tf.tensor1d(batch.labels, 'int32');
        let batchCorrect: tf.Scalar | undefined;
        let result: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
        try {
          result = tf.variableGrads(() => {
            const logits = net.apply(x, { training: true, hook: dropout });
            batchCorrect = tf.keep(countCorrect(logits, y));
            return crossEntropy(logits, y, dataset.numClasses, labelSmoothing);
          }, variables);
          const [loss, hits] = await Promise.all([result.value.data(), batchCorrect!.data()]);
          if (!Number.isFinite(loss[0])) throw new TrainingDivergedError(epoch, step, loss[0]!);
          optimizer.step(
            variables.map((v) => result!.grads[v.name] ?? undefined),
            cosineLearningRate(options.lr, step, totalSteps, warmupSteps),
          );
          lossSum += loss[0]! * batch.size;
          correct += hits[0]!;
        } finally {
          tf.dispose([x, y, batchCorrect, result?.value, result?.grads]);
        }
        step++;
      }
      const trainSeconds = (performance.now() - epochStarted) / 1000;
      images += order.length;
      last = {
        loss: lossSum / order.length,
        train_acc: (100 * correct) / order.length,
        val_acc: await accuracy(net, dataset, data.val, evalBatchSize, signal),
        img_s: order.length / trainSeconds,
        images,
      };
      hooks.report?.(epoch, last);
      if (hooks.shouldStop?.(epoch, last)) break;
    }
    const trainMs = performance.now() - started;
    return {
      val_acc: last?.val_acc ?? Number.NaN,
      test_acc: await accuracy(net, dataset, data.test, evalBatchSize, signal),
      train_acc: last?.train_acc ?? Number.NaN,
      loss: last?.loss ?? Number.NaN,
      params: net.paramCount(),
      flops: net.flops(),
      train_ms: trainMs,
      epochs_run: epoch,
    };
  } finally {
    optimizer.dispose();
  }
}

/** Accuracy (%) of `net` on `samples`, in inference mode, `batchSize` images at a time. */
export async function accuracy(
  net: Network,
  dataset: Dataset,
  samples: Samples,
  batchSize: number,
  signal?: AbortSignal,
): Promise<number> {
  const n = samples.indices.length;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    await yieldToEventLoop();
    signal?.throwIfAborted();
    const batch = makeBatch(dataset, samples.split, samples.indices.subarray(start, start + batchSize));
    const hits = tf.tidy(() =>
      countCorrect(
        net.apply(toImages(dataset, batch.images, batch.size), { training: false }),
        tf.tensor1d(batch.labels, 'int32'),
      ),
    );
    correct += (await hits.data())[0]!;
    hits.dispose();
  }
  return (100 * correct) / n;
}

function toImages(dataset: Dataset, images: Float32Array, size: number): tf.Tensor4D {
  const [h, w, c] = dataset.imageShape;
  return tf.tensor4d(images, [size, h, w, c]);
}

/**
 * Mean softmax cross-entropy of `logits` [batch, classes] against class indices, the one-hot
 * targets smoothed by `smoothing` (as PyTorch's `label_smoothing`).
 */
export function crossEntropy(
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  numClasses: number,
  smoothing = 0,
): tf.Scalar {
  // oneHot's own on/off values and dtype are not used: tfjs-backend-wasm (4.22) fills a float32
  // one-hot with int32 bits, so its 1 reads as 1.4e-45 and 0.9 as 0.
  let targets: tf.Tensor = tf.cast(tf.oneHot(labels, numClasses), 'float32');
  if (smoothing > 0) targets = tf.add(tf.mul(targets, 1 - smoothing), smoothing / numClasses);
  return tf.neg(tf.mean<tf.Scalar>(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1)));
}

function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.sum<tf.Scalar>(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
}
