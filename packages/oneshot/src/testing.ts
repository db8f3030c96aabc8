import { Rng } from '@archlab/core';
import { type Dataset, registerDataset } from '@archlab/trainer-tfjs';

/**
 * Registers `tiny-test`: 8×8 grey images of 10 classes (seeded noise, each class a brighter
 * pixel block of its own), 200 training and 20 test images, so one-shot tests train a supernet
 * in a blink and still learn something. With `std` 0 every pixel normalises to ±Infinity: a
 * network's loss on it is NaN at once (a diverging run). Returns what removes it.
 */
export function registerTinyDataset(name = 'tiny-test', std = 0.2): () => void {
  const split = (count: number, seed: string) => {
    const rng = Rng.fromSeed(seed);
    const images = new Uint8Array(count * 64);
    const labels = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const label = i % 10;
      labels[i] = label;
      for (let p = 0; p < 64; p++) images[i * 64 + p] = rng.int(128) + (p >> 3 === label % 8 ? 120 : 0);
    }
    return { count, images, labels };
  };
  const dataset: Dataset = {
    name,
    imageShape: [8, 8, 1],
    numClasses: 10,
    classNames: Array.from({ length: 10 }, (_, i) => `class${i}`),
    mean: [0.3],
    std: [std],
    train: split(200, `${name}/train`),
    test: split(20, `${name}/test`),
  };
  return registerDataset({
    name,
    description: 'a tiny synthetic data set for tests',
    load: async () => dataset,
  });
}

/** Supernet options (strategy options) of a fast test run on `tiny-test`. */
export const TINY_SUPERNET = {
  dataset: 'tiny-test',
  channels: 4,
  'train-images': 32,
  'val-images': 16,
  'batch-size': 16,
} as const;
