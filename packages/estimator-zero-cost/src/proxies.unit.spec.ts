import { InvalidOptionError } from '@archlab/core';
import { initBackend, type Network, NetworkBuilder } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradientProxies, type TensorBatch } from './gradient-proxies.js';
import { jacobCov } from './jacob-cov.js';
import { PROXIES, parseProxies } from './proxies.js';
import { synflow } from './synflow.js';

// Every proxy against an independent computation: the same tiny network written out with
// plain tfjs ops on the cpu backend (or by hand), its weights fixed.

beforeAll(async () => {
  await initBackend('cpu');
});

const K = Float32Array.from({ length: 18 }, (_, i) => (((i * 7) % 11) - 5) / 10); // conv 3×3×1×2
const W = Float32Array.from([0.5, -0.3, 0.8, -0.6, 0.2, 0.4]); // dense 2×3
const B = Float32Array.from([0.1, -0.2, 0.05]);
const IMAGES = Float32Array.from({ length: 3 * 16 }, (_, i) => (((i * 5) % 13) - 6) / 6);
const LABELS = [0, 2, 1];

function setVariable(net: Network, suffix: string, values: Float32Array): void {
  const v = net.variables.find((x) => x.name.endsWith(`/${suffix}`));
  if (!v) throw new Error(`no variable ${suffix}`);
  tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
}

/** conv 3×3 (2 filters, no bias) → batch norm → ReLU → global average pool → dense 3, on 4×4×1. */
function convNet(): Network {
  const b = new NetworkBuilder([4, 4, 1], 0);
  const x = b.relu('relu', b.batchNorm('bn', b.conv2d('conv', b.input, { kernelSize: 3, filters: 2 })));
  const net = b.build(b.dense('dense', b.globalAvgPool('pool', x), { units: 3 }));
  setVariable(net, 'conv/kernel', K);
  setVariable(net, 'dense/kernel', W);
  setVariable(net, 'dense/bias', B);
  return net;
}

function batchOf(n: number, side = 4, channels = 1): TensorBatch {
  return tf.tidy(() => ({
    images: tf.tensor4d(IMAGES.slice(0, n * side * side * channels), [n, side, side, channels]),
    labels: tf.oneHot(tf.tensor1d(LABELS.slice(0, n), 'int32'), 3).cast('float32') as tf.Tensor2D,
  }));
}

/** Mean softmax cross-entropy, written out (without a max shift: twice differentiable in tfjs, and the logits here are small). */
function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar {
  const logSumExp = tf.log(tf.sum(tf.exp(logits), 1, true));
  return tf.neg(tf.mean(tf.sum(tf.mul(labels, tf.sub(logits, logSumExp)), 1)));
}

/** convNet's forward pass after the convolution, batch norm with batch statistics. */
function afterConv(z: tf.Tensor4D, w: tf.Tensor2D): tf.Tensor2D {
  const { mean, variance } = tf.moments(z, [0, 1, 2]);
  const y = tf.relu(tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, 1e-5))));
  return tf.add(tf.matMul(tf.mean(y, [1, 2]) as tf.Tensor2D, w), tf.tensor1d(B));
}

const conv = (x: tf.Tensor4D, k: tf.Tensor4D) => tf.conv2d(x, k, 1, 'same');
const kernelT = () => tf.tensor4d(K, [3, 3, 1, 2]);
const denseT = () => tf.tensor2d(W, [2, 3]);

function close(actual: number, expected: number, relative: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(
    relative * Math.abs(expected) + 1e-12,
  );
}

describe('synflow', () => {
  it('is 2R for a conv → dense network (R is linear in each kernel), R summed by hand', () => {
    const net = convNet();
    // |kernel| on an all-ones 4×4 image with 'same' zero padding, batch norm (0, 1) → ÷√(1+1e-5), mean over 16 pixels.
    const pooled = [0, 1].map((c) => {
      let s = 0;
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          for (let di = -1; di <= 1; di++) {
            for (let dj = -1; dj <= 1; dj++) {
              if (i + di < 0 || i + di > 3 || j + dj < 0 || j + dj > 3) continue;
              s += Math.abs(K[((di + 1) * 3 + (dj + 1)) * 2 + c]!);
            }
          }
        }
      }
      return s / 16 / Math.sqrt(1 + 1e-5);
    });
    // The bias is left out (set to 0): the rescaled pass needs a network without shifts.
    let r = 0;
    for (let u = 0; u < 3; u++) for (let c = 0; c < 2; c++) r += Math.abs(W[c * 3 + u]!) * pooled[c]!;
    close(synflow(net), 2 * r, 1e-5);
    net.dispose();
  });

  it('restores every variable', () => {
    const net = convNet();
    const before = net.variables.map((v) => Array.from(v.dataSync()));
    synflow(net);
    expect(net.variables.map((v) => Array.from(v.dataSync()))).toEqual(before);
    net.dispose();
  });

  it('reaches values far beyond float32 (a chain of 25 convolutions of weight ±100: 26·100²⁶)', () => {
    const chain = (depth: number) => {
      const b = new NetworkBuilder([1, 1, 1], 0);
      let x = b.input;
      for (let i = 0; i < depth; i++) x = b.conv2d(`c${i}`, x, { kernelSize: 1, filters: 1 });
      const net = b.build(b.dense('dense', b.globalAvgPool('pool', x), { units: 1 }));
      tf.tidy(() => {
        for (const v of net.variables) v.assign(tf.fill(v.shape, v.name.endsWith('bias') ? 0 : -100));
      });
      return net;
    };
    const net = chain(25);
    close(synflow(net), 26 * 100 ** 26, 1e-5);
    net.dispose();
    // Past ~1e71 the forward pass overflows float32: reported as Infinity, never a wrong finite value.
    const huge = chain(40);
    expect(synflow(huge)).toBe(Number.POSITIVE_INFINITY);
    huge.dispose();
  });
});

