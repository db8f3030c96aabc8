import { Rng } from '@archlab/core';
import { initBackend } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from './dataset.js';
import { makeBatch } from './batch.js';
import { resizeBilinear, resizeDataset, resizeTrainingData } from './resize.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('resizeBilinear', () => {
  it('interpolates between pixel centres, clamped at the borders (by hand)', () => {
    // 1×2 → 1×4: samples at x = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1)
    expect([...resizeBilinear(Uint8Array.from([0, 100]), 1, [1, 2, 1], [1, 4])]).toEqual([0, 25, 75, 100]);
    // 1×4 → 1×2: samples at x = 0.5 and 2.5, the means of neighbour pairs
    expect([...resizeBilinear(Uint8Array.from([10, 20, 30, 50]), 1, [1, 4, 1], [1, 2])]).toEqual([15, 40]);
    // channels are resized apart; the same size is the same array
    const two = Uint8Array.from([0, 200, 100, 0]);
    expect([...resizeBilinear(two, 1, [1, 2, 2], [1, 1])]).toEqual([50, 100]);
    expect(resizeBilinear(two, 1, [1, 2, 2], [1, 2])).toBe(two);
  });

  it("equals tf.image.resizeBilinear with half-pixel centres, rounded, on Fashion-MNIST sizes", () => {
    const rng = Rng.fromSeed(1);
    const images = Uint8Array.from({ length: 3 * 28 * 28 * 2 }, () => rng.int(256));
    for (const side of [20, 24, 33]) {
      const ours = resizeBilinear(images, 3, [28, 28, 2], [side, side]);
      const theirs = tf.tidy(() =>
        tf.image.resizeBilinear(tf.tensor4d(Float32Array.from(images), [3, 28, 28, 2]), [side, side], false, true),
      );
      const reference = theirs.dataSync();
      theirs.dispose();
      // Equal after rounding, but where tf's float32 value is a tie (x.5) that float64 put a hair below.
      const differ = [...ours].flatMap((v, i) => (v === Math.round(reference[i]!) ? [] : [[v, reference[i]!]]));
      for (const [v, r] of differ) {
        expect(Math.abs(r! - Math.floor(r!) - 0.5)).toBeLessThan(1e-3);
        expect(Math.abs(v! - r!)).toBeCloseTo(0.5, 3);
      }
      expect(differ.length).toBeLessThan(ours.length / 100);
    }
  });
});

describe('resizeDataset', () => {
  const dataset: Dataset = {
    name: 'tiny',
    imageShape: [2, 2, 1],
    numClasses: 2,
    classNames: ['a', 'b'],
    mean: [0.5],
    std: [0.25],
    train: { count: 1, images: Uint8Array.from([0, 100, 200, 40]), labels: Uint8Array.from([1]) },
    test: { count: 1, images: Uint8Array.from([8, 8, 8, 8]), labels: Uint8Array.from([0]) },
  };

  it('resizes both splits once per size, keeping labels and normalisation', () => {
    const big = resizeDataset(dataset, [4, 4, 1]);
    expect(big.imageShape).toEqual([4, 4, 1]);
    expect(big.train.images).toHaveLength(16);
    expect([...big.test.images]).toEqual(new Array(16).fill(8));
    expect(big.train.labels).toBe(dataset.train.labels);
    expect([big.mean, big.std, big.numClasses]).toEqual([[0.5], [0.25], 2]);
    expect(resizeDataset(dataset, [4, 4, 1])).toBe(big);
    expect(resizeDataset(dataset, [2, 2, 1])).toBe(dataset);
    expect(() => resizeDataset(dataset, [4, 4, 3])).toThrow(
      "a network taking 3-channel images cannot read data set tiny's 1-channel images",
    );
  });

  it('resizes a split of it: the same samples, read from the resized images', () => {
    const data = {
      dataset,
      train: { split: dataset.train, indices: Uint32Array.from([0]) },
      val: { split: dataset.train, indices: Uint32Array.from([]) },
      test: { split: dataset.test, indices: Uint32Array.from([0]) },
    };
    const big = resizeTrainingData(data, [4, 4, 1]);
    const resized = resizeDataset(dataset, [4, 4, 1]);
    expect(big.dataset).toBe(resized);
    expect(big.train.split).toBe(resized.train);
    expect(big.val.split).toBe(resized.train);
    expect(big.test.split).toBe(resized.test);
    expect(big.train.indices).toBe(data.train.indices);
    // A batch of the resized samples holds the resized pixels (normalised), not the original bytes.
    const batch = makeBatch(big.dataset, big.train.split, big.train.indices);
    expect([...batch.images]).toEqual([...Float32Array.from(resized.train.images, (v) => (v / 255 - 0.5) / 0.25)]);
    expect(resizeTrainingData(data, [2, 2, 1])).toBe(data);
  });
});
