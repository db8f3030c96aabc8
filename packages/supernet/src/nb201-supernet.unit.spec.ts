import { NB201_OPS, type Nb201Arch, nb201Key, parseNb201Key } from '@archlab/bench-nb201';
import { ConfigError, DataError, MalformedArchitectureError } from '@archlab/core';
import { initBackend, type LayerHook } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Nb201Supernet } from './nb201-supernet.js';

beforeAll(async () => {
  await initBackend('cpu');
});

// A tiny supernet: 8×8 → 8, 4, 2 pixels per stage, 2 → 4 → 8 channels, two cells per stage.
const TINY = { channels: 2, cellsPerStage: 2, stemStride: 1, inputShape: [8, 8, 1], seed: 5 } as const;

const MIXED = parseNb201Key(
  '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
);
// Edge 0→1 and 1→2 lead nowhere (2→3 is none; 1→3 is none): dead edges, left out.
const DEAD_ENDS = parseNb201Key('|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|nor_conv_1x1~0|none~1|none~2|');
// Node 1 receives nothing, so 1→2 and 1→3 read zeros.
const UNREACHED = parseNb201Key(
  '|none~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|',
);
const ALL_NONE = parseNb201Key('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|');
const ALL_CONV3 = [3, 3, 3, 3, 3, 3] as const satisfies Nb201Arch;

const images = (n: number, seed: number, shape = TINY.inputShape) =>
  tf.tidy(() => tf.randomNormal([n, ...shape], 0, 1, 'float32', seed) as tf.Tensor4D);
const values = (t: tf.Tensor) => {
  const out = Array.from(t.dataSync());
  t.dispose();
  return out;
};
/** Each value within `tolerance` × (1 + |expected|) of the expected one. */
function expectClose(
  actual: readonly number[],
  expected: readonly number[],
  tolerance: number,
  what = '',
): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, a] of actual.entries()) {
    expect(Math.abs(a - expected[i]!), `${what}[${i}]`).toBeLessThanOrEqual(
      tolerance * (1 + Math.abs(expected[i]!)),
    );
  }
}
const oneHot = (arch: Nb201Arch) =>
  tf.tidy(() => tf.oneHot(tf.tensor1d([...arch], 'int32'), NB201_OPS.length));

/** Moves every BN's running statistics away from (0, 1) with a few training-mode passes on the mixed network. */
function warm(net: Nb201Supernet, seed: number): void {
  const w = tf.tidy(() => tf.softmax(tf.randomNormal([6, 5], 0, 1, 'float32', seed)));
  for (let i = 0; i < 3; i++) {
    const x = images(4, seed + i);
    tf.dispose([net.applyWeighted(x, w, { training: true }), x]);
  }
  w.dispose();
}

