import { Rng } from '@archlab/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/backend.js';
import { batchNorm } from './batch-norm.js';
import { conv2d, depthwiseConv2d, dilateKernel } from './conv.js';
import { dense } from './dense.js';
import { add, flatten, relu, zeros } from './elementwise.js';
import { type Layer, type LayerContext, layerContext } from './layer.js';
import { globalAvgPool, pool2d } from './pool.js';

beforeAll(async () => {
  await initBackend('cpu');
});

let contexts = 0;
const made: Layer[] = [];
function ctx(name = 'l', seed = 1): LayerContext {
  return layerContext(`layers-spec${++contexts}`, name, Rng.fromSeed(seed));
}
function track(layer: Layer): Layer {
  made.push(layer);
  return layer;
}
afterEach(() => {
  for (const l of made.splice(0)) for (const v of [...l.variables, ...l.buffers]) v.dispose();
});

const ones = (shape: number[]) => tf.ones(shape);
const run = (layer: Layer, inputs: tf.Tensor[], training = false) =>
  tf.tidy(() => Array.from(layer.apply(inputs, training).dataSync()));

describe('conv2d', () => {
  it('counts a 3×3 conv 1→2 on 4×4 by hand: 18 weights + 2 biases, 16 positions × 2 × (9 + 1)', () => {
    const l = track(conv2d(ctx(), [4, 4, 1], { kernelSize: 3, filters: 2, useBias: true }));
    expect(l.info).toMatchObject({
      kind: 'conv2d',
      inputShape: [4, 4, 1],
      outputShape: [4, 4, 2],
      params: 20,
      flops: 320,
    });
    expect(l.variables.map((v) => v.shape)).toEqual([[3, 3, 1, 2], [2]]);
    const noBias = track(conv2d(ctx(), [4, 4, 1], { kernelSize: 3, filters: 2 }));
    expect(noBias.info).toMatchObject({ params: 18, flops: 288 });
  });

  it('computes a 3×3 all-ones kernel over an all-ones image: 4 at corners, 6 on edges, 9 inside, plus bias', () => {
    const l = track(conv2d(ctx(), [4, 4, 1], { kernelSize: 3, filters: 1, useBias: true }));
    l.variables[0]!.assign(tf.ones([3, 3, 1, 1]));
    l.variables[1]!.assign(tf.tensor1d([0.5]));
    const row = (a: number, b: number) => [a, b, b, a].map((v) => v + 0.5);
    expect(run(l, [ones([1, 4, 4, 1])])).toEqual([...row(4, 6), ...row(6, 9), ...row(6, 9), ...row(4, 6)]);
  });

  it('halves the size with stride 2 and counts only the output positions', () => {
    const l = track(conv2d(ctx(), [5, 5, 3], { kernelSize: 3, filters: 4, stride: 2 }));
    expect(l.info.outputShape).toEqual([3, 3, 4]);
    expect(l.info.flops).toBe(9 * 4 * 27);
    const valid = track(conv2d(ctx(), [5, 5, 3], { kernelSize: 3, filters: 4, padding: 'valid' }));
    expect(valid.info.outputShape).toEqual([3, 3, 4]);
    expect(tf.tidy(() => valid.apply([ones([2, 5, 5, 3])], false).shape)).toEqual([2, 3, 3, 4]);
  });

  it('computes a dilated convolution as tfjs does, with gradients tfjs itself lacks', () => {
    const l = track(conv2d(ctx(), [7, 7, 2], { kernelSize: 3, filters: 3, dilation: 2 }));
    expect(l.info.attrs).toMatchObject({ dilation: 2, kernelSize: 3 });
    const x = tf.tensor4d(
      Array.from({ length: 98 }, (_, i) => Math.sin(i)),
      [1, 7, 7, 2],
    );
    const ours = run(l, [x]);
    const native = tf.tidy(() =>
      Array.from(tf.conv2d(x, l.variables[0] as tf.Tensor4D, 1, 'same', 'NHWC', 2).dataSync()),
    );
    expect(ours).toEqual(native.map((v) => expect.closeTo(v, 5)));
    const { grads, value } = tf.variableGrads(() => tf.sum(l.apply([x], true)), [...l.variables]);
    expect(Array.from(grads[l.variables[0]!.name]!.dataSync()).some((g) => g !== 0)).toBe(true);
    tf.dispose([x, value, ...Object.values(grads)]);
  });

  it('spaces a kernel: 2×2 with dilation 3 is 4×4 with taps at the corners', () => {
    const k = tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]);
    const d = dilateKernel(k, 3);
    expect(d.shape).toEqual([4, 4, 1, 1]);
    expect(Array.from(d.dataSync())).toEqual([1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 4]);
    tf.dispose([k, d]);
  });

  it('draws He-normal weights from the seed: same seed same weights, std √(2 / fan-in)', () => {
    const a = track(conv2d(ctx('c', 7), [8, 8, 16], { kernelSize: 3, filters: 32 }));
    const b = track(conv2d(ctx('c', 7), [8, 8, 16], { kernelSize: 3, filters: 32 }));
    const c = track(conv2d(ctx('c', 8), [8, 8, 16], { kernelSize: 3, filters: 32 }));
    const w = (l: Layer) => Array.from(l.variables[0]!.dataSync());
    expect(w(a)).toEqual(w(b));
    expect(w(a)).not.toEqual(w(c));
    const values = w(a);
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / (9 * 16)), 2);
  });

  it('rejects a window that does not fit', () => {
    expect(() => conv2d(ctx(), [2, 2, 1], { kernelSize: 3, filters: 1, padding: 'valid' })).toThrow(
      /does not fit/,
    );
    expect(() => conv2d(ctx(), [4, 4, 1], { kernelSize: 3, filters: 0 })).toThrow(/filters/);
  });
});

