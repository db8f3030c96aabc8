import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '@archlab/nn';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitDataset } from '../data/split.js';
import { BRIGHTNESS_TRAIN_OPTIONS, brightnessDataset, mlp } from './test-fixtures.js';
import {
  accuracy,
  crossEntropy,
  type EpochMetrics,
  type TrainOptions,
  trainNetwork,
} from './train-network.js';
import { TrainingDivergedError } from './training-diverged-error.js';

beforeAll(async () => {
  expect((await initBackend('cpu')).name).toBe('cpu');
});

const dataset = brightnessDataset({ train: 240, test: 60 });
const data = splitDataset(dataset, { valFraction: 0.1, seed: 0 });
const base = BRIGHTNESS_TRAIN_OPTIONS;
const net = (seed = 0) => mlp(dataset.imageShape, dataset.numClasses, { seed });

/** Trains a fresh network and disposes it. */
async function train(options: Partial<TrainOptions> = {}, hooks = {}, seed = 0) {
  const n = net(seed);
  try {
    return await trainNetwork(n, data, { ...base, ...options }, hooks);
  } finally {
    n.dispose();
  }
}

/** The result without its wall-clock measures. */
function untimed<T extends { train_ms?: number; img_s?: number }>(m: T): Omit<T, 'train_ms' | 'img_s'> {
  const { train_ms: _, img_s: __, ...rest } = m;
  return rest;
}

