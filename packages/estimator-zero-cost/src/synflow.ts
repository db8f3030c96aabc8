import type { Network } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { sum } from './sum.js';
import { weightLayers } from './weight-layers.js';

/**
 * Value of every input pixel, 2⁻¹¹⁰: the forward pass stays within float32 for R (below) up to
 * ~10⁷¹, and the backward pass, whose seed is ~1/(2⁻¹¹⁰·R), for any network.
 */
const INPUT = 2 ** -110;

/** What synflow sets each variable to, by name: shifts and running means to 0, running variances to 1, the rest to |value|. */
function linearised(v: tf.Variable): tf.Tensor {
  if (/\/(bias|beta|moving_mean)$/.test(v.name)) return tf.zerosLike(v);
  if (/\/moving_variance$/.test(v.name)) return tf.onesLike(v);
  return tf.abs(v);
}

/**
 * SynFlow (Tanaka et al. 2020, as the zero-cost-nas `synflow` measure): the network with every
 * weight replaced by its absolute value, biases and batch-norm shifts by 0 (their initial
 * value, and what the rescaling below needs), batch norm in inference mode with its initial
 * statistics, takes an all-ones image; with R the sum of the logits, the score is Σ θ·∂R/∂θ over
 * the conv/dense kernels. Every variable and running statistic is restored before it returns.
 *
 * float32 cannot hold R for deep cell networks (about 10⁶⁵ for NAS-Bench-201's all-conv3×3
 * cell), so the pass is rescaled. With |θ|, no shifts, a non-negative input and ReLU as the
 * identity, the network is linear in its input and the backward pass linear in its seed: the
 * input is 2⁻¹¹⁰ instead of 1 and the seed 2^-round(log₂ R₀), R₀ the forward sum at that input;
 * both are powers of two, so dividing them back out in float64 is exact, and every value on
 * the way stays within float32's range. Returns the raw score (not its log): 0 for a network
 * with no path from input to output, +Infinity beyond ~10⁷¹, NaN where the network produced one.
 *
 * Deviations: batch norm divides by √(1 + 10⁻⁵) where the reference removes the layer; the
 * reference runs in float64.
 */
export function synflow(network: Network): number {
  const layers = weightLayers(network);
  if (layers.length === 0) return 0;
  const kernels = layers.map((l) => l.kernel);
  const state = [...network.variables, ...network.buffers];
  const saved = state.map((v) => tf.clone(v));
  try {
    tf.tidy(() => {
      for (const v of state) v.assign(linearised(v));
    });
    let seed = 1;
    let overflow = false;
    const perLayer = tf.tidy(() => {
      const ones = tf.fill([1, ...network.inputShape], INPUT) as tf.Tensor4D;
      const { value, grads } = tf.engine().gradients(
        () => {
          const r = tf.sum(network.apply(ones, { training: false }));
          const r0 = r.dataSync()[0]!;
          overflow = r0 === Number.POSITIVE_INFINITY;
          seed = r0 > 0 && Number.isFinite(r0) ? 2 ** -Math.round(Math.log2(r0)) : 1;
          return tf.mul(r, seed) as tf.Scalar;
        },
        kernels,
        undefined,
        true,
      );
      value.dispose();
      return tf.stack(kernels.map((k, i) => (grads[i] ? tf.sum(tf.mul(k, grads[i]!)) : tf.scalar(0))));
    });
    const score = sum(perLayer.dataSync());
    perLayer.dispose();
    return overflow ? Number.POSITIVE_INFINITY : score / INPUT / seed;
  } finally {
    state.forEach((v, i) => {
      v.assign(saved[i]!);
    });
    tf.dispose(saved);
  }
}
