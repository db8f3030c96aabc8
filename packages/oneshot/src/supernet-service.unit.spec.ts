import { nb201Space } from '@archlab/bench-nb201';
import { ConfigError, parseOptions, Rng, type RunConfig, type RunScope } from '@archlab/core';
import { inheritedAccuracy } from '@archlab/supernet';
import { type Dataset, registerDataset } from '@archlab/trainer-tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { sposEpoch, sposStrategyFactory } from './spos-strategy.js';
import { supernetOptionsSpec } from './supernet-options.js';
import { SupernetService, SupernetTrainingError, supernetRunService } from './supernet-service.js';

/** The scope a run hands its services: only its config and space are read when one is made. */
function scope(
  strategy: string,
  estimator: string,
  strategyOptions: Record<string, unknown>,
  seed = 1,
): RunScope {
  const config = { strategy, estimator, strategyOptions, seed, concurrency: 1 } as unknown as RunConfig;
  return {
    config,
    space: nb201Space,
    get: () => {
      throw new Error('not in this test');
    },
    has: () => false,
    progress: () => {
      throw new Error('not in this test');
    },
  };
}

const ONE_SHOT = parseOptions('darts', supernetOptionsSpec, {});

describe('supernetRunService', () => {
  it('makes no supernet for a run whose strategy and estimator need none (random with train)', () => {
    expect(supernetRunService.create(scope('random', 'train', {}))).toBeUndefined();
    expect(
      supernetRunService.create(scope('evolution', 'nb201:cifar10', { population: 10 })),
    ).toBeUndefined();
  });

  it('makes one for a one-shot strategy, whatever the estimator (train retrains its cells)', () => {
    expect(supernetRunService.create(scope('darts', 'train', ONE_SHOT))).toBeInstanceOf(SupernetService);
    expect(supernetRunService.create(scope('spos', 'oneshot', ONE_SHOT))).toBeInstanceOf(SupernetService);
  });

  it('refuses the oneshot estimator without a strategy that trains the supernet', () => {
    const make = () => supernetRunService.create(scope('random', 'oneshot', {}));
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/strategy 'random' trains none/);
  });
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

const BRIGHTNESS: Dataset = {
  name: 'brightness',
  imageShape: [8, 8, 1],
  numClasses: 3,
  classNames: ['dark', 'grey', 'bright'],
  mean: [0.5],
  std: [0.25],
  train: brightness(96, 1),
  test: brightness(30, 2),
};
afterAll(registerDataset({ name: 'brightness', description: 'test', load: async () => BRIGHTNESS }));

// 72 training images in batches of 12: 6 SPOS steps an epoch; 24 validation images.
const EPOCHS = 3;
const SPOS = parseOptions('spos', sposStrategyFactory.options, {
  dataset: 'brightness',
  channels: 4,
  'stem-stride': 1,
  'train-images': 72,
  'val-images': 24,
  'split-seed': 3,
  'batch-size': 12,
  lr: 0.05,
  backend: 'wasm',
  epochs: EPOCHS,
});
const service = (seed: number) => new SupernetService(scope('spos', 'oneshot', SPOS, seed));
/** Trains `s` by SPOS (the strategy's epoch plan) up to epoch `to`. */
async function train(s: SupernetService, to = EPOCHS): Promise<void> {
  while (s.epochs < to) await s.trainEpoch(sposEpoch(s, EPOCHS));
}
const PATH =
  '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|';
const SCORE = { seed: 5, recalibrationImages: 48, batchSize: 16 };

describe("SPOS's epochs on the supernet service, and inheritedAccuracy", () => {
  it('train the supernet so that inherited weights score a cell well above chance, the same for the same seed', async () => {
    const a = service(1);
    const seen: number[][] = [];
    for (let e = 0; e < EPOCHS; e++) {
      const stats = await a.trainEpoch(sposEpoch(a, EPOCHS));
      seen.push([a.epochs, stats.images]);
      expect(stats.loss).toBeGreaterThan(0);
    }
    expect(seen).toEqual([
      [1, 72],
      [2, 144],
      [3, 216],
    ]);
    const { trainer, data } = await a.ready();
    expect(trainer.optimizer.steps).toBe(3 * 6);
    const acc = await inheritedAccuracy(trainer, PATH, data, SCORE);
    expect(acc).toBeGreaterThan(60);
    const b = service(1);
    await train(b);
    const other = await b.ready();
    expect(other.trainer.weightsHash()).not.toBe(trainer.weightsHash()); // a's BN statistics of PATH were recalibrated
    expect(await inheritedAccuracy(other.trainer, PATH, other.data, SCORE)).toBe(acc);
    expect(other.trainer.weightsHash()).toBe(trainer.weightsHash());
  });

  it('after a crash mid-epoch, resumes from the last checkpoint to the same weights as the uninterrupted run', async () => {
    const whole = service(2);
    await train(whole);

    const first = service(2);
    await train(first, 1);
    const checkpoint = await first.snapshot();
    // Killed at the third batch of epoch 2: two of its steps are applied, no epoch is counted.
    const killed = sposEpoch(first, EPOCHS);
    await expect(
      first.trainEpoch({
        ...killed,
        forward: (x, batch, training) => {
          if (batch === 2) throw new Error('killed');
          return killed.forward(x, batch, training);
        },
      }),
    ).rejects.toThrow(SupernetTrainingError);
    expect((await first.ready()).trainer.optimizer.steps).toBe(6 + 2);
    expect(first.epochs).toBe(1);

    // Another seed's service: the checkpoint replaces its weights, optimizer, rng and data position.
    const resumed = service(9);
    await resumed.restore(checkpoint);
    await train(resumed);
    expect(resumed.epochs).toBe(EPOCHS);
    expect(resumed.images).toBe(whole.images);
    expect(await resumed.weightsHash()).toBe(await whole.weightsHash());
    expect(await resumed.weightsHash()).not.toBe(await first.weightsHash());
  });
});