describe('depthwiseConv2d', () => {
  it('counts one k×k filter per channel: 3×3 on 4×4×2 has 18 weights and 16 × 2 × 9 multiply-adds', () => {
    const l = track(depthwiseConv2d(ctx(), [4, 4, 2], { kernelSize: 3 }));
    expect(l.info).toMatchObject({
      kind: 'depthwise_conv2d',
      outputShape: [4, 4, 2],
      params: 18,
      flops: 288,
    });
  });

  it('filters each channel alone', () => {
    const l = track(depthwiseConv2d(ctx(), [3, 3, 2], { kernelSize: 3 }));
    tf.tidy(() =>
      l.variables[0]!.assign(tf.reshape(tf.stack([tf.zeros([3, 3]), tf.ones([3, 3])], 2), [3, 3, 2, 1])),
    );
    const x = tf.tidy(() => tf.concat([tf.ones([1, 3, 3, 1]), tf.fill([1, 3, 3, 1], 2)], 3));
    // channel 0 has a zero kernel; channel 1 sums a 3×3 window of 2s: 8 at corners, 12 on edges, 18 in the centre.
    expect(run(l, [x])).toEqual([0, 8, 0, 12, 0, 8, 0, 12, 0, 18, 0, 12, 0, 8, 0, 12, 0, 8]);
    x.dispose();
  });
});

