import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, installPlugin, tempDir, trialsCsv } from './cli-harness.js';

/**
 * A hardware-model plugin, installed in a user's project as a package: latency and conv weights
 * of an NB201 cell from its op counts. Cheap and deterministic, so it prunes and is re-checked.
 */
const PLUGIN = `
import { ContainerModule, HardwareModelFactory } from '@archlab/core';
const MS = { none: 0, skip_connect: 0.1, nor_conv_1x1: 0.5, nor_conv_3x3: 1.5, avg_pool_3x3: 0.3 };
const count = (key, op) => key.split(op + '~').length - 1;
export const toyHardwareModule = new ContainerModule((bind) => {
  bind(HardwareModelFactory).toConstantValue({
    name: 'toy-latency',
    description: 'test: NB201 latency and conv weights from op counts',
    spaces: ['nb201'],
    options: { base: { type: 'number', default: 0.5, min: 0, description: 'fixed cost, ms' } },
    create: (space, o) => ({
      name: 'toy-latency',
      metrics: ['latency_ms', 'conv_k'],
      cheap: true,
      deterministic: true,
      device: { kind: 'toy' },
      async cost(arch) {
        const key = space.key(arch);
        const ops = Object.keys(MS);
        const latency = ops.reduce((ms, op) => ms + count(key, op) * MS[op], o.base);
        return { latency_ms: Math.round(latency * 1000) / 1000, conv_k: count(key, 'nor_conv_1x1') + 9 * count(key, 'nor_conv_3x3') };
      },
    }),
  });
});
`;

interface Summary {
  runId: string;
  trials: number;
  counts: { completed: number; pruned: number; infeasible: number; failed: number };
  objectives: { metric: string; direction: string }[];
  constraints: string[];
  hardware: { name: string; options: Record<string, unknown> }[];
  reward: Record<string, unknown> | null;
  best: { trialId: number; arch: string; metrics: Record<string, number> } | null;
  pareto: { trialId: number; arch: string; metrics: Record<string, number> }[] | null;
}

const BASE = [
  '--space',
  'nb201',
  '--estimator',
  'nb201:cifar10',
  '--db',
  'c.db',
  '--plugin',
  'archlab-toy-hardware',
];
const MULTI = [
  ...BASE,
  '--strategy',
  'nsga2',
  '--strategy-option',
  'population=10',
  '--objective',
  'test_acc:max',
  '--objective',
  'latency_ms:min',
  '--constraint',
  'latency_ms<=5',
  '--constraint',
  'conv_k<30',
  '--hardware',
  'toy-latency:base=0.5',
  '--trials',
  '80',
  '--seed',
  '3',
];

