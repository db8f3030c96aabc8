import { describe, expect, it } from 'vitest';
import {
  initialRunState,
  mnasReward,
  type Objective,
  paretoFront,
  type RewardConfig,
  type RunConfig,
  type RunState,
  runObjectives,
  runScore,
  type Trial,
  violations,
} from '../src/index.js';

const mnas = (alpha: number, beta: number): RewardConfig => ({
  kind: 'mnas',
  metric: 'latency_ms',
  target: 5,
  alpha,
  beta,
});

describe('mnasReward (Tan et al. 2019, eq. 2)', () => {
  it('matches hand-computed values on both sides of the target', () => {
    // acc 0.75, 10 ms against a 5 ms target: 0.75 · 2^-0.07 = 0.75 · 0.9526380 = 0.7144785
    expect(mnasReward(mnas(-0.07, -0.07), 0.75, 10)).toBeCloseTo(0.714478498533, 12);
    // 2.5 ms, under the target, is rewarded: 0.75 · 0.5^-0.07 = 0.75 · 1.0497167 = 0.7872875
    expect(mnasReward(mnas(-0.07, -0.07), 0.75, 2.5)).toBeCloseTo(0.787287512717, 12);
    // The hard variant (alpha 0, beta -1): no bonus under the target, 0.75 · (10/5)^-1 = 0.375 over it.
    expect(mnasReward(mnas(0, -1), 0.75, 4)).toBe(0.75);
    expect(mnasReward(mnas(0, -1), 0.75, 10)).toBe(0.375);
    // At the target exactly, w = alpha and the factor is 1.
    expect(mnasReward(mnas(-0.07, -1), 0.75, 5)).toBe(0.75);
  });

  it('is NaN where it is undefined: a missing value, or a cost that is not positive', () => {
    expect(mnasReward(mnas(-0.07, -0.07), undefined, 3)).toBeNaN();
    expect(mnasReward(mnas(-0.07, -0.07), 0.9, undefined)).toBeNaN();
    expect(mnasReward(mnas(-0.07, -0.07), 0.9, 0)).toBeNaN();
  });
});

const config = (over: Partial<RunConfig> = {}): RunConfig => ({
  space: 'digits',
  spaceOptions: {},
  estimator: 'synthetic',
  estimatorOptions: {},
  strategy: 'random',
  strategyOptions: {},
  seed: 0,
  concurrency: 1,
  budget: { trials: 10 },
  objective: { metric: 'acc', direction: 'max' },
  checkpointEvery: 0,
  ...over,
});

describe('runScore and violations', () => {
  it('scores by the primary objective, or by the reward when the run has one', () => {
    expect(runScore(config(), { acc: 93.5, latency_ms: 6 })).toBe(93.5);
    expect(runScore(config({ objective: { metric: 'acc', direction: 'min' } }), { acc: 93.5 })).toBe(-93.5);
    // 93.5 · (6/5)^-0.07 = 92.3142878; 93.5 · (3/5)^-0.07 = 96.9038481
    const rewarded = config({ reward: mnas(-0.07, -0.07) });
    expect(runScore(rewarded, { acc: 93.5, latency_ms: 6 })).toBeCloseTo(92.314287836, 8);
    expect(runScore(rewarded, { acc: 93.5, latency_ms: 3 })).toBeCloseTo(96.903848078, 8);
  });

  it('gives NaN to a trial that breaks a constraint, naming the constraint and the value', () => {
    const c = config({
      constraints: [
        { metric: 'latency_ms', op: '<=', bound: 5 },
        { metric: 'params', op: '<', bound: 1e6 },
        { metric: 'acc', op: '>', bound: 50 },
      ],
    });
    expect(violations(c.constraints, { acc: 60, latency_ms: 5, params: 999_999 })).toEqual([]);
    expect(violations(c.constraints, { acc: 50, latency_ms: 7.25, params: 1e6 })).toEqual([
      'latency_ms=7.25 breaks latency_ms<=5',
      'params=1000000 breaks params<1000000',
      'acc=50 breaks acc>50',
    ]);
    // Before evaluation only the cheap costs are known: the others are not judged yet.
    expect(violations(c.constraints, { latency_ms: 4 })).toEqual([]);
    expect(violations(c.constraints, { latency_ms: Number.NaN })).toEqual([
      'latency_ms=NaN breaks latency_ms<=5',
    ]);
    expect(runScore(c, { acc: 60, latency_ms: 7, params: 1 })).toBeNaN();
    expect(runScore(c, { acc: 60, latency_ms: 4, params: 1 })).toBe(60);
  });

  it('reads the objectives of a run recorded before objectives existed', () => {
    expect(runObjectives(config())).toEqual([{ metric: 'acc', direction: 'max' }]);
  });
});

describe('paretoFront', () => {
  /** acc (max) against latency_ms (min), by hand: */
  function handMade(): RunState {
    const s = initialRunState('r');
    const done = (trialId: number, acc: number, lat: number, extra: Partial<Trial> = {}): Trial => ({
      trialId,
      arch: `a${trialId}`,
      status: 'completed',
      attempts: 1,
      metrics: { acc, latency_ms: lat },
      ...extra,
    });
    s.trials = [
      done(0, 90, 5), // front: the fastest feasible
      done(1, 92, 7), // front
      done(2, 89, 6), // dominated by 0 (worse in both)
      done(3, 92, 7), // equal to 1: on the front with it
      done(4, 95, 20), // front: the most accurate
      done(5, 99, 1, { violations: ['latency_ms=1 breaks latency_ms>=2'] }), // would dominate all; infeasible
      { trialId: 6, arch: 'a6', status: 'failed', attempts: 1 },
      { trialId: 7, arch: 'a7', status: 'pruned', attempts: 0, metrics: { latency_ms: 0.5 } },
      { trialId: 8, arch: 'a8', status: 'completed', attempts: 1, metrics: { acc: 100 } }, // no latency
      done(9, 91, 7), // dominated by 1 (same latency, less accurate)
      done(10, 95, 21), // dominated by 4
    ];
    return s;
  }
  const objectives: Objective[] = [
    { metric: 'acc', direction: 'max' },
    { metric: 'latency_ms', direction: 'min' },
  ];

  it('keeps the non-dominated feasible completed trials, ties included, in trial order', () => {
    expect(paretoFront(handMade(), objectives).map((t) => t.trialId)).toEqual([0, 1, 3, 4]);
  });

  it('follows the directions it is given', () => {
    const both = paretoFront(handMade(), [
      { metric: 'acc', direction: 'max' },
      { metric: 'latency_ms', direction: 'max' },
    ]);
    expect(both.map((t) => t.trialId)).toEqual([10]);
    // On accuracy alone, trial 8 (no latency, but 100) is the front.
    expect(paretoFront(handMade(), [{ metric: 'acc', direction: 'max' }]).map((t) => t.trialId)).toEqual([8]);
  });

  it("uses the run's objectives by default", () => {
    const s = handMade();
    s.config = config({ objectives, objective: objectives[0]! });
    expect(paretoFront(s).map((t) => t.trialId)).toEqual([0, 1, 3, 4]);
  });
});