describe('batchNorm', () => {
  it('has 2 trainable weights per channel, normalises with batch statistics in training and updates the running ones', () => {
    const l = track(batchNorm(ctx(), [1, 2, 1], { momentum: 0.9, epsilon: 1e-5 }));
    expect(l.info).toMatchObject({ kind: 'batch_norm', params: 2, flops: 0 });
    const x = tf.tensor4d([1, 3, 5, 7], [2, 1, 2, 1]);
    // mean 4, biased variance 5, unbiased 20/3
    const y = run(l, [x], true);
    const s = Math.sqrt(5 + 1e-5);
    expect(y).toEqual([1, 3, 5, 7].map((v) => expect.closeTo((v - 4) / s, 5)));
    expect(l.buffers[0]!.dataSync()[0]).toBeCloseTo(0.4, 6);
    expect(l.buffers[1]!.dataSync()[0]).toBeCloseTo(0.9 + 0.1 * (20 / 3), 5);
    // inference uses the running averages
    const z = run(l, [x], false);
    const rs = Math.sqrt(0.9 + 0.1 * (20 / 3) + 1e-5);
    expect(z).toEqual([1, 3, 5, 7].map((v) => expect.closeTo((v - 0.4) / rs, 5)));
    x.dispose();
  });

  it('in training, has the gradients of tf.batchNorm over batch moments (input, gamma and beta)', () => {
    const l = track(batchNorm(ctx(), [3, 3, 2], { momentum: 0.9, epsilon: 1e-5 }));
    const [gamma, beta] = l.variables as tf.Variable[];
    gamma!.assign(tf.tensor1d([1.5, -0.5]));
    beta!.assign(tf.tensor1d([0.2, 0.1]));
    const x = tf.randomNormal([4, 3, 3, 2], 0, 2, 'float32', 7);
    const w = tf.randomNormal([4, 3, 3, 2], 0, 1, 'float32', 8);
    const loss = (f: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      gamma!.assign(g as tf.Tensor1D);
      beta!.assign(b as tf.Tensor1D);
      return tf.sum(tf.mul(f(x), w));
    };
    const ours = loss((x) => l.apply([x], true));
    const reference = loss((x) => {
      const m = tf.moments(x, [0, 1, 2]);
      return tf.batchNorm(x, m.mean, m.variance, tf.tensor1d([0.2, 0.1]), tf.tensor1d([1.5, -0.5]), 1e-5);
    });
    const g0 = tf.tensor1d([1.5, -0.5]);
    const b0 = tf.tensor1d([0.2, 0.1]);
    const [dxOurs] = tf.grads((x: tf.Tensor) => ours(x, g0, b0))([x]);
    const [dxRef] = tf.grads((x: tf.Tensor) => reference(x, g0, b0))([x]);
    const diff = tf.max(tf.abs(tf.sub(dxOurs!, dxRef!))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-4);
    // d/dbeta = sum of w per channel; d/dgamma = sum of w * normalised x per channel
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.mul(l.apply([x], true), w)) as tf.Scalar,
      [gamma!, beta!],
    );
    const wSum = tf.sum(w, [0, 1, 2]).arraySync() as number[];
    expect(Array.from(grads[beta!.name]!.dataSync())).toEqual(wSum.map((v) => expect.closeTo(v, 4)));
    const m = tf.moments(x, [0, 1, 2]);
    const xHat = tf.div(tf.sub(x, m.mean), tf.sqrt(tf.add(m.variance, 1e-5)));
    const gammaRef = tf.sum(tf.mul(w, xHat), [0, 1, 2]).arraySync() as number[];
    expect(Array.from(grads[gamma!.name]!.dataSync())).toEqual(gammaRef.map((v) => expect.closeTo(v, 4)));
  });

  it.each([true, false])(
    'applyScaled (training %s) is s times apply, with the gradient to s and to x',
    (training) => {
      const l = track(batchNorm(ctx(), [3, 3, 2]));
      tf.tidy(() => l.apply([tf.randomNormal([4, 3, 3, 2], 1, 2, 'float32', 5)], true)); // running statistics off (0, 1)
      const x = tf.randomNormal([4, 3, 3, 2], 0, 2, 'float32', 7);
      const w = tf.randomNormal([4, 3, 3, 2], 0, 1, 'float32', 8);
      const s = tf.scalar(0.7);
      const scaled = (x: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(l.applyScaled(x, s, training), w));
      const reference = (x: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(tf.mul(l.apply([x], training), s), w));
      const [dx, ds] = tf.grads(scaled)([x, s]);
      const [dxRef, dsRef] = tf.grads(reference)([x, s]);
      expect(scaled(x, s).dataSync()[0]).toBeCloseTo(reference(x, s).dataSync()[0]!, 4);
      expect(tf.max(tf.abs(tf.sub(dx!, dxRef!))).dataSync()[0]).toBeLessThan(1e-5);
      expect(ds!.dataSync()[0]).toBeCloseTo(dsRef!.dataSync()[0]!, 4);
      expect(Math.abs(dsRef!.dataSync()[0]!)).toBeGreaterThan(1e-3);
    },
  );
});