describe('Nb201Supernet', () => {
  const net = new Nb201Supernet(TINY);
  beforeAll(() => warm(net, 100));
  afterAll(() => net.dispose());

  it.each([
    ['mixed', MIXED],
    ['dead ends', DEAD_ENDS],
    ['unreached node', UNREACHED],
    ['all none', ALL_NONE],
    ['all conv3x3', ALL_CONV3],
  ])('extract(%s) computes what applyPath does in inference mode', (_, arch) => {
    const x = images(3, 11);
    const standAlone = net.extract(nb201Key(arch));
    const expected = values(net.applyPath(x, arch));
    const actual = values(standAlone.apply(x));
    expect(actual).toHaveLength(3 * 10);
    expectClose(actual, expected, 1e-5);
    if (arch !== ALL_NONE) expect(new Set(expected.map((v) => v.toFixed(4))).size).toBeGreaterThan(10);
    standAlone.dispose();
    x.dispose();
  });

  it('has the stand-alone network of the default options at its default: stride-2 stem, 28×28×1, C=8, N=1', () => {
    const small = new Nb201Supernet({ seed: 1 });
    const standAlone = small.extract(ALL_CONV3);
    expect(standAlone.layers()[0]).toMatchObject({ name: 'stem.conv', outputShape: [14, 14, 8] });
    expect(standAlone.layers().at(-2)).toMatchObject({ name: 'head.pool', inputShape: [4, 4, 32] });
    // By hand: every edge holds a conv1×1 and a conv3×3 (their BNs train nothing).
    const reduction = (c: number) => 9 * (c / 2) * c + 2 * c + 9 * c * c + 2 * c + (c / 2) * c;
    const cells = [8, 16, 32].reduce((n, c) => n + 6 * (1 + 9) * c * c, 0);
    const expected = 9 * 8 + 16 + reduction(16) + reduction(32) + cells + 2 * 32 + 32 * 10 + 10;
    expect(small.variables.reduce((n, v) => n + v.size, 0)).toBe(expected);
    standAlone.dispose();
    small.dispose();
  });

  it('gives gradients to the live ops of a path only, in one fixed variable order', () => {
    const order = net.variables.map((v) => net.nameOf(v));
    const x = images(4, 3);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10));
    const { value, grads } = tf.variableGrads(
      () =>
        tf.losses.softmaxCrossEntropy(labels, net.applyPath(x, DEAD_ENDS, { training: true })) as tf.Scalar,
      [...net.variables],
    );
    const withGrad = new Set(Object.keys(grads).map((n) => n.slice(n.indexOf('/') + 1)));
    // Only edge 0→3's conv1×1 in each cell is live, besides stem, reductions and head.
    const cellOps = [...withGrad].filter((n) => n.includes('.cell'));
    expect(cellOps.length).toBe(6);
    expect(cellOps.every((n) => n.includes('.edge03.nor_conv_1x1.conv/kernel'))).toBe(true);
    expect(withGrad.has('stem.conv/kernel') && withGrad.has('head.dense/kernel')).toBe(true);
    tf.dispose([value, ...Object.values(grads), x, labels]);
    expect(net.variables.map((v) => net.nameOf(v))).toEqual(order);
    // The op BNs have no trainable scale and shift (γ = 1, β = 0 fixed).
    expect(order.some((n) => /\.edge\d\d\..*\.bn\//.test(n))).toBe(false);
    expect(order.filter((n) => n.endsWith('.bn/gamma'))).toEqual([
      'stem.bn/gamma',
      'stage2.reduce.a.bn/gamma',
      'stage2.reduce.b.bn/gamma',
      'stage3.reduce.a.bn/gamma',
      'stage3.reduce.b.bn/gamma',
      'head.bn/gamma',
    ]);
  });

  it('applyWeighted on a one-hot w equals applyPath, with `only` and (for a cell without dead edges) without', () => {
    const x = images(4, 21);
    for (const arch of [MIXED, DEAD_ENDS, UNREACHED]) {
      const w = oneHot(arch);
      const path = values(net.applyPath(x, arch, { training: true }));
      const only = values(net.applyWeighted(x, w, { training: true, only: arch }));
      expectClose(only, path, 1e-5);
      w.dispose();
    }
    const w = oneHot(MIXED);
    const path = values(net.applyPath(x, MIXED));
    const all = values(net.applyWeighted(x, w));
    expectClose(all, path, 1e-5);
    tf.dispose([w, x]);
  });

  it('rejects malformed paths, op weights and images with typed errors', () => {
    const x = images(1, 1);
    expect(() => net.applyPath(x, '|conv~0|+|')).toThrow(MalformedArchitectureError);
    expect(() => net.applyPath(x, [0, 1, 2, 3, 4, 5] as unknown as Nb201Arch)).toThrow(
      MalformedArchitectureError,
    );
    const bad = tf.zeros([6, 4]);
    expect(() => net.applyWeighted(x, bad)).toThrow(DataError);
    const wrong = images(1, 1, [28, 28, 1]);
    expect(() => net.applyPath(wrong, MIXED)).toThrow(DataError);
    expect(() => net.recalibrateBn(MIXED, [])).toThrow(DataError);
    expect(() => new Nb201Supernet({ seed: 1, channels: 0 })).toThrow(ConfigError);
    expect(() => new Nb201Supernet({ seed: 1, stemStride: 1.5 })).toThrow(/stemStride/);
    expect(() => new Nb201Supernet({ seed: 1, inputShape: [28, 28] as never })).toThrow(ConfigError);
    tf.dispose([x, bad, wrong]);
  });

  it('keeps the tensor count flat across training steps of both kinds', () => {
    const x = images(4, 8);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10));
    const alpha = tf.variable(tf.zeros([6, 5]));
    const step = (i: number) => {
      const arch = [i % 5, (i + 1) % 5, (i + 2) % 5, (i + 3) % 5, (i + 4) % 5, i % 5] as unknown as Nb201Arch;
      const spos = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(labels, net.applyPath(x, arch, { training: true })) as tf.Scalar,
        [...net.variables],
      );
      const darts = tf.variableGrads(
        () =>
          tf.losses.softmaxCrossEntropy(
            labels,
            net.applyWeighted(x, tf.softmax(alpha), { training: true }),
          ) as tf.Scalar,
        [...net.variables, alpha],
      );
      tf.dispose([spos.value, darts.value, ...Object.values(spos.grads), ...Object.values(darts.grads)]);
    };
    step(0);
    const before = tf.memory().numTensors;
    for (let i = 1; i < 6; i++) step(i);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels, alpha]);
  });
});

