import { initBackend } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer, type OptimizerOptions } from './optimizer.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const GRADS = [
  [0.5, -1],
  [0.25, 2],
  [-0.75, 0.5],
];
const LRS = [0.1, 0.05, 0.2];
const W0 = [1, -2];

/** Runs three steps with fixed gradients on a two-element variable; returns its values after each. */
function run(options: OptimizerOptions): number[][] {
  const v = tf.tidy(() => tf.variable(tf.tensor1d(W0)));
  const opt = createOptimizer([v], options);
  const out: number[][] = [];
  GRADS.forEach((g, t) => {
    const grad = tf.tensor1d(g);
    opt.step([grad], LRS[t]!);
    grad.dispose();
    out.push(Array.from(v.dataSync()));
  });
  opt.dispose();
  v.dispose();
  return out;
}

/** torch.optim.SGD, element by element. */
function sgdReference(mu: number, nesterov: boolean, wd: number): number[][] {
  const w = [...W0];
  const buf = [0, 0];
  return GRADS.map((g, t) =>
    w.map((_, i) => {
      let d = g[i]! + wd * w[i]!;
      if (mu > 0) {
        buf[i] = t === 0 ? d : mu * buf[i]! + d;
        d = nesterov ? d + mu * buf[i]! : buf[i]!;
      }
      w[i] = w[i]! - LRS[t]! * d;
      return w[i]!;
    }),
  );
}

/** torch.optim.AdamW, element by element. */
function adamReference(wd: number): number[][] {
  const w = [...W0];
  const m = [0, 0];
  const s = [0, 0];
  return GRADS.map((g, t) =>
    w.map((_, i) => {
      const lr = LRS[t]!;
      w[i] = w[i]! * (1 - lr * wd);
      m[i] = 0.9 * m[i]! + 0.1 * g[i]!;
      s[i] = 0.999 * s[i]! + 0.001 * g[i]! ** 2;
      const mHat = m[i]! / (1 - 0.9 ** (t + 1));
      const sHat = s[i]! / (1 - 0.999 ** (t + 1));
      w[i] = w[i]! - (lr * mHat) / (Math.sqrt(sHat) + 1e-8);
      return w[i]!;
    }),
  );
}

function expectClose(actual: number[][], expected: number[][]): void {
  const flat = expected.flat();
  actual.flat().forEach((a, i) => {
    expect(a).toBeCloseTo(flat[i]!, 5);
  });
}

describe('createOptimizer', () => {
  it.each([
    [0, false, 0],
    [0, false, 0.1],
    [0.9, false, 0],
    [0.9, true, 0],
    [0.9, true, 0.01],
  ])(
    'SGD with momentum %s, nesterov %s, weight decay %s matches torch.optim.SGD',
    (momentum, nesterov, wd) => {
      const options = { optimizer: 'sgd', momentum, nesterov, weightDecay: wd } as const;
      expectClose(run(options), sgdReference(momentum, nesterov, wd));
    },
  );

  it.each([0, 0.1])('Adam with weight decay %s matches torch.optim.AdamW', (wd) => {
    expectClose(run({ optimizer: 'adam', momentum: 0, nesterov: false, weightDecay: wd }), adamReference(wd));
  });

  it('skips a variable without a gradient and frees its state on dispose', () => {
    const before = tf.memory().numTensors;
    const [a, b] = tf.tidy(() => [tf.variable(tf.tensor1d([1])), tf.variable(tf.tensor1d([1]))]);
    const opt = createOptimizer([a, b], { optimizer: 'adam', momentum: 0, nesterov: false, weightDecay: 0 });
    const grad = tf.tensor1d([1]);
    opt.step([grad, undefined], 0.1);
    expect(a.dataSync()[0]).toBeCloseTo(0.9, 5);
    expect(b.dataSync()[0]).toBe(1);
    grad.dispose();
    opt.dispose();
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each(['sgd', 'adam'] as const)(
    '%s continues from copied slots and step count as the original does',
    (optimizer) => {
      const options = { optimizer, momentum: 0.9, nesterov: false, weightDecay: 0.01 };
      const [a, b] = tf.tidy(() => [tf.variable(tf.tensor1d(W0)), tf.variable(tf.tensor1d(W0))]);
      const first = createOptimizer([a], options);
      const grads = GRADS.map((g) => tf.tensor1d(g));
      first.step([grads[0]], LRS[0]!);
      b.assign(a);
      const second = createOptimizer([b], options);
      expect(second.slots.length).toBe(first.slots.length);
      expect(first.slots.length).toBe(optimizer === 'sgd' ? 1 : 2);
      for (const [i, s] of second.slots.entries()) s.assign(first.slots[i]!);
      second.steps = first.steps;
      for (const t of [1, 2]) {
        first.step([grads[t]], LRS[t]!);
        second.step([grads[t]], LRS[t]!);
      }
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      expect(second.steps).toBe(3);
      tf.dispose([...grads, a, b]);
      first.dispose();
      second.dispose();
    },
  );
});