describe('pooling', () => {
  const x = () => tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);

  it('averages only pixels inside the image under same padding (count_include_pad=False)', () => {
    const l = pool2d(ctx(), [3, 3, 1], 'avg', { size: 3, stride: 1 });
    const t = x();
    expect(run(l, [t])).toEqual([3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7]);
    t.dispose();
  });

  it('gives each pixel Σ 1/count over the windows holding it as its average pool gradient', () => {
    // Window counts on 3×3: 4 at the corners, 6 on the sides, 9 in the middle.
    const grad = (size: number, stride: number) => {
      const l = pool2d(ctx(), [3, 3, 1], 'avg', { size, stride });
      const t = x();
      const g = tf.grad((input: tf.Tensor) => tf.sum(l.apply([input], true)))(t);
      const out = Array.from(g.dataSync());
      tf.dispose([t, g]);
      return out;
    };
    const corner = 1 / 4 + 2 / 6 + 1 / 9;
    const side = 2 / 4 + 3 / 6 + 1 / 9;
    const expected3 = [corner, side, corner, side, 4 / 4 + 4 / 6 + 1 / 9, side, corner, side, corner];
    for (const [i, g] of grad(3, 1).entries()) expect(g).toBeCloseTo(expected3[i]!, 6);
    // 2×2 stride 2 on 3×3 pads the bottom and right: windows of 4, 2, 2 and 1 pixels.
    const expected2 = [1 / 4, 1 / 4, 1 / 2, 1 / 4, 1 / 4, 1 / 2, 1 / 2, 1 / 2, 1];
    for (const [i, g] of grad(2, 2).entries()) expect(g).toBeCloseTo(expected2[i]!, 6);
  });

  it('halves the sides rounding up with a 2×2 stride-2 pool', () => {
    const l = pool2d(ctx(), [3, 3, 1], 'max', { size: 2 });
    expect(l.info).toMatchObject({ kind: 'max_pool', outputShape: [2, 2, 1], params: 0, flops: 0 });
    const t = x();
    expect(run(l, [t])).toEqual([5, 6, 8, 9]);
    t.dispose();
  });

  it('global average pooling gives one mean per channel', () => {
    const l = globalAvgPool(ctx(), [3, 3, 1]);
    expect(l.info.outputShape).toEqual([1]);
    const t = x();
    expect(run(l, [t])).toEqual([5]);
    t.dispose();
  });
});

describe('dense, relu, add, zeros', () => {
  it('dense counts in × out + out and multiplies', () => {
    const l = track(dense(ctx(), [3], { units: 2 }));
    expect(l.info).toMatchObject({ kind: 'dense', params: 8, flops: 8, outputShape: [2] });
    l.variables[0]!.assign(tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]));
    l.variables[1]!.assign(tf.tensor1d([10, 20]));
    const x = tf.tensor2d([1, 2, 3], [1, 3]);
    expect(run(l, [x])).toEqual([1 + 3 + 10, 2 + 3 + 20]);
    x.dispose();
  });

  it('relu, add and zeros are parameter-free and do what they say', () => {
    const x = tf.tensor4d([-1, 2], [1, 1, 1, 2]);
    expect(run(relu(ctx(), [1, 1, 2]), [x])).toEqual([0, 2]);
    expect(
      run(
        add(ctx(), [
          [1, 1, 2],
          [1, 1, 2],
          [1, 1, 2],
        ]),
        [x, x, x],
      ),
    ).toEqual([-3, 6]);
    expect(run(zeros(ctx(), [1, 1, 2]), [x])).toEqual([0, 0]);
    expect(() =>
      add(ctx(), [
        [1, 1, 2],
        [1, 1, 3],
      ]),
    ).toThrow(/cannot add/);
    x.dispose();
  });

  it('flatten keeps the values in NHWC order, one row per image', () => {
    const l = flatten(ctx(), [2, 1, 2]);
    expect(l.info).toMatchObject({
      kind: 'flatten',
      inputShape: [2, 1, 2],
      outputShape: [4],
      params: 0,
      flops: 0,
    });
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 1, 2]);
    const y = tf.tidy(() => l.apply([x], false));
    expect(y.shape).toEqual([2, 4]);
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    tf.dispose([x, y]);
    expect(() => flatten(ctx(), [3, 0, 1])).toThrow(/cannot flatten/);
  });
});
