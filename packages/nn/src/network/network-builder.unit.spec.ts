import { DataError, Rng } from '@archlab/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/backend.js';
import { gradientProblems } from './gradient-check.js';
import type { Network } from './network.js';
import { NetworkBuilder } from './network-builder.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** input 4×4×1 → conv3×3 (2, bias) → BN → ReLU → global average pool → dense 3. */
function tiny(seed = 1): Network {
  const b = new NetworkBuilder([4, 4, 1], seed);
  const h = b.relu(
    'relu',
    b.batchNorm('bn', b.conv2d('conv', b.input, { kernelSize: 3, filters: 2, useBias: true })),
  );
  return b.build(b.dense('dense', b.globalAvgPool('pool', h), { units: 3 }));
}

const IMAGE = Array.from({ length: 16 }, (_, i) => ((i * 7) % 5) - 2);

/** The tiny network in plain loops, reading its weights: the hand computation. */
function reference(net: Network, image: number[]): number[] {
  const [kernel, bias, gamma, beta, w, wb] = net.variables.map((v) => Array.from(v.dataSync()));
  const [mean, variance] = net.buffers.map((v) => Array.from(v.dataSync()));
  const at = (r: number, c: number) => (r < 0 || r > 3 || c < 0 || c > 3 ? 0 : image[r * 4 + c]!);
  const pooled = [0, 1].map((f) => {
    let sum = 0;
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) {
        let v = bias![f]!;
        // kernel [3, 3, 1, 2]: index (dr * 3 + dc) * 2 + f
        for (let dr = 0; dr < 3; dr++)
          for (let dc = 0; dc < 3; dc++) v += at(r + dr - 1, c + dc - 1) * kernel![(dr * 3 + dc) * 2 + f]!;
        const bn = ((v - mean![f]!) / Math.sqrt(variance![f]! + 1e-5)) * gamma![f]! + beta![f]!;
        sum += Math.max(0, bn);
      }
    }
    return sum / 16;
  });
  return [0, 1, 2].map((u) => pooled[0]! * w![u]! + pooled[1]! * w![3 + u]! + wb![u]!);
}