describe('snip, grad_norm and fisher', () => {
  it('match the loss gradients of the written-out network (batch statistics, mean cross-entropy)', () => {
    const net = convNet();
    const batch = batchOf(3);
    const got = gradientProxies(net, batch, ['snip', 'grad_norm', 'fisher']);
    const expected = tf.tidy(() => {
      const loss = (k: tf.Tensor4D, w: tf.Tensor2D) =>
        crossEntropy(afterConv(conv(batch.images, k), w), batch.labels);
      const [gk, gw] = tf.grads((k, w) => loss(k as tf.Tensor4D, w as tf.Tensor2D))([
        kernelT(),
        denseT(),
      ]) as [tf.Tensor, tf.Tensor];
      const snip = tf.add(tf.sum(tf.abs(tf.mul(gk, kernelT()))), tf.sum(tf.abs(tf.mul(gw, denseT()))));
      const gradNorm = tf.add(tf.norm(gk), tf.norm(gw));
      // Fisher: per image and channel, Σ over positions of activation × its gradient, at the conv output and the logits.
      const z = conv(batch.images, kernelT());
      const dz = tf.grad((zz) => crossEntropy(afterConv(zz as tf.Tensor4D, denseT()), batch.labels))(z);
      const fConv = tf.sum(tf.mul(z, dz), [1, 2]);
      const a = afterConv(z, denseT());
      const da = tf.grad((aa) => crossEntropy(aa as tf.Tensor2D, batch.labels))(a);
      const fDense = tf.mul(a, da);
      // Each channel's value counts once per kernel weight feeding it: 3·3·1 for the conv, 2 for the dense layer.
      const fisher = tf.mul(
        0.5 / 3,
        tf.add(tf.mul(9, tf.sum(tf.square(fConv))), tf.mul(2, tf.sum(tf.square(fDense)))),
      );
      return [snip, gradNorm, fisher].map((t) => t.dataSync()[0]!);
    });
    close(got.snip!, expected[0]!, 1e-5);
    close(got.grad_norm!, expected[1]!, 1e-5);
    close(got.fisher!, expected[2]!, 1e-4);
    expect(got.fisher).toBeGreaterThan(0);
    net.dispose();
    tf.dispose([batch.images, batch.labels]);
  });
});

/**
 * Loss gradient of pool → dense(w1, b1) → ReLU → dense(w2) with mean softmax cross-entropy,
 * backpropagated by hand in float64: `p` is [n, 4], w1 [4, 5] and w2 [5, 3] row-major.
 */
function mlpGradient(p: number[][], labels: number[], w1: number[], b1: number[], w2: number[]): number[][] {
  const n = p.length;
  const dw1 = new Array<number>(20).fill(0);
  const dw2 = new Array<number>(15).fill(0);
  for (let i = 0; i < n; i++) {
    const pre = [0, 1, 2, 3, 4].map(
      (j) => b1[j]! + [0, 1, 2, 3].reduce((s, k) => s + p[i]![k]! * w1[k * 5 + j]!, 0),
    );
    const h = pre.map((v) => Math.max(v, 0));
    const logits = [0, 1, 2].map((u) => h.reduce((s, hj, j) => s + hj * w2[j * 3 + u]!, 0));
    const z = logits.reduce((s, l) => s + Math.exp(l), 0);
    const dl = logits.map((l, u) => (Math.exp(l) / z - (u === labels[i] ? 1 : 0)) / n);
    const dh = h.map((_, j) => (pre[j]! > 0 ? dl.reduce((s, d, u) => s + d * w2[j * 3 + u]!, 0) : 0));
    for (let j = 0; j < 5; j++) for (let u = 0; u < 3; u++) dw2[j * 3 + u]! += h[j]! * dl[u]!;
    for (let k = 0; k < 4; k++) for (let j = 0; j < 5; j++) dw1[k * 5 + j]! += p[i]![k]! * dh[j]!;
  }
  return [dw1, dw2];
}

