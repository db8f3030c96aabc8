import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, tempDir, trialsCsv } from './cli-harness.js';

interface Summary {
  runId: string;
  trials: number;
  counts: { completed: number; pruned: number; failed: number };
  screen: {
    estimator: string;
    options: Record<string, unknown>;
    metric: string;
    direction: string;
    warmup?: { pool: number; top: number };
    filter?: { fraction: number; min: number };
    screenedOut: number;
  } | null;
}

/**
 * The CIFAR-100 table stands in for a zero-cost proxy: it is cheap and deterministic, and it
 * ranks NAS-Bench-201 cells much as CIFAR-10 does without being the objective.
 */
const SEARCH = [
  '--space',
  'nb201',
  '--estimator',
  'nb201:cifar10',
  '--db',
  's.db',
  '--trials',
  '30',
  '--seed',
  '1',
];
const SCREEN = ['--screen', 'nb201:cifar100', '--warmup', '200:5', '--prefilter', '0.5'];

describe('archlab search --screen --warmup --prefilter', () => {
  let dir: string;
  let summary: Summary;

  beforeAll(() => {
    dir = tempDir();
    summary = archlabJson<Summary>(dir, 'search', ...SEARCH, ...SCREEN, '--run-id', 'zc', '-q');
  });

  it('evaluates the warm-up first, prunes what the pre-filter screens out, and spends the budget on the rest', () => {
    expect(summary.screen).toEqual({
      estimator: 'nb201:cifar100',
      options: {},
      metric: 'test_acc',
      direction: 'max',
      warmup: { pool: 200, top: 5 },
      filter: { fraction: 0.5, min: 10 },
      screenedOut: summary.counts.pruned,
    });
    expect(summary.counts.completed).toBe(30);
    expect(summary.counts.pruned).toBeGreaterThan(0);
    expect(summary.trials).toBe(30 + summary.counts.pruned);
    const events = archlabJson<
      { type: string; data: { trialId: number; gates?: { screen?: { value: number } }; seeded?: 'warmup' } }[]
    >(dir, 'events', 'zc', '--db', 's.db', '--type', 'TrialProposed');
    expect(events.slice(0, 5).map((e) => [e.data.trialId, e.data.seeded])).toEqual(
      [0, 1, 2, 3, 4].map((i) => [i, 'warmup']),
    );
    expect(events.slice(5).every((e) => e.data.gates?.screen && !e.data.seeded)).toBe(true);
  });

  it('show says the run was screened and how many proposals were screened out', () => {
    const r = archlab(dir, 'show', 'zc', '--db', 's.db');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `screen     nb201:cifar100 by test_acc (max): warm-up with the best 5 of 200 sampled; pre-filter to the best 50% after 10: ${summary.counts.pruned} proposals screened out\n`,
    );
    expect(r.stdout).toContain(
      `trials     ${summary.trials} (30 completed, 0 failed, ${summary.counts.pruned} pruned)`,
    );
  });

  it('replay --verify recomputes every screen score and the warm-up pool', () => {
    const r = archlab(dir, 'replay', 'zc', '--db', 's.db', '--verify');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^verified: run zc, \\d+ events, ${summary.trials} trials; .*, 30 results re-evaluated and equal, ${summary.trials} screen scores recomputed and equal`,
        'm',
      ),
    );
  });

  it('reads the screening from the config file as from the flags', () => {
    writeFileSync(
      join(dir, 'screen.json'),
      JSON.stringify({
        screen: { estimator: 'nb201:cifar100', warmup: { pool: 200, top: 5 }, filter: '0.5' },
      }),
    );
    const b = archlabJson<Summary>(
      dir,
      'search',
      ...SEARCH,
      '--config',
      'screen.json',
      '--run-id',
      'zcf',
      '-q',
    );
    expect(b.screen).toEqual(summary.screen);
    expect(trialsCsv(dir, 's.db', 'zcf')).toBe(trialsCsv(dir, 's.db', 'zc'));
  });

  it('rejects bad screening settings before anything is written, in one line, exit 2', () => {
    const cases: [string[], RegExp | string][] = [
      [
        ['--warmup', '100'],
        'archlab: error: --warmup, --prefilter and --screen-metric need --screen NAME, the estimator that scores architectures (e.g. --screen zc:synflow)\n',
      ],
      [
        ['--screen', 'zc:nope', '--warmup', '100'],
        /^archlab: error: unknown estimator 'zc:nope'; known estimators: .*nb201:cifar100.*\n$/,
      ],
      [
        ['--screen', 'nb201:cifar100'],
        'archlab: error: screening needs a warm-up, a pre-filter or both (--warmup POOL[:TOP], --prefilter FRACTION[:MIN])\n',
      ],
      [
        ['--screen', 'nb201:cifar100', '--prefilter', '1.5'],
        'archlab: error: the pre-filter fraction must be in (0, 1], e.g. 0.5 keeps the best half, got 1.5\n',
      ],
      [
        ['--screen', 'nb201:cifar100', '--warmup', '3:5'],
        'archlab: error: the warm-up pool (3) must be at least its top (5): it evaluates the top of the pool\n',
      ],
      [
        ['--screen', 'nb201:cifar100', '--warmup', 'many'],
        /^archlab: error: warm-up 'many' must look like POOL or POOL:TOP/,
      ],
      [
        ['--screen', 'nb201:cifar100:k=1', '--warmup', '10'],
        "archlab: error: screen estimator 'nb201:cifar100': unknown option 'k'; known options: (none)\n",
      ],
      [
        ['--screen', 'nb201:cifar100', '--screen-metric', 'acc', '--warmup', '10'],
        "archlab: error: screen estimator 'nb201:cifar100' has no metric 'acc'; it reports: test_acc\n",
      ],
    ];
    for (const [extra, stderr] of cases) {
      const r = archlab(dir, 'search', ...SEARCH, '--db', 'bad.db', ...extra);
      if (typeof stderr === 'string') expect(r.stderr, extra.join(' ')).toBe(stderr);
      else expect(r.stderr, extra.join(' ')).toMatch(stderr);
      expect(r.code, extra.join(' ')).toBe(2);
    }
    // Nothing was written: not even an empty database.
    expect(existsSync(join(dir, 'bad.db'))).toBe(false);
  });
});
