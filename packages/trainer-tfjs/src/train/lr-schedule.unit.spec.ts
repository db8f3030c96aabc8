import { describe, expect, it } from 'vitest';
import { cosineLearningRate } from './lr-schedule.js';

describe('cosineLearningRate', () => {
  it('decays from the base rate to 0 along a half cosine', () => {
    expect(cosineLearningRate(0.1, 0, 100)).toBeCloseTo(0.1, 12);
    expect(cosineLearningRate(0.1, 50, 100)).toBeCloseTo(0.05, 12);
    expect(cosineLearningRate(0.1, 25, 100)).toBeCloseTo(0.05 * (1 + Math.SQRT1_2), 12);
    expect(cosineLearningRate(0.1, 99, 100)).toBeGreaterThan(0);
    expect(cosineLearningRate(0.1, 100, 100)).toBeCloseTo(0, 12);
  });

  it('warms up linearly, then decays over the remaining steps', () => {
    expect([0, 1, 2, 3].map((s) => cosineLearningRate(0.2, s, 14, 4))).toEqual([
      0.05, 0.1, 0.15000000000000002, 0.2,
    ]);
    expect(cosineLearningRate(0.2, 4, 14, 4)).toBeCloseTo(0.2, 12);
    expect(cosineLearningRate(0.2, 9, 14, 4)).toBeCloseTo(0.1, 12);
  });

  it('stays at the base rate when warm-up takes every step', () => {
    expect(cosineLearningRate(0.2, 7, 5, 8)).toBe(0.2);
  });
});
