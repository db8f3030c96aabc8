import { Rng } from '@archlab/core';
import type { Dataset, Split } from './dataset.js';

/** Some images of a split, by index. */
export interface Samples {
  readonly split: Split;
  /** Indices into `split`, ascending. */
  readonly indices: Uint32Array;
}

/** What a training run reads: the data set, the images it trains on, validates on and tests on. */
export interface TrainingData {
  readonly dataset: Dataset;
  /** Part of the data set's training split. */
  readonly train: Samples;
  /** The rest of the training split held out for model selection, disjoint from `train`. */
  readonly val: Samples;
  /** The data set's test split (or a stratified part of it). */
  readonly test: Samples;
}

export interface SplitOptions {
  /** Share of the used training images held out for validation, in (0, 1). */
  readonly valFraction: number;
  /** Train on at most this many images (0: all); validation then holds `valFraction` of the images used. */
  readonly maxTrain?: number;
  /** Test on at most this many test images (0: all). */
  readonly maxTest?: number;
  readonly seed: number;
}

/**
 * Splits the training images into train and validation, stratified by class: same seed, same
 * split. Both parts, and the subsets `maxTrain`/`maxTest` pick, keep the class proportions of the
 * whole split (to within one image per class).
 */
export function splitDataset(dataset: Dataset, options: SplitOptions): TrainingData {
  const { valFraction: f, maxTrain = 0, maxTest = 0 } = options;
  if (!(f > 0 && f < 1)) throw new RangeError(`valFraction must be in (0, 1), got ${f}`);
  const rng = Rng.fromSeed(options.seed);
  const order = stratifiedOrder(dataset.train.labels, dataset.numClasses, rng.fork('validation'));
  const n = order.length;
  const used = maxTrain > 0 ? Math.min(n, Math.round(maxTrain / (1 - f))) : n;
  const nVal = Math.min(used - 1, Math.max(1, Math.round(used * f)));
  const test = dataset.test;
  const testIndices =
    maxTest > 0 && maxTest < test.count
      ? stratifiedOrder(test.labels, dataset.numClasses, rng.fork('test')).subarray(0, maxTest)
      : Uint32Array.from({ length: test.count }, (_, i) => i);
  return {
    dataset,
    train: { split: dataset.train, indices: order.slice(nVal, used).sort() },
    val: { split: dataset.train, indices: order.slice(0, nVal).sort() },
    test: { split: test, indices: testIndices.sort() },
  };
}

/**
 * All indices, ordered so that every prefix holds each class in proportion to its size: each
 * class is shuffled and its r-th of m images gets the position (r + 0.5) / m; then all are sorted
 * by position.
 */
function stratifiedOrder(labels: Uint8Array, numClasses: number, rng: Rng): Uint32Array {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((label, i) => byClass[label]!.push(i));
  const position = new Float64Array(labels.length);
  for (const members of byClass) {
    rng.shuffle(members).forEach((i, r) => {
      position[i] = (r + 0.5) / members.length;
    });
  }
  const order = Uint32Array.from({ length: labels.length }, (_, i) => i);
  // Ties (classes of equal size) go by label then index: deterministic.
  return order.sort((a, b) => position[a]! - position[b]! || labels[a]! - labels[b]! || a - b);
}
