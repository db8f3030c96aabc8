import { ConfigError, DataError, MalformedArchitectureError, Rng } from '@archlab/core';
import { initBackend } from '@archlab/nn';
import { mbv3Space } from '@archlab/space-mbv3';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OfaSubnet, OfaSupernet, type OfaSupernetConfig } from './ofa-supernet.js';

beforeAll(async () => {
  await initBackend('cpu');
});

// A tiny supernet: 8×8 images, stem 4, two stages (4 channels stride 1, 6 channels stride 2),
// up to 2 blocks each, kernels 3/5/7, expand ratios 2/3.
const TINY: OfaSupernetConfig = {
  inputChannels: 1,
  numClasses: 3,
  stem: 4,
  stemStride: 1,
  widths: [4, 6],
  strides: [1, 2],
  final: 8,
  depths: [1, 2],
  kernels: [3, 5, 7],
  expands: [2, 3],
  seed: 3,
};

const SMALL: OfaSubnet = {
  resolution: 6,
  stages: [[{ kernel: 3, expand: 2 }], [{ kernel: 3, expand: 2 }]],
};
const MIXED: OfaSubnet = {
  resolution: 8,
  stages: [
    [
      { kernel: 5, expand: 3 },
      { kernel: 3, expand: 2 },
    ],
    [{ kernel: 7, expand: 2 }],
  ],
};

const images = (n: number, side: number, seed: number) =>
  tf.tidy(() => tf.randomNormal([n, side, side, 1], 0, 1, 'float32', seed) as tf.Tensor4D);
const values = (t: tf.Tensor) => {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
};
function expectClose(actual: readonly number[], expected: readonly number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, a] of actual.entries())
    expect(Math.abs(a - expected[i]!), `[${i}]`).toBeLessThanOrEqual(
      tolerance * (1 + Math.abs(expected[i]!)),
    );
}
const byName = (net: OfaSupernet, name: string) => {
  const v = [...net.variables, ...net.buffers].find((x) => net.nameOf(x) === name);
  if (!v) throw new Error(`no ${name}`);
  return v;
};
/** Moves BN statistics away from (0, 1) with a few training passes of the largest subnet. */
function warm(net: OfaSupernet, side: number): void {
  for (let i = 0; i < 3; i++) {
    const x = images(4, side, 10 + i);
    tf.dispose([net.apply(x, net.largest(side), { training: true }), x]);
  }
}