describe('Nb201Supernet gradients', () => {
  it('of applyWeighted, with respect to the op weights and the network weights, match finite differences', () => {
    const net = new Nb201Supernet({ ...TINY, cellsPerStage: 1, seed: 9 });
    const x = images(4, 31);
    const r = tf.tidy(() => tf.randomNormal([4, 10], 0, 1, 'float32', 32));
    const w = tf.variable(tf.tidy(() => tf.softmax(tf.randomNormal([6, 5], 0, 1, 'float32', 33))));
    const loss = () => tf.sum(tf.mul(net.applyWeighted(x, w, { training: true }), r)) as tf.Scalar;
    const { value, grads } = tf.variableGrads(loss, [w, ...net.variables]);
    value.dispose();
    const byName = (suffix: string) => net.variables.find((v) => net.nameOf(v) === suffix)!;
    const checked: [tf.Variable, number][] = [
      [w, 0 * 5 + 2],
      [w, 1 * 5 + 3],
      [w, 2 * 5 + 4],
      [w, 3 * 5 + 1],
      [w, 5 * 5 + 3],
      [w, 4 * 5 + 0],
      [byName('stem.conv/kernel'), 4],
      [byName('stage1.cell1.edge02.nor_conv_3x3.conv/kernel'), 7],
      [byName('stage2.cell1.edge13.nor_conv_1x1.conv/kernel'), 3],
      [byName('stage3.reduce.a.bn/gamma'), 1],
      [byName('head.dense/kernel'), 5],
    ];
    const eps = 1e-3;
    for (const [v, i] of checked) {
      const at = (delta: number) => {
        const data = v.dataSync().slice() as Float32Array;
        data[i]! += delta;
        tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
        const out = tf.tidy(() => loss().dataSync()[0]!);
        data[i]! -= delta;
        tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
        return out;
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      const analytic = grads[v.name]!.dataSync()[i]!;
      expect(Math.abs(numeric - analytic), `${v.name}[${i}]: ${numeric} vs ${analytic}`).toBeLessThan(
        1e-2 + 5e-2 * Math.abs(analytic),
      );
    }
    // The none op's weight gets no gradient: its output is zero whatever w says.
    expect(grads[w.name]!.dataSync()[4 * 5 + 0]).toBe(0);
    expect(Math.abs(grads[w.name]!.dataSync()[0 * 5 + 2]!)).toBeGreaterThan(1e-4);
    tf.dispose([x, r, w, ...Object.values(grads)]);
    net.dispose();
  });
});

describe('Nb201Supernet.recalibrateBn', () => {
  it('sets the path’s BN statistics to the average of each batch’s mean and unbiased variance', () => {
    const net = new Nb201Supernet({ ...TINY, cellsPerStage: 1, seed: 3 });
    warm(net, 40);
    const batches = [images(4, 51), images(4, 52)];
    const offPath = () =>
      values(
        tf.tidy(() =>
          tf.concat(
            net.buffers
              .filter((b) => net.nameOf(b).includes('.edge01.nor_conv_1x1.bn/'))
              .map((b) => tf.reshape(b, [-1])),
          ),
        ),
      );
    const before = offPath();

    // By hand: the stand-alone network's BN inputs, batch by batch, in training mode.
    const reference = new Map<string, { mean: number[]; variance: number[] }>();
    const standAlone = net.extract(MIXED);
    const hook: LayerHook = (info, inputs, run) => {
      if (info.kind === 'batch_norm') {
        const c = info.outputShape.at(-1)!;
        const data = inputs[0]!.dataSync();
        const n = data.length / c;
        const mean = Array.from({ length: c }, (_, ch) => {
          let s = 0;
          for (let k = ch; k < data.length; k += c) s += data[k]!;
          return s / n;
        });
        const variance = mean.map((m, ch) => {
          let s = 0;
          for (let k = ch; k < data.length; k += c) s += (data[k]! - m) ** 2;
          return s / (n - 1);
        });
        const acc = reference.get(info.name) ?? { mean: mean.map(() => 0), variance: mean.map(() => 0) };
        mean.forEach((m, ch) => {
          acc.mean[ch]! += m / batches.length;
          acc.variance[ch]! += variance[ch]! / batches.length;
        });
        reference.set(info.name, acc);
      }
      return run();
    };
    for (const b of batches) tf.dispose(standAlone.apply(b, { training: true, hook }));
    standAlone.dispose();

    net.recalibrateBn(MIXED, batches);
    const after = net.extract(MIXED);
    const stats = new Map(after.buffers.map((b) => [b.name.slice(b.name.indexOf('/') + 1), b.dataSync()]));
    expect(reference.size).toBeGreaterThan(8);
    for (const [layer, { mean, variance }] of reference) {
      const m = stats.get(`${layer}/moving_mean`)!;
      const v = stats.get(`${layer}/moving_variance`)!;
      expectClose(Array.from(m), mean, 1e-4, `${layer} mean`);
      expectClose(Array.from(v), variance, 1e-4, `${layer} variance`);
    }
    expect(offPath()).toEqual(before);
    after.dispose();
    tf.dispose(batches);
    net.dispose();
  });
});
