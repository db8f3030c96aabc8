import { describeWith } from '@archlab/core/testing';
import { expect, it } from 'vitest';
import { fashionMnistDir, fashionMnistRequirement } from './fashion-mnist.js';
import { loadDataset } from './registry.js';
import { splitDataset } from './split.js';

describeWith(fashionMnistRequirement(), `the real Fashion-MNIST files in ${fashionMnistDir()}`, () => {
  it('hold 60,000 training and 10,000 test images of 28x28, 6,000 and 1,000 per class', async () => {
    const ds = await loadDataset('fashion-mnist');
    expect(ds.train.count).toBe(60_000);
    expect(ds.test.count).toBe(10_000);
    expect(ds.train.images.length).toBe(60_000 * 784);
    expect(ds.test.images.length).toBe(10_000 * 784);
    expect(histogram(ds.train.labels)).toEqual(Array(10).fill(6000));
    expect(histogram(ds.test.labels)).toEqual(Array(10).fill(1000));
    // The normalisation constants are those of the training images.
    let sum = 0;
    let squares = 0;
    for (const v of ds.train.images) {
      sum += v / 255;
      squares += (v / 255) ** 2;
    }
    const mean = sum / ds.train.images.length;
    expect(mean).toBeCloseTo(ds.mean[0]!, 3);
    expect(Math.sqrt(squares / ds.train.images.length - mean ** 2)).toBeCloseTo(ds.std[0]!, 3);
    expect(await loadDataset('fashion-mnist')).toBe(ds); // decoded once per process
  });

  it('split 54,000 / 6,000, stratified', async () => {
    const data = splitDataset(await loadDataset('fashion-mnist'), { valFraction: 0.1, seed: 0 });
    expect(data.train.indices.length).toBe(54_000);
    expect(histogram(data.val.indices.map((i) => data.val.split.labels[i]!))).toEqual(Array(10).fill(600));
  });
});

function histogram(labels: ArrayLike<number>): number[] {
  const counts = Array(10).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]++;
  return counts;
}
