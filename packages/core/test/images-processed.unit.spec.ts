import { describe, expect, it } from 'vitest';
import { evolve, imagesProcessed, initialRunState, type RunEvent } from '../src/index.js';

let seq = 0;
const ev = (type: string, data: Record<string, unknown>) =>
  ({ runId: 'r', seq: seq++, ts: seq, hash: '', prevHash: '', type, data, v: 1 }) as unknown as RunEvent;

const fold = (events: RunEvent[]) => events.reduce(evolve, initialRunState('r'));

describe('imagesProcessed', () => {
  it('sums the last images of every owner and of every trial', () => {
    const s = fold([
      ev('Progressed', { owner: 'darts', step: 0, metrics: { images: 100 } }),
      ev('Progressed', { owner: 'darts', step: 1, metrics: { images: 200 } }),
      ev('Progressed', { owner: 'other', step: 0, metrics: { loss: 1 } }),
      ev('TrialProposed', { trialId: 0, arch: 'a' }),
      ev('TrialStarted', { trialId: 0, attempt: 1 }),
      ev('TrialProgressed', { trialId: 0, step: 0, metrics: { images: 30 } }),
      ev('TrialProgressed', { trialId: 0, step: 1, metrics: { images: 60 } }),
      ev('TrialCompleted', { trialId: 0, metrics: { acc: 1 }, durationMs: 1 }),
      ev('TrialProposed', { trialId: 1, arch: 'b' }),
      ev('TrialStarted', { trialId: 1, attempt: 1 }),
      ev('TrialProgressed', { trialId: 1, step: 0, metrics: { images: 30 } }),
    ]);
    // darts' last report 200, trial 0's last 60, trial 1's last 30.
    expect(imagesProcessed(s)).toBe(290);
  });

  it('is undefined when nothing reported images (a table estimator)', () => {
    const s = fold([
      ev('TrialProposed', { trialId: 0, arch: 'a' }),
      ev('TrialStarted', { trialId: 0, attempt: 1 }),
      ev('TrialProgressed', { trialId: 0, step: 0, metrics: { loss: 2 } }),
      ev('TrialCompleted', { trialId: 0, metrics: { acc: 1 }, durationMs: 1 }),
    ]);
    expect(imagesProcessed(s)).toBeUndefined();
    expect(imagesProcessed(initialRunState('r'))).toBeUndefined();
  });
});
