import { describe, expect, it } from 'vitest';
import { Rng } from '../rng/rng.js';
import { bootstrapInterval } from './bootstrap.js';
import { kendall } from './rank-stats.js';

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('bootstrapInterval', () => {
  it('matches the exact resampling distribution of a two-value sample', () => {
    // Resampling [0, 1] twice gives means 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4: the 95%
    // interval spans [0, 1]; the 40% one (quantiles 0.3 and 0.7) lies inside the middle mass.
    const wide = bootstrapInterval([0, 1], [0, 0], mean, { seed: 1 });
    expect(wide).toEqual({ low: 0, high: 1, valid: 1000 });
    const narrow = bootstrapInterval([0, 1], [0, 0], mean, { seed: 1, level: 0.4 });
    expect([narrow.low, narrow.high]).toEqual([0.5, 0.5]);
  });

  it('agrees with the normal approximation for a mean (± 1.96 σ/√n)', () => {
    const rng = Rng.fromSeed('sample');
    const xs = Array.from({ length: 400 }, () => rng.normal() * 2 + 5);
    const m = mean(xs);
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
    const half = (1.96 * sd) / Math.sqrt(xs.length);
    const { low, high } = bootstrapInterval(xs, xs, mean, { seed: 3, resamples: 4000 });
    expect(low).toBeCloseTo(m - half, 1);
    expect(high).toBeCloseTo(m + half, 1);
    expect(high - low).toBeGreaterThan(1.6 * half);
    expect(high - low).toBeLessThan(2.4 * half);
  });

  it('is seeded: the same seed gives the same interval, another seed another one', () => {
    const xs = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];
    const ys = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5];
    const a = bootstrapInterval(xs, ys, kendall, { seed: 7 });
    expect(bootstrapInterval(xs, ys, kendall, { seed: 7 })).toEqual(a);
    expect(bootstrapInterval(xs, ys, kendall, { seed: 8 })).not.toEqual(a);
    expect(a.low).toBeLessThan(kendall(xs, ys));
    expect(a.high).toBeGreaterThan(kendall(xs, ys));
  });

  it('leaves out resamples whose statistic is NaN, and says how many remain', () => {
    // Two pairs: a resample repeating one pair is constant (τ NaN), half of them on average.
    const r = bootstrapInterval([1, 2], [1, 2], kendall, { seed: 2 });
    expect(r.low).toBe(1);
    expect(r.high).toBe(1);
    expect(r.valid).toBeGreaterThan(400);
    expect(r.valid).toBeLessThan(600);
    expect(bootstrapInterval([1], [1], kendall, { seed: 2 })).toEqual({
      low: Number.NaN,
      high: Number.NaN,
      valid: 0,
    });
  });

  it('refuses unpaired or empty samples and out-of-range settings', () => {
    expect(() => bootstrapInterval([1, 2], [1], kendall, { seed: 0 })).toThrow(
      'bootstrap: 2 values against 1',
    );
    expect(() => bootstrapInterval([], [], kendall, { seed: 0 })).toThrow('bootstrap of no values');
    expect(() => bootstrapInterval([1], [1], mean, { seed: 0, resamples: 0 })).toThrow('resamples');
    expect(() => bootstrapInterval([1], [1], mean, { seed: 0, level: 1 })).toThrow('level');
  });
});
