import * as tf from '@tensorflow/tfjs-core';
import { filled, type Layer, type LayerContext, type Shape, single } from './layer.js';

export interface BatchNormOptions {
  /** Weight of the old running average in each update; default 0.9 (PyTorch's momentum 0.1). */
  readonly momentum?: number;
  /** Default 1e-5. */
  readonly epsilon?: number;
}

/**
 * Batch normalisation over every axis but the last (channels), with a trainable scale (gamma,
 * starting at 1) and shift (beta, at 0). Training normalises with the batch's statistics and
 * moves the running mean and variance towards them (the variance unbiased, as PyTorch does);
 * inference normalises with the running averages.
 */
export function batchNorm(ctx: LayerContext, inputShape: Shape, opts: BatchNormOptions = {}): Layer {
  const { momentum = 0.9, epsilon = 1e-5 } = opts;
  if (!(momentum >= 0 && momentum < 1))
    throw new RangeError(`layer ${ctx.name}: momentum must be in [0, 1), got ${momentum}`);
  if (!(epsilon > 0)) throw new RangeError(`layer ${ctx.name}: epsilon must be positive, got ${epsilon}`);
  const c = inputShape[inputShape.length - 1];
  if (c === undefined)
    throw new RangeError(`layer ${ctx.name}: batch norm needs an input with a channel axis`);
  const gamma = ctx.variable('gamma', [c], filled(c, 1));
  const beta = ctx.variable('beta', [c], filled(c, 0));
  const mean = ctx.variable('moving_mean', [c], filled(c, 0), false);
  const variance = ctx.variable('moving_variance', [c], filled(c, 1), false);
  const perChannel = inputShape.slice(0, -1).reduce((a, b) => a * b, 1);
  return {
    info: {
      name: ctx.name,
      kind: 'batch_norm',
      inputShape: [...inputShape],
      outputShape: [...inputShape],
      attrs: { channels: c, momentum, epsilon },
      params: 2 * c,
      flops: 0,
    },
    variables: [gamma, beta],
    buffers: [mean, variance],
    apply(inputs, training) {
      const x = single(inputs, ctx.name);
      if (!training) return tf.batchNorm(x, mean, variance, beta, gamma, epsilon);
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      const m = tf.moments(x, axes);
      const n = (x.shape[0] ?? 1) * perChannel;
      const unbiased = n > 1 ? tf.mul(m.variance, n / (n - 1)) : m.variance;
      // The updates do not lead to the output, so a gradient tape recording them ignores them.
      mean.assign(tf.add(tf.mul(mean, momentum), tf.mul(m.mean, 1 - momentum)));
      variance.assign(tf.add(tf.mul(variance, momentum), tf.mul(unbiased, 1 - momentum)));
      // Written out rather than tf.batchNorm: the gradient tfjs registers for FusedBatchNorm tiles
      // per-channel values to the full activation shape, and Tile dominated a training step on
      // wasm (about half its time); the broadcasting ops below reduce with Sum instead.
      const scale = tf.mul(gamma, tf.rsqrt(tf.add(m.variance, epsilon)));
      return tf.add(tf.mul(tf.sub(x, m.mean), scale), beta);
    },
  };
}
