import { Rng } from '@archlab/core';
import type { Network } from '@archlab/nn';
import { accuracy, makeBatch, type Samples, type TrainingData } from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import type { Nb201Path } from './nb201-supernet.js';

export interface InheritedAccuracyOptions {
  /** Training images BN statistics are recalibrated on (a seeded draw, the same for every path); default 640. */
  readonly recalibrationImages?: number;
  /** Default 64. */
  readonly batchSize?: number;
  /** Picks the recalibration images. */
  readonly seed: number;
  /** Sees the scored network (the subnet with its inherited, recalibrated weights) before it is disposed. */
  readonly scored?: (net: Network) => void;
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
      const batch = makeBatch(dataset, train.split, chosen.slice(start, start + batchSize));
      batches.push(tf.tensor4d(batch.images, [batch.size, ...dataset.imageShape]));
    }
    trainer.supernet.recalibrateBn(path, batches);
  } finally {
    tf.dispose(batches);
  }
  const net = trainer.supernet.extract(path);
  try {
    const acc = await accuracy(net, dataset, samples, Math.max(batchSize, 256));
    options.scored?.(net);
    return acc;
  } finally {
    net.dispose();
  }
}
