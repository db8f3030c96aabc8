import { InvalidOptionError } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import {
  compoundMultipliers,
  flopsFactor,
  matchFlops,
  parseMultiplierList,
  roundFilters,
  roundRepeats,
  roundResolution,
  scalingGrid,
} from './scaling.js';

describe('roundFilters (the reference round_filters, divisor 8)', () => {
  // Each expected value worked by hand from the reference:
  //   filters *= m; new = max(8, int(filters + 4) // 8 * 8); if new < 0.9 * filters: new += 8
  it.each([
    [32, 1.1, 32], // 35.2 → int(39.2)=39 → 32; 32 ≥ 31.68
    [16, 1.1, 16], // 17.6 → 21 → 16; 16 ≥ 15.84
    [1280, 1.1, 1408], // 1408 → 1412 → 1408
    [1280, 2, 2560],
    [24, 1.21, 32], // 29.04 → 33 → 32
    [40, 1.331, 56], // 53.24 → 57 → 56
    [16, 1.728, 32], // 27.648 → 31 → 24; 24 < 24.88 → 32: the 10% rule
    [48, 1.2, 56], // 57.6 → 61 → 56
    [20, 1, 24], // 24 → 24: halves round up
    [3, 1, 8], // never below the divisor
    [9, 1, 16], // 13 → 8; 8 < 8.1 → 16
    [11, 1, 16], // 15 → 8; 8 < 9.9 → 16
    [12, 1, 16], // 16 → 16
  ])('round_filters(%d, %d) = %d', (filters, m, expected) => {
    expect(roundFilters(filters, m)).toBe(expected);
  });

  it('rounds to another divisor when given one', () => {
    expect(roundFilters(17.6, 1, 4)).toBe(16); // 19.6 → 19 → 16; 16 ≥ 15.84
    expect(roundFilters(10, 1, 4)).toBe(12); // 12 → 12
  });
});

describe('roundRepeats (the reference round_repeats)', () => {
  it.each([
    [2, 1.1, 3],
    [3, 1.2, 4],
    [4, 1.44, 6], // 5.76
    [2, 1.728, 4], // 3.456
    [4, 1, 4],
    [1, 3.1, 4],
  ])('ceil(%d × %d) = %d', (repeats, m, expected) => {
    expect(roundRepeats(repeats, m)).toBe(expected);
  });
});

describe('roundResolution', () => {
  it('rounds the scaled side to the nearest pixel, halves up', () => {
    expect(roundResolution(24, 1.15)).toBe(28); // 27.6
    expect(roundResolution(24, 1.323)).toBe(32); // 31.752
    expect(roundResolution(28, 1.125)).toBe(32); // 31.5
    expect(roundResolution(28, 1)).toBe(28);
  });
});

describe('compound multipliers', () => {
  it('are α^φ, β^φ, γ^φ to a thousandth', () => {
    const c = { alpha: 1.2, beta: 1.1, gamma: 1.15 };
    expect(compoundMultipliers(c, 1)).toEqual({ depth: 1.2, width: 1.1, resolution: 1.15 });
    expect(compoundMultipliers(c, 2)).toEqual({ depth: 1.44, width: 1.21, resolution: 1.323 });
    expect(compoundMultipliers(c, 3)).toEqual({ depth: 1.728, width: 1.331, resolution: 1.521 });
  });
});

describe('scalingGrid', () => {
  it('keeps the points with |α·β²·γ² − 2| ≤ tolerance, α first, then β, then γ', () => {
    const grid = scalingGrid('t', [1, 1.1, 1.2, 1.3], [1, 1.1, 1.2], [1, 1.1, 1.2, 1.3], 0.1);
    expect(grid.map((c) => [c.alpha, c.beta, c.gamma])).toEqual([
      [1, 1.1, 1.3], // 2.0449
      [1, 1.2, 1.2], // 2.0736
      [1.1, 1.1, 1.2], // 1.9166
      [1.1, 1.2, 1.1], // 1.9166
      [1.2, 1, 1.3], // 2.028
      [1.2, 1.1, 1.2], // 2.0909
      [1.2, 1.2, 1.1], // 2.0909
      [1.3, 1.1, 1.1], // 1.9033
    ]);
    for (const c of grid) expect(Math.abs(flopsFactor(c) - 2)).toBeLessThanOrEqual(0.1);
  });

  it('names the closest point when none is within the tolerance', () => {
    expect(() => scalingGrid('compound-scaling', [1, 1.1], [1], [1, 1.3], 0.01)).toThrow(
      /no \(alpha, beta, gamma\).*closest is alpha=1\.1 beta=1 gamma=1\.3 with 1\.8590/,
    );
  });
});

describe('parseMultiplierList', () => {
  it('reads numbers from 1 to 4 with at most three decimals', () => {
    expect(parseMultiplierList('t', 'alphas', '1, 1.15,2')).toEqual([1, 1.15, 2]);
  });

  it.each(['0.9', '1.2345', 'x', '', '1,,2', '5', '1,1', '-1', '1e0'])('refuses %j', (text) => {
    expect(() => parseMultiplierList('compound-scaling', 'alphas', text)).toThrow(InvalidOptionError);
    expect(() => parseMultiplierList('compound-scaling', 'alphas', text)).toThrow(/option 'alphas'/);
  });
});

describe('matchFlops', () => {
  // A depth-like step function: 100 FLOPs per block, ceil(3·m) blocks.
  const depthLike = (m: number) => 100 * Math.ceil(3 * m);

  it('takes the first multiplier of the step nearest the target in ratio', () => {
    // 3·1.333 = 3.999 → 4 blocks; 3·1.334 = 4.002 → 5 blocks.
    expect(matchFlops(depthLike, 500, 4)).toBe(1.334);
    expect(matchFlops(depthLike, 450, 4)).toBe(1.334); // 500/450 = 1.111 < 450/400 = 1.125
    expect(matchFlops(depthLike, 440, 4)).toBe(1.001); // 440/400 = 1.1 < 500/440 = 1.136
    expect(matchFlops(depthLike, 300, 4)).toBe(1);
    expect(matchFlops(depthLike, 100, 4)).toBe(1); // nothing below the base
    expect(matchFlops(depthLike, 1300, 4)).toBeUndefined(); // ×4 gives 1200
  });

  it('finds the closest FLOPs a brute-force scan of every thousandth finds', () => {
    const widthLike = (m: number) => roundFilters(24, m) ** 2 * 49 + roundFilters(40, m) ** 2 * 16;
    const resolutionLike = (m: number) => roundResolution(24, m) ** 2 * 1000;
    for (const f of [widthLike, resolutionLike, depthLike]) {
      for (const target of [1.3, 2, 2.7, 4.1, 7.9].map((k) => k * f(1))) {
        let best = Number.POSITIVE_INFINITY;
        for (let t = 1000; t <= 4000; t++) best = Math.min(best, Math.abs(Math.log(f(t / 1000) / target)));
        const m = matchFlops(f, target, 4);
        if (m === undefined) {
          expect(f(4)).toBeLessThan(target);
          continue;
        }
        expect(Math.abs(Math.log(f(m) / target))).toBeCloseTo(best, 12);
        // The first multiplier of its step.
        if (m > 1) expect(f(m - 0.001)).toBeLessThan(f(m));
      }
    }
  });
});
