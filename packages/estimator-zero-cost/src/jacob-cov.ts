import type { Network } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { symmetricEigenvalues } from './symmetric-eigenvalues.js';

/** Added to each eigenvalue, as in the reference (k = 1e-5). */
const K = 1e-5;

/**
 * jacob_cov (the zero-cost-nas measure, after Mellor et al.'s NASWOT): J = ∂(Σ logits)/∂x for
 * the batch in one backward pass (batch norm in training mode, so images interact through the
 * batch statistics, as in the reference), one row per image; C = the correlation matrix of the
 * rows; the score is −Σ (log(λ + k) + 1/(λ + k)) over C's eigenvalues λ, k = 10⁻⁵. Correlations
 * and eigenvalues (Jacobi) are in float64. NaN when C is undefined: an image whose Jacobian is
 * constant (e.g. a network with no path from input to output), as numpy's corrcoef gives.
 */
export function jacobCov(network: Network, images: tf.Tensor4D): number {
  const jacobian = tf.tidy(() => {
    const { value, grads } = tf
      .engine()
      .gradients(
        () => tf.sum(network.apply(images, { training: true })) as tf.Scalar,
        [images],
        undefined,
        true,
      );
    value.dispose();
    return grads[0] ?? tf.zerosLike(images);
  });
  const rows = jacobian.dataSync();
  jacobian.dispose();
  const n = images.shape[0];
  return jacobCovScore(correlationMatrix(rows, n));
}

/** −Σ (log(λ + k) + 1/(λ + k)) over the eigenvalues λ of the symmetric n×n matrix `c`. */
export function jacobCovScore(c: Float64Array): number {
  const n = Math.round(Math.sqrt(c.length));
  let score = 0;
  for (const v of symmetricEigenvalues(c, n)) score -= Math.log(v + K) + 1 / (v + K);
  return score;
}

/**
 * Pearson correlations between the `n` rows of `x` (row-major), in float64, as numpy's
 * `corrcoef(x)`: NaN in the rows and columns of a constant row.
 */
export function correlationMatrix(x: ArrayLike<number>, n: number): Float64Array {
  const d = x.length / n;
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`${x.length} values do not split into ${n} rows`);
  const centred = new Float64Array(x.length);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let mean = 0;
    for (let j = 0; j < d; j++) mean += x[i * d + j]!;
    mean /= d;
    let ss = 0;
    for (let j = 0; j < d; j++) {
      const v = x[i * d + j]! - mean;
      centred[i * d + j] = v;
      ss += v * v;
    }
    norms[i] = Math.sqrt(ss);
  }
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += centred[i * d + k]! * centred[j * d + k]!;
      c[i * n + j] = c[j * n + i] = dot / (norms[i]! * norms[j]!);
    }
  }
  return c;
}
