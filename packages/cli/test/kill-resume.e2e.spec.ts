import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  archlab,
  archlabAsync,
  archlabJson,
  exited,
  killAtRandomPoints,
  runDurationMs,
  tempDir,
  trialsCsv,
} from './cli-harness.js';

const ARGS = [
  '--space',
  'nb201',
  '--estimator',
  'nb201:cifar10',
  '--strategy',
  'random',
  '--trials',
  '3000',
  '--seed',
  '7',
  '--run-id',
  'r',
];

describe('kill -9 at a random point, then resume', () => {
  let dir: string;
  let expected: string;
  let expectedBest: unknown;
  let runMs: number;

  beforeAll(() => {
    dir = tempDir();
    const full = archlabJson<{ best: unknown }>(dir, 'search', ...ARGS, '--db', 'full.db');
    runMs = runDurationMs(dir, 'r', 'full.db');
    expected = trialsCsv(dir, 'full.db', 'r');
    expectedBest = full.best;
  });

  it('ends with the same trials and the same best architecture as the uninterrupted run', async () => {
    await killAtRandomPoints(
      dir,
      'r',
      (db) => [...ARGS, '--db', db],
      { runMs, runs: 8, seed: 20261123, minMidRun: 6 },
      (db, finished) => {
        expect(JSON.parse(finished.stdout.trim().split('\n').at(-1)!).best).toEqual(expectedBest);
        expect(trialsCsv(dir, db, 'r')).toBe(expected);
        expect(archlab(dir, 'replay', 'r', '--db', db, '--verify').code).toBe(0);
      },
    );
  }, 300_000);
});

describe('a second process working on the same run', () => {
  it('gets a conflict error (exit 2), and nothing stored is lost', async () => {
    const dir = tempDir();
    const args = [
      '--space',
      'nb201',
      '--estimator',
      'nb201:cifar10',
      '--trials',
      '15000',
      '--seed',
      '3',
      '--run-id',
      'c',
      '--quiet',
    ];
    const first = archlabAsync(dir, 'search', ...args, '--db', 'c.db');
    const firstDone = exited(first);
    // Wait until the run is under way, then start a second writer on it.
    for (let i = 0; i < 200; i++) {
      await sleep(50);
      const r = archlab(dir, 'runs', '--db', 'c.db', '--json');
      if (r.code === 0 && (JSON.parse(r.stdout) as { trials: number }[])[0]?.trials > 100) break;
    }
    const second = archlab(dir, 'resume', 'c', '--db', 'c.db');
    const a = await firstDone;
    const outcomes = [a, second];
    const conflicted = outcomes.filter(
      (o) => o.code === 2 && /was appended to by another writer/.test(o.stderr),
    );
    expect(conflicted.length).toBe(1);
    expect(conflicted[0]!.stderr).not.toMatch(/\n\s+at /);
    // Whoever lost, the log is intact; finishing the run gives the uninterrupted result.
    archlab(dir, 'resume', 'c', '--db', 'c.db');
    expect(archlab(dir, 'replay', 'c', '--db', 'c.db', '--verify').code).toBe(0);
    archlabJson(dir, 'search', ...args.map((x) => (x === 'c' ? 'ref' : x)), '--db', 'ref.db');
    expect(trialsCsv(dir, 'c.db', 'c')).toBe(trialsCsv(dir, 'ref.db', 'ref'));
  });
});
