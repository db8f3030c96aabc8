import * as tf from '@tensorflow/tfjs-core';
import { filled, type Layer, type LayerContext, type Shape, single } from './layer.js';

export interface BatchNormOptions {
  /** Weight of the old running average in each update; default 0.9 (PyTorch's momentum 0.1). */
  readonly momentum?: number;
  /** Default 1e-5. */
  readonly epsilon?: number;
}

/** A batch-norm layer, which can also compute its output times a scalar weight at no extra cost. */
export interface BatchNormLayer extends Layer {
  /**
   * `s · apply([x], training)` for a scalar tensor `s` (an op's weight in a DARTS mixed op),
   * with the gradient to `s`: `s` scales γ and β, so no full-size multiply is added.
   */
  applyScaled(x: tf.Tensor, s: tf.Tensor, training: boolean): tf.Tensor;
}

/**
 * Batch normalisation over every axis but the last (channels), with a trainable scale (gamma,
 * starting at 1) and shift (beta, at 0). Training normalises with the batch's statistics and
 * moves the running mean and variance towards them (the variance unbiased, as PyTorch does);
 * inference normalises with the running averages.
 */
export function batchNorm(ctx: LayerContext, inputShape: Shape, opts: BatchNormOptions = {}): BatchNormLayer {
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
      return run(single(inputs, ctx.name), gamma, beta, training);
    },
    applyScaled(x, s, training) {
      return run(x, tf.mul(gamma, s), tf.mul(beta, s), training);
    },
  };

  function run(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, training: boolean): tf.Tensor {
    if (!training) return tf.batchNorm(x, mean, variance, offset, scale, epsilon);
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
    const n = (x.shape[0] ?? 1) * perChannel;
    // The updates do not lead to the output, so a gradient tape recording them ignores them.
    return batchNormalise(x, scale, offset, axes, epsilon, (batchMean, batchVariance) => {
      const unbiased = n > 1 ? tf.mul(batchVariance, n / (n - 1)) : batchVariance;
      mean.assign(tf.add(tf.mul(mean, momentum), tf.mul(batchMean, 1 - momentum)));
      variance.assign(tf.add(tf.mul(variance, momentum), tf.mul(unbiased, 1 - momentum)));
    });
  }
}

/**
 * `(x − mean)·γ/√(var + ε) + β` over the batch's moments, with the gradient of batch norm
 * written out: dx = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy. Autodiff through
 * the moments took about a dozen full-size ops and dominated a training step on wasm (and
 * tf.batchNorm's registered gradient tiles per-channel values to the activation's shape); this
 * takes five (shared with layers that normalise slices of their channels, OFA's elastic
 * widths). `stats` is called with the batch's mean and (biased) variance, which live only
 * during the call.
 */
export function batchNormalise(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  axes: number[],
  epsilon: number,
  stats: (mean: tf.Tensor, variance: tf.Tensor) => void,
): tf.Tensor {
  const n = axes.reduce((k, a) => k * x.shape[a]!, 1);
  const f = tf.customGrad(((input: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const { mean, variance, centred } = channelMoments(input, axes);
    stats(mean, variance);
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    save([centred, invStd, g]);
    return {
      value: tf.add(tf.mul(centred, tf.mul(g, invStd)), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xc, s, gm] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dBeta = tf.sum(dy, axes);
        const dyXc = tf.sum(tf.mul(dy, xc), axes);
        const k1 = tf.mul(gm, s);
        const k2 = tf.mul(tf.mul(k1, tf.square(s)), -1 / n);
        const dx = tf.add(
          tf.add(tf.mul(dy, k1), tf.mul(xc, tf.mul(k2, dyXc))),
          tf.mul(k1, tf.mul(dBeta, -1 / n)),
        );
        return [dx, tf.mul(dyXc, s), dBeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (f as unknown as (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor)(x, gamma, beta);
}

/**
 * The batch's mean and (biased) variance over `axes`, and `x − mean`, which batch norm keeps for
 * its gradient: the variance is the mean of the centred values squared, as `tf.moments` computes
 * it, without its broadcasting squared difference (a slow scalar loop on wasm) and without
 * centring twice.
 */
export function channelMoments(
  x: tf.Tensor,
  axes: number[],
): { mean: tf.Tensor; variance: tf.Tensor; centred: tf.Tensor } {
  const mean = tf.mean(x, axes);
  const centred = tf.sub(x, mean);
  return { mean, variance: tf.mean(tf.square(centred), axes), centred };
}

/**
 * Batch-norm statistics averaged over batches, per layer (`K`), as SPOS and OFA recalibrate a
 * subnet before scoring it: each batch adds its mean and unbiased variance (from the biased
 * `variance` of `count` values per channel), and {@link finish} hands over the plain averages
 * (PyTorch's `momentum=None` after a reset). Holds its sums until {@link dispose}.
 */
export class BatchStatsAverage<K> {
  private readonly sums = new Map<K, { mean: tf.Tensor; variance: tf.Tensor }>();

  add(key: K, mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const unbiased = count > 1 ? tf.mul(variance, count / (count - 1)) : variance;
    const old = this.sums.get(key);
    const next = old
      ? { mean: tf.add(old.mean, mean), variance: tf.add(old.variance, unbiased) }
      : { mean: tf.clone(mean), variance: tf.clone(unbiased) };
    this.sums.set(key, { mean: tf.keep(next.mean), variance: tf.keep(next.variance) });
    if (old) tf.dispose([old.mean, old.variance]);
  }

  /** Calls `assign` with each layer's averages over `batches` batches (tensors of the call only). */
  finish(batches: number, assign: (key: K, mean: tf.Tensor, variance: tf.Tensor) => void): void {
    tf.tidy(() => {
      for (const [key, { mean, variance }] of this.sums) {
        assign(key, tf.div(mean, batches), tf.div(variance, batches));
      }
    });
  }

  dispose(): void {
    for (const s of this.sums.values()) tf.dispose([s.mean, s.variance]);
    this.sums.clear();
  }
}