describe('grasp', () => {
  it('matches −θ·Hg with Hg a float64 central difference along g of a hand-written gradient', () => {
    // pool → dense 4→5 → ReLU → dense 5→3 on 1×1×4 "images". (tfjs's own double backward is
    // not usable as the reference: its θ·Hg and g·Hθ disagree on this network.)
    const b = new NetworkBuilder([1, 1, 4], 0);
    const h = b.relu('relu', b.dense('d1', b.globalAvgPool('pool', b.input), { units: 5 }));
    const net = b.build(b.dense('d2', h, { units: 3 }));
    const w1 = Float32Array.from({ length: 20 }, (_, i) => (((i * 3) % 7) - 3) / 4);
    const b1 = Float32Array.from([0.1, -0.1, 0.2, 0, 0.3]);
    const w2 = Float32Array.from({ length: 15 }, (_, i) => (((i * 5) % 9) - 4) / 5);
    setVariable(net, 'd1/kernel', w1);
    setVariable(net, 'd1/bias', b1);
    setVariable(net, 'd2/kernel', w2);
    const batch = batchOf(3, 1, 4);
    const p = [0, 1, 2].map((i) => Array.from(IMAGES.slice(i * 4, i * 4 + 4)));
    const theta = [Array.from(w1), Array.from(w2)];
    const grad = (t: number[][]) => mlpGradient(p, LABELS, t[0]!, Array.from(b1), t[1]!);
    const g = grad(theta);
    const eps = 1e-6;
    const at = (sign: number) => grad(theta.map((t, l) => t.map((v, i) => v + sign * eps * g[l]![i]!)));
    const [plus, minus] = [at(1), at(-1)];
    let expected = 0;
    for (let l = 0; l < 2; l++) {
      for (let i = 0; i < theta[l]!.length; i++) {
        expected -= (theta[l]![i]! * (plus[l]![i]! - minus[l]![i]!)) / (2 * eps);
      }
    }
    expect(Math.abs(expected)).toBeGreaterThan(1e-2);
    close(gradientProxies(net, batch, ['grasp']).grasp!, expected, 1e-3);
    net.dispose();
    tf.dispose([batch.images, batch.labels]);
  });

  it('is stable in the step on a batch-normalised network (θ·∇L cancels there; the difference runs along θ)', () => {
    const net = convNet();
    const batch = batchOf(3);
    const a = gradientProxies(net, batch, ['grasp'], { step: 1e-2 }).grasp!;
    const b = gradientProxies(net, batch, ['grasp'], { step: 3e-3 }).grasp!;
    expect(a).not.toBe(0);
    close(a, b, 1e-2);
    net.dispose();
    tf.dispose([batch.images, batch.labels]);
  });
});

describe('jacob_cov', () => {
  it('scores the correlation of the input gradients of two images, eigenvalues 1 ± r', () => {
    const net = convNet();
    const { images, labels } = batchOf(2);
    const rows = tf.tidy(() =>
      tf
        .grad((x) => tf.sum(afterConv(conv(x as tf.Tensor4D, kernelT()), denseT())))(images)
        .dataSync(),
    );
    const [x, y] = [Array.from(rows.slice(0, 16)), Array.from(rows.slice(16))];
    const centred = (v: number[]) => v.map((e) => e - v.reduce((s, f) => s + f, 0) / v.length);
    const [cx, cy] = [centred(x), centred(y)];
    const dot = (u: number[], v: number[]) => u.reduce((s, e, i) => s + e * v[i]!, 0);
    const r = dot(cx, cy) / Math.sqrt(dot(cx, cx) * dot(cy, cy));
    const k = 1e-5;
    const expected = -(Math.log(1 + r + k) + 1 / (1 + r + k) + Math.log(1 - r + k) + 1 / (1 - r + k));
    close(jacobCov(net, images), expected, 1e-4);
    net.dispose();
    tf.dispose([images, labels]);
  });
});

describe('parseProxies', () => {
  it('reads a comma-separated list in order, without repeats', () => {
    expect(parseProxies('synflow, jacob_cov,synflow')).toEqual(['synflow', 'jacob_cov']);
    expect(parseProxies([...PROXIES])).toEqual([...PROXIES]);
  });

  it('rejects an unknown or empty list, naming the known proxies', () => {
    expect(() => parseProxies('synflow,naswot')).toThrow(InvalidOptionError);
    expect(() => parseProxies('synflow,naswot')).toThrow(
      "unknown proxy 'naswot'; known proxies: synflow, snip, grasp, fisher, grad_norm, jacob_cov, params, flops",
    );
    expect(() => parseProxies('')).toThrow(/no proxy given/);
  });
});

afterAll(() => {
  expect(tf.memory().numTensors).toBe(0);
});
