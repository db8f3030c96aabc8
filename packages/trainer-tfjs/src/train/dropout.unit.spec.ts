import { Rng } from '@archlab/core';
import { initBackend, type LayerHook, type LayerInfo, type Network, NetworkBuilder } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitDataset } from '../data/split.js';
import { classifierDropout } from './dropout.js';
import { BRIGHTNESS_TRAIN_OPTIONS, brightnessDataset } from './test-fixtures.js';
import { trainNetwork } from './train-network.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** 5×5×1 → flatten → dense 16 → ReLU → dense 3 (the classifier, reading 16 values). */
function mlpNetwork(seed = 0): Network {
  const b = new NetworkBuilder([5, 5, 1], seed);
  const h = b.relu('relu', b.dense('hidden', b.flatten('flat', b.input), { units: 16 }));
  return b.build(b.dense('classifier', h, { units: 3 }));
}

/** What the hook hands the layer `info` in place of `x`: run(others) returns others[0]. */
function fed(hook: LayerHook, info: LayerInfo, x: tf.Tensor): Float32Array {
  return tf.tidy(() => hook(info, [x], (others) => (others ?? [x])[0]!).dataSync() as Float32Array);
}

describe('classifierDropout', () => {
  it("drops the classifier's inputs at the rate and scales the rest by 1 / (1 - rate); other layers run as they are", () => {
    const net = mlpNetwork();
    const [, hidden, , classifier] = net.layers();
    const hook = classifierDropout(net, 0.25, Rng.fromSeed(1));
    const x = tf.ones([200, 16]);
    const values = fed(hook, classifier!, x);
    const dropped = values.filter((v) => v === 0).length / values.length;
    expect(dropped).toBeGreaterThan(0.23);
    expect(dropped).toBeLessThan(0.27);
    expect(new Set(values)).toEqual(new Set([0, Math.fround(1 / 0.75)]));
    // Another call draws another mask; another hidden layer's input is left alone.
    expect(fed(hook, classifier!, x)).not.toEqual(values);
    expect(new Set(fed(hook, hidden!, x))).toEqual(new Set([1]));
    // The same seed gives the same masks.
    expect(fed(classifierDropout(net, 0.25, Rng.fromSeed(1)), classifier!, x)).toEqual(values);
    x.dispose();
    net.dispose();
  });

  it('refuses a rate outside [0, 1)', () => {
    const net = mlpNetwork();
    for (const rate of [-0.1, 1, Number.NaN]) {
      expect(() => classifierDropout(net, rate, Rng.fromSeed(0))).toThrow(/dropout rate must be in \[0, 1\)/);
    }
    net.dispose();
  });
});

describe('trainNetwork with dropout', () => {
  const dataset = brightnessDataset({ train: 240, test: 60 });
  const data = splitDataset(dataset, { valFraction: 0.1, seed: 0 });
  async function train(dropout: number) {
    const net = mlpNetwork();
    try {
      const { train_ms: _, ...metrics } = await trainNetwork(net, data, {
        ...BRIGHTNESS_TRAIN_OPTIONS,
        dropout,
      });
      return { metrics, weights: net.variables.map((v) => Array.from(v.dataSync())) };
    } finally {
      net.dispose();
    }
  }

  it('still learns, trains other weights than without it, and the same seed gives the same run', async () => {
    const tensors = tf.memory().numTensors;
    const [none, half, again] = [await train(0), await train(0.5), await train(0.5)];
    expect(half.metrics.val_acc).toBeGreaterThan(90);
    expect(half.weights).not.toEqual(none.weights);
    expect(again).toEqual(half);
    expect(tf.memory().numTensors).toBe(tensors);
  });
});
