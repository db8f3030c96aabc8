import { InvalidOptionError, Rng } from '@archlab/core';
import { initBackend } from '@archlab/nn';
import { mbv3Space } from '@archlab/space-mbv3';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { distillation, parseBudgets } from './ofa-strategy.js';
import { oneHot, SubnetPredictor } from './subnet-predictor.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('distillation', () => {
  it('is T²·KL(softmax(t/T) ‖ softmax(s/T)), the batch mean, by hand', () => {
    const s = tf.tensor2d([
      [1, 0],
      [0, 0],
    ]);
    const t = tf.tensor2d([
      [0, 1],
      [2, 0],
    ]);
    const kl = (p: number[], q: number[]) => p.reduce((sum, pi, i) => sum + pi * Math.log(pi / q[i]!), 0);
    const soft = (z: number[], temp: number) => {
      const e = z.map((v) => Math.exp(v / temp));
      const total = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / total);
    };
    for (const temp of [1, 2]) {
      const expected =
        ((kl(soft([0, 1], temp), soft([1, 0], temp)) + kl(soft([2, 0], temp), soft([0, 0], temp))) / 2) *
        temp *
        temp;
      expect(distillation(s, t, temp).dataSync()[0]).toBeCloseTo(expected, 6);
    }
    // Zero when the student matches the teacher.
    expect(distillation(t, t, 1).dataSync()[0]).toBeCloseTo(0, 7);
    tf.dispose([s, t]);
  });
});

describe('parseBudgets', () => {
  const other = { metric: 'params', op: '<=', bound: 1e5 } as const;
  it('makes one latency bound per budget, keeping the run’s other constraints; none: the run’s constraints', () => {
    expect(parseBudgets('3, 5.5', [other, { metric: 'latency_ms', op: '<=', bound: 9 }])).toEqual([
      [other, { metric: 'latency_ms', op: '<=', bound: 3 }],
      [other, { metric: 'latency_ms', op: '<=', bound: 5.5 }],
    ]);
    expect(parseBudgets('', [other])).toEqual([[other]]);
  });
  it('refuses a budget that is not a positive number, naming it', () => {
    for (const bad of ['3,,5', 'abc', '0', '-2', '3;5'])
      expect(() => parseBudgets(bad, [])).toThrow(InvalidOptionError);
    expect(() => parseBudgets('3,abc', [])).toThrow(/'abc' in '3,abc'/);
  });
});

describe('SubnetPredictor', () => {
  it('recovers an accuracy that is additive in the choices, and ranks unseen subnets by it', () => {
    const space = mbv3Space();
    const encoding = space.encoding;
    const rng = Rng.fromSeed('predictor');
    // A made-up accuracy: +1 per kernel-7 block, −2 at resolution 20.
    const truth = (arch: ReturnType<typeof space.sample>) =>
      arch.stages.flat().filter((b) => b.kernel === 7).length - (arch.resolution === 20 ? 2 : 0);
    const train = Array.from({ length: 150 }, () => space.sample(rng)).map((arch) => ({
      arch,
      acc: truth(arch),
    }));
    const predictor = SubnetPredictor.fit(encoding, train);
    expect(predictor.looRmse).toBeLessThan(0.5);
    const test = Array.from({ length: 30 }, () => space.sample(rng));
    for (const arch of test) expect(Math.abs(predictor.predict(arch) - truth(arch))).toBeLessThan(1);
    expect(oneHot(encoding, test[0]!).reduce((a, b) => a + b, 0)).toBe(encoding.decisions.length);
    expect(() => SubnetPredictor.fit(encoding, train.slice(0, 1))).toThrow(/at least 2 measured subnets/);
  });
});
