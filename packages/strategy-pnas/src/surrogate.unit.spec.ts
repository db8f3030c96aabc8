import { nb201Space, nb201Table } from '@archlab/bench-nb201';
import { Rng } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import { normalQuantile, rankTargets, Surrogate, type SurrogateSettings } from './surrogate.js';

const settings: SurrogateSettings = {
  features: 'onehot',
  emptyChoice: 'none',
  members: 5,
  hidden: 16,
  layers: 2,
  epochs: 40,
  minSteps: 0,
  batchSize: 32,
  learningRate: 0.01,
};

/** Spearman's rank correlation, for data without ties: both rank vectors are permutations of 0..n-1. */
function spearman(a: readonly number[], b: readonly number[]): number {
  const rank = (v: readonly number[]) => {
    const r = new Float64Array(v.length);
    for (const [k, i] of v
      .map((_, j) => j)
      .sort((i, j) => v[i]! - v[j]!)
      .entries())
      r[i] = k;
    return r;
  };
  const x = rank(a);
  const y = rank(b);
  const m = (a.length - 1) / 2;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < a.length; i++) {
    sxy += (x[i]! - m) * (y[i]! - m);
    sxx += (x[i]! - m) ** 2;
  }
  return sxy / sxx;
}

describe('rankTargets', () => {
  it('maps scores to normal quantiles of their ranks, ties sharing one', () => {
    const t = rankTargets([5, 1, 3, 3]);
    expect(t[1]).toBeCloseTo(normalQuantile(0.125), 12);
    expect(t[2]).toBe(t[3]);
    expect(t[2]).toBeCloseTo(normalQuantile(0.5), 12);
    expect(t[0]).toBeCloseTo(normalQuantile(0.875), 12);
  });

  it('gives the standard normal quantiles', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
  });
});

describe('Surrogate', () => {
  it('ranks NAS-Bench-201 cells it never saw after 150 results', () => {
    const rng = Rng.fromSeed(1);
    const table = nb201Table();
    const train = Array.from({ length: 150 }, () => nb201Space.sample(rng));
    const test = Array.from({ length: 300 }, () => nb201Space.sample(rng));
    const s = new Surrogate(nb201Space.encoding!, settings, rng);
    s.fit(
      train.map((a) => [...a]),
      train.map((a) => table.record(a)!.cifar10),
      rng,
    );
    expect(s.trainedOn).toBe(150);
    const p = s.predict(test.map((a) => [...a]));
    const truth = test.map((a) => table.record(a)!.cifar10);
    const predicted = test.map((_, i) => p.mean(i));
    expect(spearman(predicted, truth)).toBeGreaterThan(0.75);
    // The 30 cells it ranks highest average above 92%; the average cell scores 87.5%.
    const order = test.map((_, i) => i).sort((i, j) => predicted[j]! - predicted[i]!);
    expect(order.slice(0, 30).reduce((sum, i) => sum + truth[i]!, 0) / 30).toBeGreaterThan(92);
  });
});
