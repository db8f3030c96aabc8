import { describe, expect, it } from 'vitest';
import { bestSoFar, initialRunState, meanWithError, type RunState } from '../src/index.js';

function stateWith(values: (number | 'failed')[]): RunState {
  const s = initialRunState('r');
  s.trials = values.map((v, trialId) =>
    v === 'failed'
      ? { trialId, status: 'failed', attempts: 1 }
      : { trialId, arch: String(trialId), status: 'completed', attempts: 1, metrics: { acc: v } },
  );
  return s;
}

describe('bestSoFar', () => {
  it('keeps the running best, skipping failed trials', () => {
    const s = stateWith(['failed', 3, 1, 'failed', 5, 4]);
    expect(bestSoFar(s, { metric: 'acc', direction: 'max' })).toEqual([undefined, 3, 3, 3, 5, 5]);
    expect(bestSoFar(s, { metric: 'acc', direction: 'min' })).toEqual([undefined, 3, 1, 1, 1, 1]);
  });

  it('skips trials that break a constraint of the run', () => {
    const s = stateWith([3, 9, 5]);
    s.trials[1]!.violations = ['latency_ms=9 breaks latency_ms<=5'];
    expect(bestSoFar(s, { metric: 'acc', direction: 'max' })).toEqual([3, 3, 5]);
  });
});

describe('meanWithError', () => {
  it('matches a hand computation', () => {
    // mean 3; sample variance ((1-3)^2 + (3-3)^2 + (5-3)^2) / 2 = 4; se = 2 / √3
    const m = meanWithError([1, 3, 5]);
    expect(m.mean).toBe(3);
    expect(m.se).toBeCloseTo(2 / Math.sqrt(3), 12);
    expect(meanWithError([7])).toEqual({ mean: 7, se: 0, n: 1 });
    expect(meanWithError([]).n).toBe(0);
  });
});
