import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, tempDir, trialsCsv } from './cli-harness.js';

// A database written by archlab at 65f2723; how each run was made: fixtures/README.md.
const FIXTURE = new URL('./fixtures/logs-65f2723.db.gz', import.meta.url);
const COMPLETED = [
  'strat-random',
  'strat-evolution',
  'strat-local-search',
  'strat-rl',
  'strat-pnas',
  'strat-bananas',
  'strat-nsga2',
  'screened',
  'constrained',
];
const UNFINISHED: Record<string, string[]> = {
  killed: ['--strategy', 'evolution', '--seed', '8', '--checkpoint-every', '100'],
  'killed-resumed': ['--strategy', 'rl', '--seed', '9', '--checkpoint-every', '100'],
};

describe('logs written by archlab at 65f2723', () => {
  let dir: string;
  const db = 'frozen.db';

  beforeAll(() => {
    dir = tempDir();
    writeFileSync(join(dir, db), gunzipSync(readFileSync(FIXTURE)));
  });

  it('are all listed, with their recorded status', () => {
    const runs = archlabJson<{ runId: string; status: string }[]>(dir, 'runs', '--db', db);
    expect(Object.fromEntries(runs.map((r) => [r.runId, r.status]))).toEqual({
      ...Object.fromEntries(COMPLETED.map((r) => [r, 'completed'])),
      killed: 'unfinished',
      'killed-resumed': 'unfinished',
    });
  });

  it.each([...COMPLETED, ...Object.keys(UNFINISHED)])(
    '%s verifies: hash chain, proposals, results',
    (run) => {
      const r = archlab(dir, 'replay', run, '--db', db, '--verify');
      expect(r.code, r.stdout + r.stderr).toBe(0);
    },
  );

  it.each(Object.entries(UNFINISHED))(
    '%s resumes to the trials and best of an uninterrupted run of today, and then verifies',
    (run, args) => {
      const resumed = archlabJson<{ status: string; best: unknown }>(dir, 'resume', run, '--db', db, '-q');
      expect(resumed.status).toBe('completed');
      const fresh = archlabJson<{ best: unknown }>(
        dir,
        'search',
        '--space',
        'nb201',
        '--estimator',
        'nb201:cifar10',
        '--trials',
        '1500',
        ...args,
        '--run-id',
        run,
        '--db',
        'fresh.db',
        '-q',
      );
      expect(resumed.best).toEqual(fresh.best);
      expect(trialsCsv(dir, db, run)).toBe(trialsCsv(dir, 'fresh.db', run));
      expect(archlab(dir, 'replay', run, '--db', db, '--verify').code).toBe(0);
    },
    120_000,
  );
});
