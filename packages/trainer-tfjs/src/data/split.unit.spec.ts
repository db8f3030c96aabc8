import { describe, expect, it } from 'vitest';
import type { Dataset } from './dataset.js';
import { splitDataset } from './split.js';

/** 1x1 images; `perClass[c]` training images of class c, in an interleaved order; 50 test images. */
function dataset(perClass: readonly number[]): Dataset {
  const labels = perClass.flatMap((n, c) => Array<number>(n).fill(c));
  const train = Uint8Array.from(labels.map((_, i) => labels[(i * 7919) % labels.length]!));
  const test = Uint8Array.from({ length: 50 }, (_, i) => i % perClass.length);
  return {
    name: 'tiny',
    imageShape: [1, 1, 1],
    numClasses: perClass.length,
    classNames: perClass.map((_, c) => `c${c}`),
    mean: [0.5],
    std: [0.5],
    train: { count: train.length, images: new Uint8Array(train.length), labels: train },
    test: { count: test.length, images: new Uint8Array(test.length), labels: test },
  };
}

function counts(ds: Dataset, indices: Uint32Array, split: 'train' | 'test' = 'train'): number[] {
  const out = Array<number>(ds.numClasses).fill(0);
  for (const i of indices) out[ds[split].labels[i]!]!++;
  return out;
}

describe('splitDataset', () => {
  const ds = dataset([400, 300, 200, 100]);

  it('holds out valFraction of the training images, stratified, disjoint from train', () => {
    const { train, val, test } = splitDataset(ds, { valFraction: 0.1, seed: 1 });
    expect(val.indices.length).toBe(100);
    expect(train.indices.length).toBe(900);
    expect(counts(ds, val.indices)).toEqual([40, 30, 20, 10]);
    expect(new Set([...train.indices, ...val.indices]).size).toBe(1000);
    expect(test.indices.length).toBe(50);
    expect(train.split).toBe(ds.train);
    expect(val.split).toBe(ds.train);
    expect(test.split).toBe(ds.test);
    expect([...train.indices]).toEqual([...train.indices].sort((a, b) => a - b));
  });

  it('gives the same split for the same seed and another for another seed', () => {
    const a = splitDataset(ds, { valFraction: 0.2, seed: 7 });
    const b = splitDataset(ds, { valFraction: 0.2, seed: 7 });
    const c = splitDataset(ds, { valFraction: 0.2, seed: 8 });
    expect([...a.val.indices]).toEqual([...b.val.indices]);
    expect([...a.train.indices]).toEqual([...b.train.indices]);
    expect([...a.val.indices]).not.toEqual([...c.val.indices]);
  });

  it('with maxTrain, trains on that many and validates on valFraction of the images used, both stratified', () => {
    const { train, val } = splitDataset(ds, { valFraction: 0.2, maxTrain: 80, seed: 3 });
    expect(train.indices.length).toBe(80);
    expect(val.indices.length).toBe(20);
    expect(counts(ds, train.indices)).toEqual([32, 24, 16, 8]);
    expect(counts(ds, val.indices)).toEqual([8, 6, 4, 2]);
    expect(train.indices.some((i) => val.indices.includes(i))).toBe(false);
  });

  it('caps maxTrain at what there is, and maxTest picks a stratified part of the test split', () => {
    const { train, test } = splitDataset(ds, { valFraction: 0.1, maxTrain: 10_000, maxTest: 20, seed: 3 });
    expect(train.indices.length).toBe(900);
    expect(test.indices.length).toBe(20);
    expect(counts(ds, test.indices, 'test')).toEqual([5, 5, 5, 5]);
  });

  it('rejects a fraction outside (0, 1)', () => {
    expect(() => splitDataset(ds, { valFraction: 1, seed: 0 })).toThrow(RangeError);
    expect(() => splitDataset(ds, { valFraction: 0, seed: 0 })).toThrow(RangeError);
  });
});
