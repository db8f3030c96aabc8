import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nb201DeviceTableSource, nb201Space, nb201Table } from '@archlab/bench-nb201';
import { sampleKeys } from '@archlab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, tempDir } from './cli-harness.js';

// The Pixel 3 column stands for a device nobody here owns: 20 of its cells are "measured" (read
// from the table by `latency-model measure --hardware device`), the fit may not read its column
// (--exclude-device pixel3), and what the model predicts is judged against the column.
const table = nb201DeviceTableSource.load();
const pixel3 = table.column('pixel3');
const latency = (key: string) => pixel3[table.indexOf(key)!]!;
const MEDIAN = [...pixel3].sort((a, b) => a - b)[(pixel3.length - 1) / 2]!;
const accuracies = nb201Table();

/** The README's commands for a learned latency model, as pasted: each `archlab` line's arguments. */
const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const SECTION = README.slice(
  README.indexOf('\n#### A latency model for a device that is not in the table\n'),
);
const README_COMMANDS = /```sh\n([^`]*?)\n```/
  .exec(SECTION)![1]!
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) =>
    line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map((a) => a.replace(/^'(.*)'$/, '$1')),
  );
const LIMIT = Number(
  README_COMMANDS.find((c) => c[0] === 'search')!
    .find((a) => a.startsWith('latency_ms<='))!
    .replace('latency_ms<=', ''),
);

const BEST_FEASIBLE = Math.max(
  ...table.keys.filter((k) => latency(k) <= LIMIT).map((k) => accuracies.get(k)!.cifar10),
);

/** `archlab latency-model fit` of S.csv in `dir` to `out`, with `extra` flags. */
const fitIn = (dir: string, out: string, ...extra: string[]) =>
  archlab(dir, 'latency-model', 'fit', '--space', 'nb201', '--samples', 'S.csv', '--out', out, ...extra);

interface Model {
  method: string;
  references: string[];
  excludedDevices: string[];
  samples: { n: number; sha256: string };
  outliers: { arch: string; latencyMs: number }[];
  cv: { method: string; mapePct: number; spearman: number; within10Pct: number };
}

describe('archlab latency-model: fit from 20 Pixel 3 cells, predict, search', () => {
  let dir: string;
  let model: Model;
  let fitStderr: string;

  beforeAll(() => {
    dir = tempDir();
    // The README's commands, run as pasted, in order (the search is run by its own test).
    for (const args of README_COMMANDS.filter((c) => c[0] !== 'search')) {
      const r = archlab(dir, ...args);
      expect(r.code, `archlab ${args.join(' ')}: ${r.stderr}`).toBe(0);
      if (args[1] === 'fit') {
        expect(r.stdout).toMatch(
          /^wrote M\.json: transfer from \d+ samples \(references [\w, ]+\); leave-one-out MAPE [\d.]+%, within ±10% \d+%, Spearman [\d.]+; use it with --hardware learned:file=M\.json\n$/,
        );
        fitStderr = r.stderr;
      }
    }
    model = JSON.parse(readFileSync(join(dir, 'M.json'), 'utf8')) as Model;
  });

  it('is the README’s sequence: measure 20 Pixel 3 cells, fit without its columns, predict, search', () => {
    expect(README_COMMANDS.map((c) => c.slice(0, 2).join(' '))).toEqual([
      'latency-model measure',
      'latency-model fit',
      'latency-model predict',
      'search --space',
    ]);
    expect(README_COMMANDS[0]).toEqual(
      'latency-model measure --space nb201 --hardware device --hardware-option name=pixel3 --sample 20 --seed 1 --out S.csv'.split(
        ' ',
      ),
    );
    expect(README_COMMANDS[1]).toContain('--exclude-device');
    // the README's bound is the median to 4 decimals, not above it
    expect(LIMIT).toBeLessThanOrEqual(MEDIAN);
    expect(MEDIAN - LIMIT).toBeLessThan(1e-4);
  });

  it('measure writes the seeded cells with their latencies on the device', () => {
    const keys = sampleKeys(nb201Space, 20, 1);
    expect(readFileSync(join(dir, 'S.csv'), 'utf8')).toBe(
      `arch,latency_ms\n${keys.map((k) => `${k},${latency(k)}\n`).join('')}`,
    );
  });

  it("fit reads no Pixel 3 column, and records the samples' hash and its own error", () => {
    const sha = fitIn(dir, 'M2.json');
    expect(sha.code).toBe(0);
    expect(model).toMatchObject({ method: 'transfer', excludedDevices: ['pixel3'] });
    expect(model.references).not.toContain('pixel3');
    expect(model.references.length).toBeGreaterThan(0);
    expect(model.samples.n).toBe(20);
    // Without the exclusion the fit would read the device's own column.
    const leaky = JSON.parse(readFileSync(join(dir, 'M2.json'), 'utf8')) as Model;
    expect(leaky.references).toContain('pixel3');
    expect(model.samples.sha256).toBe(leaky.samples.sha256);
    expect(model.cv.method).toBe('leave-one-out');
    // Cells no reference explains (the Pixel 3 compiler folds away cells whose output is
    // always zero) are set aside, each named on stderr.
    expect(model.outliers.length).toBeGreaterThan(0);
    expect(fitStderr.trim().split('\n')).toHaveLength(model.outliers.length);
    for (const o of model.outliers) expect(fitStderr).toContain(`${o.arch} (${o.latencyMs} ms) is set aside`);
  });

  it('predict --sample --json prints {scores: [{key, latency_ms}]}, the same for the same seed and for --archs', () => {
    const first = archlab(
      dir,
      'latency-model',
      'predict',
      '--model',
      'M.json',
      '--sample',
      '5',
      '--seed',
      '7',
      '--json',
    );
    expect(first.code).toBe(0);
    const { scores } = JSON.parse(first.stdout) as { scores: { key: string; latency_ms: number }[] };
    expect(scores.map((s) => s.key)).toEqual(sampleKeys(nb201Space, 5, 7));
    for (const s of scores) expect(s.latency_ms).toBeGreaterThan(0);
    expect(
      archlab(dir, 'latency-model', 'predict', '--model', 'M.json', '--sample', '5', '--seed', '7', '--json')
        .stdout,
    ).toBe(first.stdout);
    writeFileSync(join(dir, 'archs.txt'), `${scores.map((s) => s.key).join('\n')}\n`);
    const listed = archlab(
      dir,
      'latency-model',
      'predict',
      '--model',
      'M.json',
      '--archs',
      'archs.txt',
      '--json',
    );
    expect(listed.stdout).toBe(first.stdout);
  });

  it('a search with --hardware learned prunes by the prediction; most cells it returns are feasible on the device', () => {
    const search = README_COMMANDS.find((c) => c[0] === 'search')!;
    const summary = archlabJson<{ counts: { completed: number; pruned: number }; runId: string }>(
      dir,
      ...search,
      '--run-id',
      'learned',
      '-q',
    );
    expect(summary.counts.completed).toBe(300);
    expect(summary.counts.pruned).toBeGreaterThan(30);
    const events = archlab(dir, 'export', 'learned', '--db', 'learned.db')
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: { trialId: number; arch?: string } });
    const archOf = new Map(
      events.filter((e) => e.type === 'TrialProposed').map((e) => [e.data.trialId, e.data.arch!]),
    );
    const returned = events
      .filter((e) => e.type === 'TrialCompleted')
      .map((e) => archOf.get(e.data.trialId)!);
    const feasible = returned.filter((k) => latency(k) <= LIMIT);
    // Measured: 225 of 300 truly within the Pixel 3 median (seed 1 samples; 219 and 182 with
    // samples of seeds 2 and 3); the best truly feasible one 93.36 against the brute-force 93.66.
    expect(feasible.length).toBeGreaterThanOrEqual(210);
    const bestFeasible = Math.max(...feasible.map((k) => accuracies.get(k)!.cifar10));
    expect(bestFeasible).toBeGreaterThanOrEqual(BEST_FEASIBLE - 0.5);
    // replay --verify recomputes the (deterministic) predictions
    const verify = archlab(dir, 'replay', 'learned', '--db', 'learned.db', '--verify');
    expect(verify.code).toBe(0);
  });

  it('a model for another space, or a damaged one, is a one-line error naming it', () => {
    const m = JSON.parse(readFileSync(join(dir, 'M.json'), 'utf8'));
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ ...m, space: 'fmnist-chain' }));
    writeFileSync(join(dir, 'broken.json'), readFileSync(join(dir, 'M.json'), 'utf8').slice(0, 100));
    const search = (file: string) =>
      archlab(
        dir,
        'search',
        '--db',
        'e.db',
        '--space',
        'nb201',
        '--estimator',
        'nb201:cifar10',
        '--hardware',
        `learned:file=${file}`,
        '--trials',
        '3',
      );
    const other = search('other.json');
    expect(other.code).toBe(2);
    expect(other.stderr).toBe(
      "archlab: error: other.json was fitted for space 'fmnist-chain', not 'nb201'; fit one with archlab latency-model fit --space nb201\n",
    );
    const broken = search('broken.json');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toBe(
      'archlab: error: broken.json is not JSON; fit a latency model with archlab latency-model fit\n',
    );
    const predict = archlab(dir, 'latency-model', 'predict', '--model', 'broken.json', '--sample', '2');
    expect(predict.stderr).toBe(broken.stderr);
  });
});

describe('archlab latency-model fit: bad samples', () => {
  const keys = sampleKeys(nb201Space, 8, 3);
  const good = keys.map((k) => `${k},${latency(k)}`);
  const cases: [string, string[], string][] = [
    [
      'an unknown architecture',
      ['arch,latency_ms', ...good.slice(0, 2), '|conv~0|,3', ...good.slice(2)],
      "S.csv line 4: '|conv~0|' is not an architecture of space 'nb201' (",
    ],
    [
      'a negative latency',
      ['arch,latency_ms', ...good.slice(0, 5), `${keys[5]},-2`],
      'S.csv line 7: latency_ms -2 is not a positive finite number',
    ],
    [
      'a zero latency',
      ['arch,latency_ms', `${keys[0]},0`, ...good.slice(1)],
      'S.csv line 2: latency_ms 0 is not a positive finite number',
    ],
    [
      'an infinite latency',
      ['arch,latency_ms', ...good.slice(0, 6), `${keys[6]},Infinity`],
      'S.csv line 8: latency_ms Infinity is not a positive finite number',
    ],
    [
      'a latency that is not a number',
      ['arch,latency_ms', ...good.slice(0, 3), `${keys[3]},fast`],
      "S.csv line 5: latency_ms 'fast' is not a number",
    ],
    [
      'a duplicate',
      ['arch,latency_ms', ...good, good[2]!],
      `S.csv line 10: architecture ${keys[2]} is measured twice (also S.csv line 4)`,
    ],
    [
      'too few samples',
      ['arch,latency_ms', ...good.slice(0, 4)],
      'a latency model needs at least 5 measured architectures, got 4',
    ],
    [
      'a missing column',
      ['arch,ms', ...good],
      "S.csv line 1: the header 'arch,ms' lacks latency_ms; it must name the columns arch and latency_ms",
    ],
    [
      'a short row',
      ['arch,latency_ms', ...good.slice(0, 6), keys[6]!],
      'S.csv line 8: 1 fields, the header has 2',
    ],
  ];

  it.each(cases)('%s: exit 2, one line naming the row, no model written', (_, lines, message) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'S.csv'), `${lines.join('\n')}\n`);
    const r = fitIn(dir, 'M.json');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).toContain(`archlab: error: ${message}`);
    expect(existsSync(join(dir, 'M.json'))).toBe(false);
  });

  it('refuses to write over a file that is not a latency model, and flags an action does not take', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'S.csv'), `arch,latency_ms\n${good.join('\n')}\n`);
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    const r = fitIn(dir, 'notes.txt');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "archlab: error: latency-model fit: --out 'notes.txt' exists and is not a latency model; it is left as it is: give another file\n",
    );
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
    const stray = fitIn(dir, 'M.json', '--sample', '3');
    expect(stray.stderr).toBe('archlab: error: latency-model fit does not take --sample\n');
    const unknown = archlab(dir, 'latency-model', 'train', '--space', 'nb201');
    expect(unknown.stderr).toBe(
      "archlab: error: latency-model: unknown action 'train'; give fit, predict or measure\n",
    );
    const typo = fitIn(dir, 'M.json', '--exclude-device', 'pixle3');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(
      /^archlab: error: space 'nb201' has no device 'pixle3' in its latency table; devices: pixel3, /,
    );
    expect(existsSync(join(dir, 'M.json'))).toBe(false);
  });
});
