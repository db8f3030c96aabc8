import { UnknownPluginError } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import type { Dataset, DatasetSource } from './dataset.js';
import { datasetNames, loadDataset, registerDataset } from './registry.js';

function source(name: string, load: () => Promise<Dataset>): DatasetSource {
  return { name, description: name, load };
}

const tiny: Dataset = {
  name: 'tiny',
  imageShape: [1, 1, 1],
  numClasses: 2,
  classNames: ['a', 'b'],
  mean: [0],
  std: [1],
  train: { count: 1, images: Uint8Array.of(0), labels: Uint8Array.of(1) },
  test: { count: 1, images: Uint8Array.of(0), labels: Uint8Array.of(0) },
};

describe('data set registry', () => {
  it('knows fashion-mnist and cifar10', () => {
    expect(datasetNames()).toEqual(expect.arrayContaining(['cifar10', 'fashion-mnist']));
  });

  it('rejects an unknown name, listing the known ones', async () => {
    const load = loadDataset('cifar-11');
    await expect(load).rejects.toThrow(UnknownPluginError);
    await expect(load).rejects.toThrow("unknown data set 'cifar-11'; known data sets: cifar10, fashion-mnist");
  });

  it('loads once per name and directory, and retries after a failure', async () => {
    let calls = 0;
    let fail = true;
    const unregister = registerDataset(
      source('tiny', async () => {
        calls++;
        if (fail) throw new Error('not yet');
        return tiny;
      }),
    );
    try {
      await expect(loadDataset('tiny')).rejects.toThrow('not yet');
      fail = false;
      const [a, b] = await Promise.all([loadDataset('tiny'), loadDataset('tiny')]);
      expect(a).toBe(tiny);
      expect(b).toBe(tiny);
      expect(calls).toBe(2);
      await loadDataset('tiny', { dataDir: '/elsewhere' });
      expect(calls).toBe(3);
    } finally {
      unregister();
    }
    expect(datasetNames()).not.toContain('tiny');
  });
});