describe('archlab search with objectives, constraints and hardware models', () => {
  let dir: string;
  let summary: Summary;

  beforeAll(() => {
    dir = tempDir();
    installPlugin(dir, 'archlab-toy-hardware', 'toyHardwareModule', PLUGIN);
    summary = archlabJson<Summary>(dir, 'search', ...MULTI, '--run-id', 'multi', '-q');
  });

  it('prunes on the cheap model, optimises both objectives with NSGA-II, and reports the feasible front', () => {
    expect(summary.trials).toBe(80 + summary.counts.pruned);
    expect(summary.counts.pruned).toBeGreaterThan(0);
    // Pruned trials use none of the budget: \`runs\` counts them apart.
    expect(archlab(dir, 'runs', '--db', 'c.db').stdout).toMatch(
      new RegExp(`\\s80/80 \\+${summary.counts.pruned} pruned\\s+completed`),
    );
    expect(summary.objectives).toEqual([
      { metric: 'test_acc', direction: 'max' },
      { metric: 'latency_ms', direction: 'min' },
    ]);
    expect(summary.constraints).toEqual(['latency_ms<=5', 'conv_k<30']);
    expect(summary.hardware).toEqual([{ name: 'toy-latency', options: { base: 0.5 } }]);
    expect(summary.counts.pruned).toBeGreaterThan(0);
    // Pruned trials do not use the budget: 80 are evaluated.
    expect(summary.counts.completed).toBe(80);
    expect(summary.pareto!.length).toBeGreaterThan(1);
    for (const t of [...summary.pareto!, summary.best!]) {
      expect(t.metrics.latency_ms).toBeLessThanOrEqual(5);
      expect(t.metrics.conv_k).toBeLessThan(30);
      expect(typeof t.metrics.test_acc).toBe('number');
    }
    // Along the front, more accuracy costs more latency.
    const front = [...summary.pareto!].sort((a, b) => a.metrics.latency_ms! - b.metrics.latency_ms!);
    for (let i = 1; i < front.length; i++) {
      expect(front[i]!.metrics.test_acc).toBeGreaterThanOrEqual(front[i - 1]!.metrics.test_acc!);
    }
  });

  it('show prints the constraints with their counts and the Pareto front as a table; --json has them', () => {
    const r = archlab(dir, 'show', 'multi', '--db', 'c.db', '--plugin', 'archlab-toy-hardware');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('objectives test_acc (max), latency_ms (min)');
    expect(r.stdout).toContain('hardware   toy-latency (base=0.5)');
    expect(r.stdout).toContain(
      `constraint latency_ms<=5, conv_k<30: ${summary.counts.pruned} pruned before evaluation, ${summary.counts.infeasible} completed but infeasible`,
    );
    const n = summary.pareto!.length;
    expect(r.stdout).toContain(`pareto front: ${n} non-dominated feasible trials`);
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => /^trial\s+test_acc \(max\)\s+latency_ms \(min\)\s+arch$/.test(l));
    expect(head).toBeGreaterThan(0);
    // Most accurate first: along the front, latency falls with accuracy.
    const byAccuracy = [...summary.pareto!].sort((a, b) => b.metrics.test_acc! - a.metrics.test_acc!);
    const rows = lines.slice(head + 1, head + 1 + n).map((l) => l.split(/\s+/));
    expect(rows.map((c) => Number(c[0]))).toEqual(byAccuracy.map((t) => t.trialId));
    expect(rows.map((c) => c[3])).toEqual(byAccuracy.map((t) => t.arch));
    expect(rows.map((c) => Number(c[2]))).toEqual([...rows.map((c) => Number(c[2]))].sort((a, b) => b - a));
    const json = archlabJson<Summary>(dir, 'show', 'multi', '--db', 'c.db');
    expect(json.pareto).toEqual(summary.pareto);
    expect(json.counts).toEqual(summary.counts);
  });

  it('replay --verify recomputes the costs, pruned trials included', () => {
    const r = archlab(dir, 'replay', 'multi', '--db', 'c.db', '--verify', '--plugin', 'archlab-toy-hardware');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^verified: run multi, \d+ events, (\d+) trials; .* \1 results re-evaluated and equal/m,
    );
  });

  it('reads objectives, constraints, hardware and the reward from the config file as from flags', () => {
    const flags = [
      ...BASE,
      '--objective',
      'test_acc:max',
      '--constraint',
      'latency_ms<=5',
      '--hardware',
      'toy-latency',
      '--reward',
      'mnas:latency_ms=4,alpha=0,beta=-1',
      '--trials',
      '40',
    ];
    const a = archlabJson<Summary>(dir, 'search', ...flags, '--run-id', 'rf', '-q');
    expect(a.reward).toEqual({ kind: 'mnas', metric: 'latency_ms', target: 4, alpha: 0, beta: -1 });
    expect(a.pareto).toBeNull();
    writeFileSync(
      join(dir, 'c.json'),
      JSON.stringify({
        db: 'c.db',
        plugins: ['archlab-toy-hardware'],
        space: 'nb201',
        estimator: 'nb201:cifar10',
        objectives: ['test_acc:max'],
        constraints: ['latency_ms<=5'],
        hardware: [{ name: 'toy-latency', options: { base: 0.5 } }],
        reward: { metric: 'latency_ms', target: 4, alpha: 0, beta: -1 },
        trials: 40,
      }),
    );
    const b = archlabJson<Summary>(dir, 'search', '--config', 'c.json', '--run-id', 'rc', '-q');
    expect(b.reward).toEqual(a.reward);
    expect(trialsCsv(dir, 'c.db', 'rc')).toBe(trialsCsv(dir, 'c.db', 'rf'));
    const show = archlab(dir, 'show', 'rf', '--db', 'c.db');
    expect(show.stdout).toContain(
      'reward     mnas: test_acc × (latency_ms/4)^w, w = 0 at or under the target, -1 over it',
    );
    expect(show.stdout).toMatch(/best {7}test_acc=[\d.]+ \(max\) at trial \d+ {2}reward=[\d.]+/);
  });

  it('rejects bad settings before anything is written, in one line', () => {
    const cases: [string[], string][] = [
      [
        ['--constraint', 'latency_ms<=5'],
        "archlab: error: constraint latency_ms<=5 on 'latency_ms', but no plugin produces it; metrics available: test_acc — add --hardware NAME with a hardware model that produces it (registered: counters, device, latency, lut, toy-latency)\n",
      ],
      [
        ['--hardware', 'toy-latency', '--constraint', 'latency_ms=<5'],
        "archlab: error: constraint 'latency_ms=<5' must look like METRIC<=NUMBER (or >=, <, >), e.g. latency_ms<=5 or params<1e6\n",
      ],
      [
        ['--hardware', 'nope'],
        "archlab: error: unknown hardware model 'nope'; known hardware models: counters, device, latency, lut, toy-latency\n",
      ],
      [
        ['--hardware', 'toy-latency:speed=2'],
        "archlab: error: hardware model 'toy-latency': unknown option 'speed'; known options: base\n",
      ],
      [
        ['--objective', 'test_acc:max', '--objective', 'energy:min', '--hardware', 'toy-latency'],
        "archlab: error: objective on 'energy', but no plugin produces it; metrics available: test_acc, latency_ms, conv_k — add --hardware NAME with a hardware model that produces it (registered: counters, device, latency, lut, toy-latency)\n",
      ],
      [
        ['--reward', 'mnas:latency_ms'],
        "archlab: error: reward 'mnas:latency_ms' must look like mnas:METRIC=TARGET[,alpha=A][,beta=B], e.g. mnas:latency_ms=5\n",
      ],
    ];
    for (const [extra, stderr] of cases) {
      const r = archlab(dir, 'search', ...BASE, '--db', 'bad.db', ...extra, '--trials', '5');
      expect(r.stderr, extra.join(' ')).toBe(stderr);
      expect(r.code).toBe(2);
    }
    // Nothing was written: not even an empty database.
    expect(existsSync(join(dir, 'bad.db'))).toBe(false);
  });
});
