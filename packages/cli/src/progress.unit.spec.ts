import { evolve, initialRunState, type RunConfig, type RunEvent } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import { duration, etaSeconds, ProgressReporter, stepLine } from './progress.js';

const config: RunConfig = {
  space: 'fmnist-chain',
  spaceOptions: {},
  estimator: 'train',
  estimatorOptions: { epochs: 3 },
  strategy: 'random',
  strategyOptions: {},
  seed: 0,
  concurrency: 2,
  budget: { trials: 4 },
  objective: { metric: 'val_acc', direction: 'max' },
  checkpointEvery: 0,
};

/** Feeds events to a run state and a reporter, as driveRun does. */
function harness(isTTY: boolean, runConfig: RunConfig = config) {
  const state = initialRunState('r');
  const written: string[] = [];
  let now = 0;
  const clock = () => now;
  const reporter = new ProgressReporter(state, { isTTY, write: (s: string) => written.push(s) }, true, clock);
  let seq = 0;
  const feed = (type: RunEvent['type'], data: unknown) => {
    now += 100;
    const e = { type, v: 1, runId: 'r', seq: seq++, ts: 0, data, hash: '' } as RunEvent;
    evolve(state, e);
    reporter.onEvent(e);
  };
  feed('RunStarted', { config: runConfig, packages: {}, env: { node: '', platform: '', arch: '' } });
  return { feed, written, reporter };
}

describe('ProgressReporter', () => {
  it('writes one plain line per epoch report of a trial, with the epoch out of the epochs option', () => {
    const { feed, written } = harness(false);
    feed('TrialProposed', { trialId: 0, arch: 'a' });
    feed('TrialStarted', { trialId: 0, attempt: 1 });
    feed('TrialProgressed', { trialId: 0, step: 1, metrics: { loss: 0.5, val_acc: 0.81 } });
    expect(written).toEqual(['archlab: trial 0 step 1/3  loss=0.5 val_acc=0.81\n']);
  });

  it('on a terminal, draws the run bar and one line per running trial, then redraws over them', () => {
    process.env.TERM = 'xterm';
    const { feed, written, reporter } = harness(true);
    for (const trialId of [0, 1]) {
      feed('TrialProposed', { trialId, arch: `a${trialId}` });
      feed('TrialStarted', { trialId, attempt: 1 });
    }
    feed('TrialProgressed', { trialId: 0, step: 1, metrics: { val_acc: 0.8 } });
    const escapes = new RegExp(`\r|${String.fromCharCode(27)}\\[\\d*[AJ]`, 'g');
    const vt = (s: string) => s.replace(escapes, '');
    expect(vt(written.at(-1) ?? '')).toMatch(
      /^\[\.+\] 0\/4 trials {2}best -.*\n {2}trial 0 step 1\/3 {2}val_acc=0\.8$/,
    );
    feed('TrialCompleted', { trialId: 0, metrics: { val_acc: 0.8 }, durationMs: 1 });
    expect(written.at(-1)?.startsWith('\r\x1b[1A\x1b[0J'), 'moves up over the two-line block').toBe(true);
    feed('TrialCompleted', { trialId: 1, metrics: { val_acc: 0.9 }, durationMs: 1 });
    feed('TrialProposed', { trialId: 2, arch: 'a2' });
    feed('TrialFailed', { trialId: 2, stage: 'evaluate', error: { name: 'E', message: 'm' }, durationMs: 1 });
    // A pruned trial costs nothing: it is counted apart, not against the budget.
    feed('TrialProposed', { trialId: 3, arch: 'a3' });
    feed('TrialPruned', { trialId: 3, reason: 'flops=9 breaks flops<=1', metrics: { flops: 9 } });
    expect(vt(written.at(-1) ?? '')).toMatch(
      /^\[#+\.+\] 3\/4 trials {2}best val_acc=0\.9 {2}1 failed {2}1 pruned/,
    );
    feed('TrialProposed', { trialId: 4, arch: 'a4' });
    feed('TrialCompleted', { trialId: 4, metrics: { val_acc: 0.7 }, durationMs: 1 });
    expect(vt(written.at(-1) ?? '')).toMatch(
      /^\[#+\] 4\/4 trials {2}best val_acc=0\.9 {2}1 failed {2}1 pruned/,
    );
    reporter.finish();
    expect(written.at(-1)).toBe('\r\x1b[0J');
  });
});

describe('etaSeconds', () => {
  it('is the time the trials left take at the current rate', () => {
    expect(etaSeconds({ done: 10, total: 100, rate: 2 })).toBe(45);
  });

  it('is the wall time left when that budget ends first', () => {
    expect(etaSeconds({ done: 10, total: 100, rate: 2, wallLeftMs: 30_000 })).toBe(30);
    expect(etaSeconds({ done: 10, total: 100, rate: 2, wallLeftMs: 60_000 })).toBe(45);
    expect(etaSeconds({ done: 10, rate: 2, wallLeftMs: 12_500 })).toBe(13);
    expect(etaSeconds({ done: 0, total: 100, rate: 0, wallLeftMs: 5_000 })).toBe(5);
    expect(etaSeconds({ done: 10, total: 100, rate: 2, wallLeftMs: -1 })).toBe(0);
  });

  it('is unknown without a rate or a wall time', () => {
    expect(etaSeconds({ done: 0, total: 100, rate: 0 })).toBeUndefined();
    expect(etaSeconds({ done: 5, rate: 3 })).toBeUndefined();
  });

  it('is what the progress line shows for a run with --wall-time', () => {
    process.env.TERM = 'xterm';
    const { feed, written } = harness(true, { ...config, budget: { trials: 1000, wallTimeMs: 2_000 } });
    feed('TrialProposed', { trialId: 0, arch: 'a' });
    feed('TrialCompleted', { trialId: 0, metrics: { val_acc: 0.5 }, durationMs: 1 });
    // 300 ms of the run's clock have gone: the 999 trials left would take 300 s at this rate,
    // the wall time left is 1.7 s.
    expect(written.at(-1)).toMatch(/ 1\/1000 trials .* 3\.3 trials\/s {2}eta 2s$/);
  });
});

describe('stepLine', () => {
  it('gives the step out of the total, the metrics, the time so far and the time left', () => {
    expect(stepLine(3, { loss: 0.31, val_acc: 90.1 }, 400_000, 15)).toBe(
      'step 3/15  loss=0.31 val_acc=90.1  6m 40s, eta 26m 40s',
    );
    expect(stepLine(15, { val_acc: 92 }, 2_100_000, 15)).toBe('step 15/15  val_acc=92  35m 0s');
  });

  it('leaves the total and the estimate out when the total is unknown', () => {
    expect(stepLine(2, { val_acc: 80 }, 1_500)).toBe('step 2  val_acc=80  2s');
  });

  it('writes durations in seconds, minutes or hours', () => {
    expect([duration(0), duration(59_400), duration(61_000), duration(7_500_000)]).toEqual([
      '0s',
      '59s',
      '1m 1s',
      '2h 5m',
    ]);
  });
});
