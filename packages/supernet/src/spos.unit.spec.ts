import { Rng } from '@archlab/core';
import { initBackend } from '@archlab/nn';
import { type Dataset, splitDataset } from '@archlab/trainer-tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Nb201Supernet } from './nb201-supernet.js';
import { inheritedAccuracy, trainSpos } from './spos.js';
import { SupernetTrainer } from './supernet-trainer.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** 8×8×1 images in three classes by brightness (dark, grey, bright; ±40 of noise per pixel). */
function brightness(count: number, seed: number): Dataset['train'] {
  const rng = Rng.fromSeed(seed);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 3);
  const images = Uint8Array.from(
    { length: count * 64 },
    (_, k) => 50 + 75 * labels[k >> 6]! + rng.int(81) - 40,
  );
  return { count, images, labels };
}

const DATASET: Dataset = {
  name: 'brightness',
  imageShape: [8, 8, 1],
  numClasses: 3,
  classNames: ['dark', 'grey', 'bright'],
  mean: [0.5],
  std: [0.25],
  train: brightness(96, 1),
  test: brightness(30, 2),
};
const DATA = splitDataset(DATASET, { valFraction: 0.25, seed: 3 });
const SUPERNET = {
  channels: 4,
  cellsPerStage: 1,
  stemStride: 1,
  inputShape: [8, 8, 1],
  numClasses: 3,
} as const;
const OPTIONS = { epochs: 3, batchSize: 12, lr: 0.05 };
const trainer = (seed: number) =>
  new SupernetTrainer(new Nb201Supernet({ ...SUPERNET, seed }), {
    optimizer: 'sgd',
    momentum: 0.9,
    nesterov: false,
    weightDecay: 3e-4,
    seed,
  });
const free = (t: SupernetTrainer) => {
  t.dispose();
  t.supernet.dispose();
};

describe('trainSpos and inheritedAccuracy', () => {
  it('train the supernet so that inherited weights score a cell well above chance, the same for the same seed', async () => {
    const a = trainer(1);
    const epochs: number[] = [];
    await trainSpos(a, DATA, OPTIONS, { report: (epoch) => epochs.push(epoch) });
    expect(epochs).toEqual([1, 2, 3]);
    expect(a.optimizer.steps).toBe(3 * 6);
    const path =
      '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|';
    const acc = await inheritedAccuracy(a, path, DATA, { seed: 5, recalibrationImages: 48, batchSize: 16 });
    expect(acc).toBeGreaterThan(60);
    const b = trainer(1);
    await trainSpos(b, DATA, OPTIONS);
    expect(b.weightsHash()).not.toBe(a.weightsHash()); // a's BN statistics of `path` were recalibrated
    expect(await inheritedAccuracy(b, path, DATA, { seed: 5, recalibrationImages: 48, batchSize: 16 })).toBe(
      acc,
    );
    expect(b.weightsHash()).toBe(a.weightsHash());
    free(a);
    free(b);
  });

  it('resumes mid-epoch from a snapshot to the same weights as the uninterrupted run', async () => {
    const whole = trainer(2);
    await trainSpos(whole, DATA, OPTIONS);

    const first = trainer(2);
    const stop = new AbortController();
    let steps = 0;
    const original = first.step.bind(first);
    first.step = (loss, lr) => {
      if (++steps === 8) stop.abort(new Error('killed'));
      return original(loss, lr);
    };
    await expect(trainSpos(first, DATA, OPTIONS, { signal: stop.signal })).rejects.toThrow('killed');
    expect(first.optimizer.steps).toBe(8); // mid-epoch 2 of 6 steps each
    const bytes = first.snapshot();

    const resumed = trainer(9);
    resumed.restore(bytes);
    await trainSpos(resumed, DATA, OPTIONS);
    expect(resumed.weightsHash()).toBe(whole.weightsHash());
    for (const t of [whole, first, resumed]) free(t);
  });
});
