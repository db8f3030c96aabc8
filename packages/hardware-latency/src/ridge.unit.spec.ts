import { describe, expect, it } from 'vitest';
import { ridge, ridgePredict } from './ridge.js';

describe('ridge', () => {
  // y = 3 + 2·a − 0.5·b exactly.
  const x = [
    [0, 1],
    [1, 0],
    [2, 3],
    [3, 1],
    [4, 4],
    [5, 2],
  ];
  const y = x.map(([a, b]) => 3 + 2 * a! - 0.5 * b!);

  it('recovers the coefficients of an exact linear relation (tiny penalty)', () => {
    const fit = ridge(x, y, 1e-9);
    expect(fit.weights[0]).toBeCloseTo(2, 6);
    expect(fit.weights[1]).toBeCloseTo(-0.5, 6);
    expect(ridgePredict(fit, [10, 10])).toBeCloseTo(3 + 20 - 5, 5);
    // Exact data: every leave-one-out prediction is exact too.
    for (const [i, p] of fit.looPredictions.entries()) expect(p).toBeCloseTo(y[i]!, 5);
  });

  it('leave-one-out predictions equal refitting without each sample', () => {
    const noisy = y.map((v, i) => v + [0.3, -0.2, 0.5, -0.4, 0.1, 0.2][i]!);
    const fit = ridge(x, noisy, 0.7);
    for (let i = 0; i < x.length; i++) {
      const refit = ridge(
        x.filter((_, j) => j !== i),
        noisy.filter((_, j) => j !== i),
        0.7,
      );
      expect(fit.looPredictions[i]).toBeCloseTo(ridgePredict(refit, x[i]!), 10);
    }
  });

  it('shrinks the weights toward zero as the penalty grows; the intercept is the mean', () => {
    const fit = ridge(x, y, 1e6);
    expect(Math.abs(fit.weights[0]!)).toBeLessThan(1e-3);
    expect(fit.intercept).toBeCloseTo(y.reduce((s, v) => s + v, 0) / y.length, 12);
  });
});