describe('NetworkBuilder', () => {
  it('reports every layer in order with shapes, params and FLOPs counted by hand', () => {
    const net = tiny();
    expect(net.layers().map((l) => [l.name, l.kind, l.inputShape, l.outputShape, l.params, l.flops])).toEqual(
      [
        ['conv', 'conv2d', [4, 4, 1], [4, 4, 2], 20, 320],
        ['bn', 'batch_norm', [4, 4, 2], [4, 4, 2], 4, 0],
        ['relu', 'relu', [4, 4, 2], [4, 4, 2], 0, 0],
        ['pool', 'global_avg_pool', [4, 4, 2], [2], 0, 0],
        ['dense', 'dense', [2], [3], 9, 9],
      ],
    );
    expect(net.paramCount()).toBe(33);
    expect(net.variables.reduce((n, v) => n + v.size, 0)).toBe(33);
    expect(net.flops()).toBe(329);
    expect(net.buffers.map((v) => v.shape)).toEqual([[2], [2]]);
    expect(net.numClasses).toBe(3);
    net.dispose();
  });

  it('lists its dataflow, residual branches included, and frees each value after its last reader', () => {
    const b = new NetworkBuilder([2, 2, 1], 0);
    const c = b.conv2d('conv', b.input, { kernelSize: 1, filters: 1 });
    const sum = b.add('add', [b.relu('relu', c), c]);
    const net = b.build(b.dense('dense', b.flatten('flat', sum), { units: 2 }));
    expect(net.dataflow()).toEqual([
      { inputs: [0], output: 1, free: [] }, // the caller owns the input
      { inputs: [1], output: 2, free: [] }, // conv's output is read again by add
      { inputs: [2, 1], output: 3, free: [2, 1] },
      { inputs: [3], output: 4, free: [3] },
      { inputs: [4], output: 5, free: [4] }, // the logits are the caller's
    ]);
    net.dispose();
  });

  it('runs every layer through a hook: run() as the network would, or a replacement', () => {
    const net = tiny();
    const x = tf.tensor4d(IMAGE, [1, 4, 4, 1]);
    const seen: string[] = [];
    const plain = tf.tidy(() => Array.from(net.apply(x).dataSync()));
    const hooked = tf.tidy(() =>
      Array.from(
        net
          .apply(x, {
            hook: (info, inputs, run) => {
              seen.push(`${info.name}:${inputs.length}`);
              return run();
            },
          })
          .dataSync(),
      ),
    );
    expect(hooked).toEqual(plain);
    expect(seen).toEqual(['conv:1', 'bn:1', 'relu:1', 'pool:1', 'dense:1']);
    // Zeroing the pooled features leaves the dense layer's bias: zeros before training.
    const zeroed = tf.tidy(() =>
      Array.from(
        net
          .apply(x, { hook: (info, _inputs, run) => (info.name === 'pool' ? tf.zeros([1, 2]) : run()) })
          .dataSync(),
      ),
    );
    expect(zeroed).toEqual([0, 0, 0]);
    // run(others) computes the layer on other inputs: zero features into dense give the same.
    const rerun = tf.tidy(() =>
      Array.from(
        net
          .apply(x, {
            hook: (info, inputs, run) => (info.name === 'dense' ? run([tf.zerosLike(inputs[0]!)]) : run()),
          })
          .dataSync(),
      ),
    );
    expect(rerun).toEqual(zeroed);
    x.dispose();
    net.dispose();
  });

  it('computes what the hand computation does, in inference and after a training step moved the BN statistics', () => {
    const net = tiny();
    tf.tidy(() => net.variables[1]!.assign(tf.tensor1d([0.3, -0.2]))); // a non-zero bias exercises the bias path
    const x = tf.tensor4d(IMAGE, [1, 4, 4, 1]);
    const check = () => {
      const y = net.apply(x);
      const want = reference(net, IMAGE);
      expect(Array.from(y.dataSync())).toEqual(want.map((v) => expect.closeTo(v, 5)));
      y.dispose();
    };
    check();
    tf.tidy(() => net.apply(tf.concat([x, tf.mul(x, 2)]) as tf.Tensor4D, { training: true }));
    expect(Array.from(net.buffers[0]!.dataSync()).some((m) => m !== 0)).toBe(true);
    check();
    x.dispose();
    net.dispose();
  });

  it('gives identical weights and outputs for the same seed, others for another', () => {
    const [a, b, c] = [tiny(5), tiny(5), tiny(6)];
    const weights = (n: Network) => n.variables.map((v) => Array.from(v.dataSync()));
    expect(weights(a)).toEqual(weights(b));
    expect(weights(a)).not.toEqual(weights(c));
    const x = tf.tensor4d(IMAGE, [1, 4, 4, 1]);
    const out = (n: Network) => tf.tidy(() => Array.from(n.apply(x).dataSync()));
    expect(out(a)).toEqual(out(b));
    expect(out(a)).not.toEqual(out(c));
    // Variables are named apart: three networks live side by side.
    expect(new Set([a, b, c].flatMap((n) => n.variables.map((v) => v.name))).size).toBe(18);
    for (const n of [a, b, c]) n.dispose();
    x.dispose();
  });

  it('gives every variable a finite, non-zero gradient', () => {
    const net = tiny();
    const rng = Rng.fromSeed(3);
    const x = tf.tensor4d(
      Array.from({ length: 64 }, () => rng.normal()),
      [4, 4, 4, 1],
    );
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3));
    expect(gradientProblems(net, x, labels)).toEqual([]);
    tf.dispose([x, labels]);
    net.dispose();
  });

  it('leaks no tensors across build, inference, training, gradients and dispose', () => {
    const before = tf.memory().numTensors;
    const net = tiny();
    const x = tf.ones([2, 4, 4, 1]) as tf.Tensor4D;
    tf.dispose(net.apply(x));
    tf.dispose(net.apply(x, { training: true }));
    const { value, grads } = tf.variableGrads(
      () => tf.mean(net.apply(x, { training: true })) as tf.Scalar,
      [...net.variables],
    );
    tf.dispose([value, ...Object.values(grads), x]);
    net.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses images of another shape, use after dispose, and malformed graphs', () => {
    const net = tiny();
    const wrong = tf.ones([1, 28, 28, 1]) as tf.Tensor4D;
    expect(() => net.apply(wrong)).toThrow(DataError);
    net.dispose();
    expect(() => net.apply(wrong)).toThrow(/disposed/);
    wrong.dispose();

    const before = tf.memory().numTensors;
    const b = new NetworkBuilder([4, 4, 1], 1);
    const h = b.conv2d('conv', b.input, { kernelSize: 3, filters: 2 });
    expect(() => b.relu('conv', h)).toThrow(/already has a layer named 'conv'/);
    b.relu('unused', h);
    expect(() => b.build(b.dense('dense', b.globalAvgPool('pool', h), { units: 2 }))).toThrow(
      /'unused' does not lead to the network's output/,
    );
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
