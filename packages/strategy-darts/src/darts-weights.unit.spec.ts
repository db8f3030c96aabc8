import { Rng } from '@archlab/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { betaDecay, gumbelHardWeights, softmaxRows } from './darts-strategy.js';

// References in plain float64 arithmetic, independent of tfjs: the functions and their
// derivatives by central finite differences.

const rng = Rng.fromSeed('darts-weights');
const alpha = Float32Array.from({ length: 30 }, () => rng.normal());
const noise = Float32Array.from(
  { length: 30 },
  () => -Math.log(-Math.log((rng.nextUint32() + 0.5) / 2 ** 32)),
);
const mix = Float64Array.from({ length: 30 }, () => rng.normal());
const tau = 0.7;

function softSample(a: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let e = 0; e < 6; e++) {
    const row = Array.from({ length: 5 }, (_, k) => a[e * 5 + k]!);
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    const logits = row.map((v, k) => (v - lse + noise[e * 5 + k]!) / tau);
    const z = logits.reduce((s, v) => s + Math.exp(v), 0);
    out.push(...logits.map((v) => Math.exp(v) / z));
  }
  return out;
}

function numericGradient(f: (a: Float64Array) => number, at: ArrayLike<number>): number[] {
  const h = 1e-5;
  return Array.from(at, (_, i) => {
    const up = Float64Array.from(at);
    const down = Float64Array.from(at);
    up[i]! += h;
    down[i]! -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

describe('the op weights of gdas and beta-darts', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it("gdas: one-hot of each edge's sampled op in value, the soft sample's gradient (straight-through)", () => {
    const soft = softSample(alpha);
    const { w, only } = gumbelHardWeights(tf.tensor2d(alpha, [6, 5]), alpha, noise, tau);
    const value = Array.from(w.dataSync());
    for (let e = 0; e < 6; e++) {
      const row = soft.slice(e * 5, e * 5 + 5);
      const pick = row.indexOf(Math.max(...row));
      expect(only[e]).toBe(pick);
      for (let k = 0; k < 5; k++) expect(value[e * 5 + k]).toBeCloseTo(k === pick ? 1 : 0, 6);
    }
    const grad = tf.grad((a: tf.Tensor) => {
      const { w } = gumbelHardWeights(a as tf.Tensor2D, alpha, noise, tau);
      return tf.sum(tf.mul(w, tf.tensor2d(Float32Array.from(mix), [6, 5])));
    })(tf.tensor2d(alpha, [6, 5]));
    const reference = numericGradient((a) => softSample(a).reduce((s, p, i) => s + p * mix[i]!, 0), alpha);
    const got = Array.from(grad.dataSync());
    for (let i = 0; i < 30; i++) expect(got[i]).toBeCloseTo(reference[i]!, 3);
  });

  it("beta-darts: the regulariser's gradient is λ/6 · softmax(α) of each edge", () => {
    const lambda = 3;
    const grad = tf.grad((a: tf.Tensor) => betaDecay(a as tf.Tensor2D, lambda))(tf.tensor2d(alpha, [6, 5]));
    const expected = Array.from(softmaxRows(alpha), (p) => (lambda / 6) * p);
    const got = Array.from(grad.dataSync());
    for (let i = 0; i < 30; i++) expect(got[i]).toBeCloseTo(expected[i]!, 6);
    // And its value: λ · mean over edges of log Σ_k exp(α).
    let lse = 0;
    for (let e = 0; e < 6; e++)
      lse += Math.log(Array.from(alpha.subarray(e * 5, e * 5 + 5)).reduce((s, v) => s + Math.exp(v), 0));
    expect(betaDecay(tf.tensor2d(alpha, [6, 5]), lambda).dataSync()[0]).toBeCloseTo((lambda * lse) / 6, 5);
  });
});