describe('trainNetwork', () => {
  it('learns a separable data set with SGD', async () => {
    const n = net();
    try {
      const before = await accuracy(n, dataset, data.val, 64);
      const result = await trainNetwork(n, data, base);
      expect(before).toBeLessThan(70);
      expect(result.val_acc).toBeGreaterThan(90);
      expect(result.test_acc).toBeGreaterThan(90);
      expect(result.train_acc).toBeGreaterThan(before);
      expect(result.loss).toBeLessThan(Math.log(3));
      expect(result.params).toBe(n.paramCount());
      expect(result.flops).toBe(n.flops());
      expect(result.epochs_run).toBe(3);
      expect(result.train_ms).toBeGreaterThan(0);
    } finally {
      n.dispose();
    }
  });

  it('learns with Adam, and with augmentation', async () => {
    expect((await train({ optimizer: 'adam', lr: 0.01 })).val_acc).toBeGreaterThan(90);
    const augmented = await train({ augment: true, cropPadding: 1, epochs: 4 });
    expect(augmented.val_acc).toBeGreaterThan(80);
    expect(untimed(augmented)).not.toEqual(untimed(await train({ epochs: 4 })));
  });

  it('gives identical metrics for the same seeds, other metrics for another shuffling seed', async () => {
    const options = { augment: true, cropPadding: 1, epochs: 2 };
    const a = await train(options);
    const b = await train(options);
    expect(untimed(a)).toEqual(untimed(b));
    expect(untimed(await train({ ...options, seed: 2 }))).not.toEqual(untimed(a));
  });

  it('reports once per epoch, numbered from 1, with loss, train_acc, val_acc, img_s and images so far', async () => {
    const reports: [number, EpochMetrics][] = [];
    const result = await train({}, { report: (epoch: number, m: EpochMetrics) => reports.push([epoch, m]) });
    expect(reports.map(([e]) => e)).toEqual([1, 2, 3]);
    for (const [, m] of reports) {
      expect(Object.keys(m).sort()).toEqual(['images', 'img_s', 'loss', 'train_acc', 'val_acc']);
      for (const v of Object.values(m)) expect(Number.isFinite(v)).toBe(true);
      expect(m.img_s).toBeGreaterThan(0);
    }
    expect(reports[0]![1].loss).toBeGreaterThan(reports[2]![1].loss);
    // 240 training images, 24 of them held out for validation: 216 per epoch.
    expect(reports.map(([, m]) => m.images)).toEqual([216, 432, 648]);
    expect(result.val_acc).toBe(reports[2]![1].val_acc);
    expect(result.train_acc).toBe(reports[2]![1].train_acc);
    expect(result.loss).toBe(reports[2]![1].loss);
  });

  it('stops early when shouldStop says so', async () => {
    const asked: number[] = [];
    const result = await train(
      { epochs: 5 },
      {
        shouldStop: (epoch: number) => {
          asked.push(epoch);
          return epoch === 2;
        },
      },
    );
    expect(asked).toEqual([1, 2]);
    expect(result.epochs_run).toBe(2);
  });

  it('learns with label smoothing, its loss against the smoothed targets', async () => {
    const plain = await train({ epochs: 4 });
    const smoothed = await train({ epochs: 4, labelSmoothing: 0.2 });
    expect(smoothed.val_acc).toBeGreaterThan(90);
    // A smoothed target is never met exactly: its cross-entropy keeps a floor above the entropy
    // of the targets, so the loss stays above the one-hot run's.
    const floor = -(0.8 + 0.2 / 3) * Math.log(0.8 + 0.2 / 3) - 2 * (0.2 / 3) * Math.log(0.2 / 3);
    expect(smoothed.loss).toBeGreaterThan(floor);
    expect(smoothed.loss).toBeGreaterThan(plain.loss);
    await expect(train({ labelSmoothing: 1 })).rejects.toThrow(/label smoothing must be in \[0, 1\), got 1/);
  });

  it.each(['cpu', 'wasm'])(
    'computes cross-entropy against smoothed one-hot targets, as PyTorch does, on %s',
    async (backend) => {
      expect(await tf.setBackend(backend)).toBe(true);
      try {
        crossEntropyCase();
      } finally {
        await tf.setBackend('cpu');
      }
    },
  );

  function crossEntropyCase() {
    const logits = tf.tensor2d([
      [2, 0, -1],
      [0.5, 1.5, 0],
    ]);
    const labels = tf.tensor1d([0, 2], 'int32');
    const logSoftmax = (row: number[]) => {
      const z = Math.log(row.reduce((sum, v) => sum + Math.exp(v), 0));
      return row.map((v) => v - z);
    };
    const rows = [logSoftmax([2, 0, -1]), logSoftmax([0.5, 1.5, 0])];
    // ε = 0.3 over 3 classes: 0.8 on the true class, 0.1 on each other.
    const expected = (eps: number) =>
      -rows
        .map((row, r) =>
          row.reduce((sum, lp, c) => sum + (c === [0, 2][r] ? 1 - eps + eps / 3 : eps / 3) * lp, 0),
        )
        .reduce((a, b) => a + b) / 2;
    const at = (eps: number) => tf.tidy(() => crossEntropy(logits, labels, 3, eps).dataSync()[0]!);
    expect(at(0)).toBeCloseTo(expected(0), 6);
    expect(at(0)).toBeCloseTo(-(rows[0]![0]! + rows[1]![2]!) / 2, 6);
    expect(at(0.3)).toBeCloseTo(expected(0.3), 6);
    expect(at(0.3)).not.toBeCloseTo(at(0), 2);
    tf.dispose([logits, labels]);
  }

  it('fails with TrainingDivergedError when the loss stops being finite', async () => {
    const failure = train({ lr: 1e30, momentum: 0 });
    await expect(failure).rejects.toThrow(TrainingDivergedError);
    await expect(failure).rejects.toThrow(
      /^training diverged: loss (NaN|-?Infinity) at epoch 1, step \d+; lower the learning rate/,
    );
  });

  it('keeps the number of tensors constant across epochs and leaves none behind', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const n = net();
    await trainNetwork(
      n,
      data,
      { ...base, epochs: 4, optimizer: 'adam', lr: 0.01 },
      {
        report: () => counts.push(tf.memory().numTensors),
      },
    );
    expect(counts).toHaveLength(4);
    expect(new Set(counts).size).toBe(1);
    n.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves no tensors behind when it fails', async () => {
    const before = tf.memory().numTensors;
    await expect(train({ lr: 1e30, momentum: 0 })).rejects.toThrow(TrainingDivergedError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops promptly mid-epoch when aborted, with the abort reason, and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const n = net();
    const reason = new Error('run stopped');
    const reports: number[] = [];
    const run = trainNetwork(
      n,
      data,
      { ...base, epochs: 100, batchSize: 1 },
      {
        signal: controller.signal,
        report: (epoch: number) => reports.push(epoch),
      },
    );
    // A timer can only fire if training yields to the event loop between batches.
    setTimeout(() => controller.abort(reason), 20);
    await expect(run).rejects.toBe(reason);
    expect(reports).toEqual([]);
    const callsWhenAborted = n.applyCalls;
    expect(callsWhenAborted).toBeGreaterThan(0);
    expect(callsWhenAborted).toBeLessThan(data.train.indices.length);
    n.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('throws an AbortError for an abort without a reason, checking before the next batch', async () => {
    const controller = new AbortController();
    const n = net();
    const apply = n.apply.bind(n);
    n.apply = (x, o) => {
      if (n.applyCalls === 2) controller.abort();
      return apply(x, o);
    };
    await expect(trainNetwork(n, data, base, { signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(n.applyCalls).toBe(3);
    n.dispose();
  });
});
