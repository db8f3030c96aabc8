import { describe, expect, it } from 'vitest';
import { kendall, median, percentile, quantile, ranks, spearman } from './rank-stats.js';

describe('rank statistics, against hand-computed values', () => {
  it('ranks ties by their average rank', () => {
    expect(ranks([10, 30, 20, 20])).toEqual([1, 4, 2.5, 2.5]);
  });

  it("computes Spearman's ρ on tied ranks", () => {
    // ranks x = [1, 2.5, 2.5, 4, 5], y = [2, 1, 3.5, 3.5, 5]: Σdxdy = 7.25, Σdx² = Σdy² = 9.5.
    expect(spearman([1, 2, 2, 3, 4], [2, 1, 3, 3, 5])).toBeCloseTo(7.25 / 9.5, 12);
    expect(spearman([1, 2, 3], [30, 20, 10])).toBe(-1);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it("computes Kendall's τ-b: a pair tied on one side counts in neither numerator nor that side's total", () => {
    // 10 pairs: 7 concordant, 1 discordant, (1,2) tied in x, (2,3) tied in y: (7 − 1) / √(9 · 9).
    expect(kendall([1, 2, 2, 3, 4], [2, 1, 3, 3, 5])).toBeCloseTo(6 / 9, 12);
    expect(kendall([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
  });

  it('refuses unpaired or NaN samples', () => {
    expect(() => spearman([1, 2], [1])).toThrow('spearman: 2 values against 1');
    expect(() => kendall([1, Number.NaN], [1, 2])).toThrow('kendall: a value is NaN');
  });

  it('interpolates quantiles and medians, and places a value among sorted ones', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.1)).toBeCloseTo(1.3, 12);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, 1, 3])).toBe(3);
    expect(percentile([1, 2, 3, 4], 1)).toBe(12.5);
    expect(percentile([1, 2, 3, 4], 0)).toBe(0);
    expect(percentile([1, 2, 3, 4], 9)).toBe(100);
  });
});
