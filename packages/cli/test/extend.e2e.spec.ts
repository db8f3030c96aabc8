import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, type CliResult, tempDir, trialsCsv } from './cli-harness.js';

const COMPARE = ['compare', '--space', 'nb201', '--seeds', '2', '--db', 'c.db', '--name', 'x', '-q'];
const CIFAR10 = ['--estimator', 'nb201:cifar10', '--strategies', 'random,evolution'];
const SEARCH = ['search', '--space', 'nb201', '--estimator', 'nb201:cifar10', '-q'];

interface CompareJson {
  strategies: { strategy: string; runs: string[]; atTrials: Record<string, { mean: number; n: number }> }[];
}

const expectRefused = (r: CliResult, message: RegExp) => {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stdout).toBe('');
};

// Each test runs the CLI a dozen times; on a loaded machine that takes minutes.
describe('compare reuses a run only when it was recorded with the requested settings', {
  timeout: 300_000,
}, () => {
  let dir: string;
  let first: CompareJson;
  let runs: string[];
  let before: Map<string, string>;
  beforeAll(() => {
    dir = tempDir();
    first = archlabJson<CompareJson>(dir, ...COMPARE, ...CIFAR10, '--trials', '30', '--checkpoints', '30');
    runs = first.strategies.flatMap((s) => s.runs);
    before = new Map(runs.map((r) => [r, trialsCsv(dir, 'c.db', r)]));
  }, 300_000);
  const unchanged = () => {
    for (const r of runs) expect(trialsCsv(dir, 'c.db', r)).toBe(before.get(r));
  };

  it('refuses another estimator, strategy option or concurrency, naming the field', () => {
    expectRefused(
      archlab(dir, ...COMPARE, '--estimator', 'nb201:cifar100', '--strategies', 'random', '--trials', '30'),
      /^archlab: error: run 'x\.random\.s0' was recorded with estimator=nb201:cifar10, but this compare asks for estimator=nb201:cifar100; /,
    );
    expectRefused(
      archlab(dir, ...COMPARE, ...CIFAR10, '--trials', '30', '--strategy-option', 'evolution.population=7'),
      /^archlab: error: run 'x\.evolution\.s0' was recorded with strategyOptions\.population=\d+, but this compare asks for strategyOptions\.population=7; /,
    );
    expectRefused(
      archlab(dir, ...COMPARE, ...CIFAR10, '--trials', '30', '--concurrency', '2'),
      /recorded with concurrency=1, but this compare asks for concurrency=2/,
    );
    expect(existsSync(join(dir, 'x'))).toBe(true);
    unchanged();
  });

  it('refuses fewer trials than a run has, before running anything', () => {
    expectRefused(
      archlab(dir, ...COMPARE, ...CIFAR10, '--trials', '20', '--out', 'fewer'),
      /^archlab: error: run 'x\.random\.s0' has budget\.trials=30; 20 would shrink it/,
    );
    expect(existsSync(join(dir, 'fewer'))).toBe(false);
    unchanged();
  });

  it('refuses an --out that is a file (the database) before running anything', () => {
    expectRefused(
      archlab(
        dir,
        ...COMPARE.map((a) => (a === 'x' ? 'z' : a)),
        ...CIFAR10,
        '--trials',
        '30',
        '--out',
        'c.db',
      ),
      /^archlab: error: cannot write --out 'c.db': it is a file, not a folder/,
    );
    expect(
      archlabJson<{ runId: string }[]>(dir, 'runs', '--db', 'c.db').filter((r) => r.runId.startsWith('z.')),
    ).toEqual([]);
    unchanged();
  });

  it('extends the runs to a larger --trials: the first trials kept, the rest as a longer run would have', () => {
    const r = archlab(
      dir,
      ...COMPARE.filter((a) => a !== '-q'),
      ...CIFAR10,
      '--trials',
      '45',
      '--checkpoints',
      '30,45',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(r.stderr.match(/\(extended from 30 trials\)/g)).toHaveLength(4);
    const extended = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as CompareJson;
    for (const run of runs) {
      const csv = trialsCsv(dir, 'c.db', run);
      expect(csv.split('\n')).toHaveLength(46);
      expect(csv.startsWith(before.get(run)!)).toBe(true);
    }
    expect(archlab(dir, 'replay', 'x.evolution.s1', '--db', 'c.db', '--verify').code).toBe(0);
    // The same numbers as a comparison run to 45 trials from the start, and the same trials.
    const fresh = archlabJson<CompareJson>(
      dir,
      ...COMPARE.map((a) => (a === 'x' ? 'y' : a)),
      ...CIFAR10,
      '--trials',
      '45',
      '--checkpoints',
      '30,45',
    );
    expect(extended.strategies.map((s) => s.atTrials)).toEqual(fresh.strategies.map((s) => s.atTrials));
    expect(trialsCsv(dir, 'c.db', 'x.evolution.s1')).toBe(trialsCsv(dir, 'c.db', 'y.evolution.s1'));
  });
});

describe("resume --trials raises a run's budget", { timeout: 300_000 }, () => {
  it('carries a finished run on to the new budget, as if it had had it from the start', () => {
    const dir = tempDir();
    archlabJson(dir, ...SEARCH, '--trials', '30', '--seed', '3', '--db', 'r.db', '--run-id', 'r');
    archlabJson(dir, ...SEARCH, '--trials', '50', '--seed', '3', '--db', 'r.db', '--run-id', 'whole');
    const short = trialsCsv(dir, 'r.db', 'r');
    const out = archlab(dir, 'resume', 'r', '--db', 'r.db', '--trials', '50');
    expect(out.code).toBe(0);
    expect(out.stderr).toMatch(/^archlab: extending r from 30 to 50 trials\n/);
    const shown = archlabJson<{ trials: number; status: string; budget: { trials: number } }>(
      dir,
      'show',
      'r',
      '--db',
      'r.db',
    );
    expect(shown).toMatchObject({ trials: 50, status: 'completed', budget: { trials: 50 } });
    expect(trialsCsv(dir, 'r.db', 'r')).toBe(trialsCsv(dir, 'r.db', 'whole'));
    expect(trialsCsv(dir, 'r.db', 'r').startsWith(short)).toBe(true);
    expect(archlab(dir, 'replay', 'r', '--db', 'r.db', '--verify').code).toBe(0);
    expect(archlabJson<{ budget: { trials: number } }>(dir, 'show', 'r', '--db', 'r.db').budget.trials).toBe(
      50,
    );
    expect(
      archlabJson<{ type: string }[]>(dir, 'events', 'r', '--db', 'r.db', '--type', 'RunExtended'),
    ).toHaveLength(1);

    expectRefused(
      archlab(dir, 'resume', 'r', '--db', 'r.db', '--trials', '40'),
      /^archlab: error: run 'r' has budget\.trials=50; 40 would shrink it/,
    );
    const zero = archlab(dir, 'resume', 'r', '--db', 'r.db', '--trials', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--trials must be a whole number/);
    const same = archlab(dir, 'resume', 'r', '--db', 'r.db', '--trials', '50');
    expect(same.code).toBe(0);
    expect(same.stderr).toMatch(/already complete/);
    expect(trialsCsv(dir, 'r.db', 'r')).toBe(trialsCsv(dir, 'r.db', 'whole'));
  });
});
