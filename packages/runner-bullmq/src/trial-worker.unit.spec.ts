import { describe, expect, it } from 'vitest';
import { TrialPayload, trialJobId } from './trial-payload.js';
import { versionDifference } from './trial-worker.js';

describe('versionDifference', () => {
  it('names every package whose version differs or that is missing; none when all match', () => {
    const here: Record<string, string> = { '@archlab/core': '0.1.0', 'archlab-plugin-x': '1.2.0' };
    const have = (name: string) => here[name];
    expect(
      versionDifference({ '@archlab/core': '0.1.0', 'archlab-plugin-x': '1.2.0' }, have),
    ).toBeUndefined();
    expect(
      versionDifference(
        { '@archlab/core': '0.2.0', 'archlab-plugin-x': '1.2.0', 'archlab-plugin-y': '3.0.0' },
        have,
      ),
    ).toBe('@archlab/core is 0.1.0 here but 0.2.0 in the run; archlab-plugin-y@3.0.0 is not installed here');
  });
});

describe('TrialPayload', () => {
  const good = {
    v: 1,
    runId: 'r1',
    trialId: 3,
    arch: '|nor_conv_3x3~0|',
    seed: 12345,
    space: 'nb201',
    spaceOptions: {},
    estimator: 'nb201:cifar10',
    estimatorOptions: { epochs: 12 },
    versions: { '@archlab/core': '0.1.0' },
  };

  it('accepts a trial and refuses a payload of another shape, saying where', () => {
    expect(TrialPayload.safeParse(good).success).toBe(true);
    const bad = TrialPayload.safeParse({ ...good, v: 2, trialId: -1 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['v', 'trialId']);
    expect(TrialPayload.safeParse({ ...good, versions: { x: 1 } }).success).toBe(false);
  });

  it('gives each trial of a run one job id, valid for BullMQ (no colon, not an integer)', () => {
    expect(trialJobId('20260101-000000-ab12', 7)).toBe('20260101-000000-ab12.t7');
    expect(trialJobId('r', 1)).not.toBe(trialJobId('r', 10));
    expect(trialJobId('r.t1', 0)).not.toBe(trialJobId('r', 10));
  });
});