describe('OfaSupernet', () => {
  const nets: OfaSupernet[] = [];
  const make = (config: Partial<OfaSupernetConfig> = {}) => {
    const net = new OfaSupernet({ ...TINY, ...config });
    nets.push(net);
    return net;
  };
  afterAll(() => {
    for (const n of nets) n.dispose();
  });

  it('holds the largest network: kernel 7, the largest expand, every stage at its most blocks, identity transforms', () => {
    const net = make();
    const names = net.variables.map((v) => net.nameOf(v));
    expect(names).toContain('s2.b2.dw/depthwise_kernel');
    expect(byName(net, 's1.b1.dw/depthwise_kernel').shape).toEqual([7, 7, 12, 1]);
    expect(byName(net, 's2.b1.expand/kernel').shape).toEqual([1, 1, 4, 12]);
    expect(byName(net, 's2.b2.expand/kernel').shape).toEqual([1, 1, 6, 18]);
    expect(byName(net, 's2.b2.project/kernel').shape).toEqual([1, 1, 18, 6]);
    expect(values(tf.clone(byName(net, 's1.b1.dw/7to5')))).toEqual(values(tf.eye(25)));
    expect(byName(net, 's1.b1.dw/5to3').shape).toEqual([9, 9]);
    // Statistics and the teacher's copies are buffers, never trained.
    expect(net.buffers.every((v) => !v.trainable)).toBe(true);
    expect(net.buffers.map((v) => net.nameOf(v))).toContain('teacher/s1.b1.dw/7to5');
  });

  it('gives the same weights for the same seed', () => {
    const a = make();
    const b = make();
    expect(values(tf.clone(byName(a, 's2.b1.dw/depthwise_kernel')))).toEqual(
      values(tf.clone(byName(b, 's2.b1.dw/depthwise_kernel'))),
    );
  });

  it('makes a smaller kernel from the centre of the larger one through the transformation matrices', () => {
    const net = make();
    const w7 = byName(net, 's1.b1.dw/depthwise_kernel').arraySync() as number[][][][];
    // Identity matrices: the centre crop.
    const k5 = net.depthwiseKernel(0, 0, 5, 12).arraySync() as number[][][][];
    const k3 = net.depthwiseKernel(0, 0, 3, 8).arraySync() as number[][][][];
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 5; j++) expect(k5[i]![j]![11]![0]).toBe(w7[i + 1]![j + 1]![11]![0]);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(k3[i]![j]![7]![0]).toBe(w7[i + 2]![j + 2]![7]![0]);
    // 7→5 doubles every tap; 5→3 makes each tap the sum of its row's three centre taps.
    byName(net, 's1.b1.dw/7to5').assign(tf.mul(tf.eye(25), 2));
    const m53 = Array.from({ length: 9 }, (_, t) =>
      Array.from({ length: 9 }, (_, s) => (Math.floor(s / 3) === Math.floor(t / 3) ? 1 : 0)),
    );
    byName(net, 's1.b1.dw/5to3').assign(tf.tensor2d(m53));
    const t3 = net.depthwiseKernel(0, 0, 3, 12).arraySync() as number[][][][];
    for (let c = 0; c < 12; c++) {
      for (let i = 0; i < 3; i++) {
        const row = 2 * (w7[i + 2]![2]![c]![0]! + w7[i + 2]![3]![c]![0]! + w7[i + 2]![4]![c]![0]!);
        for (let j = 0; j < 3; j++) expect(t3[i]![j]![c]![0]).toBeCloseTo(row, 5);
      }
    }
    // The transforms of other layers are their own.
    expectClose(
      values(net.depthwiseKernel(1, 0, 3, 8)),
      values(tf.slice(byName(net, 's2.b1.dw/depthwise_kernel'), [2, 2, 0, 0], [3, 3, 8, 1])),
      0,
    );
  });

  it('runs subnets of every size, and refuses a malformed one or images of the wrong size', () => {
    const net = make();
    for (const [subnet, side] of [
      [SMALL, 6],
      [MIXED, 8],
      [net.largest(8), 8],
    ] as const) {
      const x = images(2, side, 1);
      const logits = net.apply(x, subnet);
      expect(logits.shape).toEqual([2, 3]);
      expect(values(logits).every(Number.isFinite)).toBe(true);
      x.dispose();
    }
    const x = images(2, 8, 1);
    expect(() => net.apply(x, SMALL)).toThrow(DataError);
    expect(() => net.apply(x, { ...MIXED, stages: [MIXED.stages[0]!] })).toThrow(MalformedArchitectureError);
    expect(() => net.apply(x, { ...MIXED, stages: [[{ kernel: 9, expand: 2 }], MIXED.stages[1]!] })).toThrow(
      /kernel is one of 3\/5\/7, got 9/,
    );
    expect(() =>
      net.apply(x, { ...MIXED, stages: [MIXED.stages[0]!, [0, 1, 2].map(() => ({ kernel: 3, expand: 2 }))] }),
    ).toThrow(/1\.\.2/);
    x.dispose();
    expect(() => make({ kernels: [3, 4] })).toThrow(ConfigError);
    expect(() => make({ widths: [4] })).toThrow(ConfigError);
  });

  it('trains only the weights a subnet reads: skipped blocks and channels get no gradient', () => {
    const net = make();
    const x = images(4, 6, 2);
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.square(net.apply(x, SMALL, { training: true }))),
      [...net.variables],
    );
    const grad = (name: string) => grads[byName(net, name).name];
    // Stage 2 runs one block: the second has none.
    expect(grad('s2.b2.expand/kernel')).toBeUndefined();
    // Expand 2 of 3: the last third of the expand conv's outputs get zeros.
    const g = grad('s2.b1.expand/kernel')!.arraySync() as number[][][][];
    expect(g[0]![0]!.every((row) => row.slice(8).every((v) => v === 0))).toBe(true);
    expect(g[0]![0]!.some((row) => row.slice(0, 8).some((v) => v !== 0))).toBe(true);
    // Kernel 3: both transforms on its way from 7 get gradients.
    expect(grad('s2.b1.dw/5to3')).toBeDefined();
    expect(grad('s2.b1.dw/7to5')).toBeDefined();
    tf.dispose([x, ...Object.values(grads)]);
  });

  it('recalibrates the BN statistics a subnet reads to the mean of its batches’ statistics, others untouched', () => {
    const net = make();
    warm(net, 8);
    const batches = [images(5, 6, 20), images(5, 6, 21)];
    const untouchedBefore = values(tf.clone(byName(net, 's2.b2.expand_bn/moving_mean')));
    const tailBefore = values(tf.slice(byName(net, 's1.b1.expand_bn/moving_mean'), [8], [4]));
    net.recalibrateBn(SMALL, batches);
    // The stem BN reads the stem conv's output: its statistics are computable by hand.
    const conv = byName(net, 'stem.conv/kernel') as tf.Tensor4D;
    const moments = batches.map((b) =>
      tf.tidy(() => {
        const y = tf.conv2d(b, conv, 1, 'same');
        const m = tf.moments(y, [0, 1, 2]);
        const n = y.size / 4;
        return [values(m.mean), values(tf.mul(m.variance, n / (n - 1)))];
      }),
    );
    expectClose(
      values(tf.clone(byName(net, 'stem.bn/moving_mean'))),
      [0, 1, 2, 3].map((c) => (moments[0]![0]![c]! + moments[1]![0]![c]!) / 2),
      1e-5,
    );
    expectClose(
      values(tf.clone(byName(net, 'stem.bn/moving_variance'))),
      [0, 1, 2, 3].map((c) => (moments[0]![1]![c]! + moments[1]![1]![c]!) / 2),
      1e-5,
    );
    expect(values(tf.clone(byName(net, 's2.b2.expand_bn/moving_mean')))).toEqual(untouchedBefore);
    expect(values(tf.slice(byName(net, 's1.b1.expand_bn/moving_mean'), [8], [4]))).toEqual(tailBefore);
    // Recalibrating twice on the same batches gives the same statistics.
    const once = values(tf.clone(byName(net, 's1.b1.dw_bn/moving_variance')));
    net.recalibrateBn(SMALL, batches);
    expect(values(tf.clone(byName(net, 's1.b1.dw_bn/moving_variance')))).toEqual(once);
    expect(() => net.recalibrateBn(SMALL, [])).toThrow(DataError);
    tf.dispose(batches);
  });

  it('sorts expanded channels by importance without changing what the full-width network computes', () => {
    const net = make();
    warm(net, 8);
    const x = images(3, 8, 4);
    const before = values(net.apply(x, net.largest(8)));
    const mixedBefore = values(net.apply(x, MIXED));
    net.sortChannels();
    expectClose(values(net.apply(x, net.largest(8))), before, 1e-5);
    for (const name of ['s1.b1', 's2.b2']) {
      const importance = values(tf.sum(tf.abs(byName(net, `${name}.project/kernel`)), [0, 1, 3]));
      for (let i = 1; i < importance.length; i++)
        expect(importance[i - 1]).toBeGreaterThanOrEqual(importance[i]!);
    }
    // A narrower subnet now keeps other (the most important) channels: its function changes.
    expect(values(net.apply(x, MIXED))).not.toEqual(mixedBefore);
    x.dispose();
  });

  it('distils from a frozen teacher: the largest network in training mode, unchanged by later training', () => {
    const net = make();
    warm(net, 8);
    net.freezeTeacher();
    const x = images(4, 8, 6);
    const stats = values(tf.clone(byName(net, 'head.bn/moving_mean')));
    const student = values(net.apply(x, net.largest(8), { training: true }));
    const teacher = values(net.applyTeacher(x));
    expectClose(teacher, student, 1e-6);
    // The student's pass above moved its statistics; the teacher's pass moves none.
    const afterStudent = values(tf.clone(byName(net, 'head.bn/moving_mean')));
    expect(afterStudent).not.toEqual(stats);
    tf.dispose(net.applyTeacher(x));
    expect(values(tf.clone(byName(net, 'head.bn/moving_mean')))).toEqual(afterStudent);
    // Training the student leaves the teacher as frozen.
    const w = byName(net, 's1.b1.project/kernel');
    w.assign(tf.mul(w, 0.5));
    expect(values(net.applyTeacher(x))).toEqual(teacher);
    expect(values(net.apply(x, net.largest(8), { training: true }))).not.toEqual(teacher);
    x.dispose();
  });

  it('extracts stand-alone mbv3 networks that compute what apply does in inference mode (1e-5)', () => {
    // The mbv3 space's default shape (stem 16, widths 16/24/32/48, depths 2–4, kernels 3/5/7,
    // expand 3/4/6, 20–28 px): the smallest, the largest and sampled subnets.
    const space = mbv3Space();
    const net = make({ ...space.config, numClasses: 10, seed: 9 });
    warm(net, 28);
    // Transforms away from the identity and sorted channels, so both are exercised.
    tf.tidy(() => {
      for (const v of net.variables.filter((x) => /to\d$/.test(net.nameOf(x))))
        v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.1, 'float32', 7)));
    });
    net.sortChannels();
    const rng = Rng.fromSeed('extract');
    const archs = [
      { ...net.largest(28) },
      // The smallest: lowest resolution, depth, kernel and expand ratio everywhere.
      {
        resolution: 20,
        stages: space.config.widths.map(() => [0, 1].map(() => ({ kernel: 3, expand: 3 }))),
      },
      space.sample(rng),
      space.sample(rng),
      space.sample(rng),
    ];
    for (const arch of archs) {
      const x = images(2, arch.resolution, 3);
      net.recalibrateBn(arch, [x]);
      const standalone = net.extract(arch);
      expectClose(values(standalone.apply(x, { training: false })), values(net.apply(x, arch)), 1e-5);
      expect(standalone.inputShape).toEqual([arch.resolution, arch.resolution, 1]);
      standalone.dispose();
      x.dispose();
    }
  });
});
