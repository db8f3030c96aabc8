import { Rng } from '@archlab/core';
import type { LayerInfo, Network } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset.js';
import type { TrainOptions } from './train-network.js';

/**
 * Test fixtures for the training loop, independent of src/nn: a small data set any classifier
 * separates, and a one-hidden-layer perceptron that implements `Network`.
 */

/** Training options that learn {@link brightnessDataset} in 3 epochs: SGD, batch 16, seed 1. */
export const BRIGHTNESS_TRAIN_OPTIONS: TrainOptions = {
  epochs: 3,
  batchSize: 16,
  optimizer: 'sgd',
  lr: 0.05,
  momentum: 0.9,
  nesterov: true,
  weightDecay: 5e-4,
  seed: 1,
};

/**
 * Images of `side`x`side`x1 in three classes by overall brightness (dark, grey, bright,
 * each pixel +-40 of noise): unchanged in kind by flips and small crops, separable by a linear model.
 */
export function brightnessDataset(options: {
  train: number;
  test: number;
  side?: number;
  seed?: number;
}): Dataset {
  const side = options.side ?? 5;
  const rng = Rng.fromSeed(options.seed ?? 0);
  const split = (count: number) => {
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 3);
    const images = new Uint8Array(count * side * side);
    images.forEach((_, k) => {
      const level = 50 + 75 * labels[Math.floor(k / (side * side))]!;
      images[k] = level + rng.int(81) - 40;
    });
    return { count, images, labels };
  };
  return {
    name: 'brightness',
    imageShape: [side, side, 1],
    numClasses: 3,
    classNames: ['dark', 'grey', 'bright'],
    mean: [0.5],
    std: [0.25],
    train: split(options.train),
    test: split(options.test),
  };
}

let mlps = 0;

/**
 * input → dense(hidden) → relu → dense(classes), weights N(0, 1/fan_in) from `seed`. Variables
 * are named as real networks name theirs: `PREFIX/LAYER/PARAM`, the prefix unique in the process.
 */
export function mlp(
  inputShape: readonly [number, number, number],
  numClasses: number,
  options: { hidden?: number; seed?: number } = {},
): Network & { applyCalls: number } {
  const hidden = options.hidden ?? 8;
  const inputs = inputShape[0] * inputShape[1] * inputShape[2];
  const rng = Rng.fromSeed(options.seed ?? 0);
  const prefix = `mlp${++mlps}`;
  const weights = (layer: string, rows: number, cols: number) =>
    tf.variable(
      tf.tensor2d(
        Float32Array.from({ length: rows * cols }, () => rng.normal() / Math.sqrt(rows)),
        [rows, cols],
      ),
      true,
      `${prefix}/${layer}/kernel`,
    );
  // tidy disposes the initial values, not the variables.
  const variables = tf.tidy(() => [
    weights('hidden', inputs, hidden),
    tf.variable(tf.zeros([hidden]), true, `${prefix}/hidden/bias`),
    weights('logits', hidden, numClasses),
    tf.variable(tf.zeros([numClasses]), true, `${prefix}/logits/bias`),
  ]);
  const [w1, b1, w2, b2] = variables as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const layers: LayerInfo[] = [
    dense('hidden', inputs, hidden),
    {
      name: 'relu',
      kind: 'relu',
      inputShape: [hidden],
      outputShape: [hidden],
      attrs: {},
      params: 0,
      flops: 0,
    },
    dense('logits', hidden, numClasses),
  ];
  return {
    inputShape,
    numClasses,
    variables,
    buffers: [],
    applyCalls: 0,
    apply(x) {
      this.applyCalls++;
      return tf.tidy(() => {
        const flat = tf.reshape(x, [x.shape[0], inputs]);
        const h = tf.relu(tf.add(tf.matMul(flat, w1), b1));
        return tf.add(tf.matMul(h, w2), b2) as tf.Tensor2D;
      });
    },
    layers: () => layers,
    // A chain: layer i reads value i (0 is the input) and writes i + 1. It ignores hooks.
    dataflow: () => layers.map((_, i) => ({ inputs: [i], output: i + 1, free: i > 0 ? [i] : [] })),
    paramCount: () => layers.reduce((n, l) => n + l.params, 0),
    flops: () => layers.reduce((n, l) => n + l.flops, 0),
    dispose: () => tf.dispose(variables),
  };
}

function dense(name: string, inputs: number, outputs: number): LayerInfo {
  return {
    name,
    kind: 'dense',
    inputShape: [inputs],
    outputShape: [outputs],
    attrs: { units: outputs },
    params: inputs * outputs + outputs,
    flops: inputs * outputs,
  };
}
