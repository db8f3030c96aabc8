import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, tempDir, trialsCsv } from './cli-harness.js';

const ARGS = [
  'compare',
  '--space',
  'nb201',
  '--estimator',
  'nb201:cifar10',
  '--seeds',
  '3',
  '--trials',
  '60',
  '--db',
  'c.db',
];

interface CompareJson {
  name: string;
  optimum: number;
  strategies: {
    strategy: string;
    runs: string[];
    atTrials: Record<string, { mean: number; se: number; n: number }>;
    reachedOptimum: { seeds: number; of: number };
    meanImages: number | null;
    meanWallSeconds: number;
  }[];
}

describe('archlab compare', () => {
  let dir: string;
  let result: CompareJson;
  beforeAll(() => {
    dir = tempDir();
    result = archlabJson<CompareJson>(
      dir,
      ...ARGS,
      '--strategies',
      'random',
      '--name',
      'cmp',
      '--out',
      'out',
      '--checkpoints',
      '10,60',
      '-q',
    );
  });

  it('runs every strategy × seed as its own run and summarises best-so-far', () => {
    const [random] = result.strategies;
    expect(random!.runs).toEqual(['cmp.random.s0', 'cmp.random.s1', 'cmp.random.s2']);
    expect(result.optimum).toBeCloseTo(94.3733, 4);
    // The summary is the mean of each run's best-so-far, as `show` reports each run's best.
    const bests = random!.runs.map(
      (r) =>
        archlabJson<{ best: { metrics: { test_acc: number } } }>(dir, 'show', r, '--db', 'c.db').best.metrics
          .test_acc,
    );
    expect(random!.atTrials['60']!.mean).toBeCloseTo(bests.reduce((a, b) => a + b, 0) / 3, 10);
    expect(random!.atTrials['60']!.n).toBe(3);
    expect(random!.atTrials['10']!.mean).toBeLessThanOrEqual(random!.atTrials['60']!.mean);
    // Seed s of a compare is the same run as `search --seed s`.
    archlabJson(
      dir,
      'search',
      '--space',
      'nb201',
      '--estimator',
      'nb201:cifar10',
      '--trials',
      '60',
      '--seed',
      '1',
      '--db',
      'c.db',
      '--run-id',
      'solo',
      '-q',
    );
    expect(trialsCsv(dir, 'c.db', 'cmp.random.s1')).toBe(trialsCsv(dir, 'c.db', 'solo'));
  });

  it('writes CSV, JSON and an SVG plot', () => {
    const csv = readFileSync(join(dir, 'out', 'compare.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe(
      'strategy,mean_at_10,se_at_10,mean_at_60,se_at_60,seeds,reached_optimum,mean_trial_to_optimum,mean_images,mean_wall_s',
    );
    expect(csv[1]).toMatch(/^random,/);
    expect(
      JSON.parse(readFileSync(join(dir, 'out', 'compare.json'), 'utf8')).strategies[0].curve,
    ).toHaveLength(60);
    const svg = readFileSync(join(dir, 'out', 'compare.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // Drawn by Vega-Lite: one ± s.e. band and one mean line per strategy, the optimum dashed.
    const inMarks = (kind: string) =>
      svg
        .split(`class="mark-${kind} role-mark`)
        .slice(1)
        .map((g) => (g.slice(0, g.indexOf('</g>')).match(/<(path|line) /g) ?? []).length);
    expect(inMarks('area')).toEqual([1]);
    expect(inMarks('line')).toEqual([1]);
    expect(inMarks('rule')).toEqual([1]);
    expect(svg).toContain('optimum 94.3733');
  });

  it('reuses finished runs when run again under the same name', () => {
    const again = archlab(dir, ...ARGS, '--strategies', 'random', '--name', 'cmp', '--out', 'out2');
    expect(again.code).toBe(0);
    expect(again.stderr.match(/\(reused\)/g)).toHaveLength(3);
    expect(again.stdout).toMatch(/random\s+\d+\.\d\d ± \d\.\d\d/);
    // The table estimator trains nothing: its images are unknown, not 0.
    expect(again.stdout).toMatch(/ images +wall s\n/);
    expect(again.stdout).toMatch(/ — +\d+\.\d\n/);
    expect(result.strategies[0]!.meanImages).toBeNull();
  });

  it('rejects an unknown strategy before running anything', () => {
    const r = archlab(dir, ...ARGS, '--strategies', 'random,nope', '--name', 'bad');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown strategy 'nope'/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
    expect(
      archlabJson<{ runId: string }[]>(dir, 'runs', '--db', 'c.db').some((x) => x.runId.startsWith('bad.')),
    ).toBe(false);
  });

  it('rejects a strategy option for a strategy not compared', () => {
    const r = archlab(dir, ...ARGS, '--strategies', 'random', '--strategy-option', 'evolution.population=3');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/STRATEGY.NAME=VALUE with STRATEGY one of random/);
  });
});
