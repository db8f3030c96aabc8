import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nb201Table } from '@archlab/bench-nb201';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, tempDir, trialsCsv } from './cli-harness.js';

const SEARCH = ['search', '--space', 'nb201', '--estimator', 'nb201:cifar10', '--strategy', 'random'];

interface Summary {
  runId: string;
  trials: number;
  status: string;
  best: { trialId: number; arch: string; metrics: { test_acc: number } };
  counts: { completed: number; failed: number };
  top?: { arch: string; metrics: { test_acc: number } }[];
}

describe('archlab search and the read commands', () => {
  let dir: string;
  let summary: Summary;

  beforeAll(() => {
    dir = tempDir();
    summary = archlabJson<Summary>(
      dir,
      ...SEARCH,
      '--trials',
      '300',
      '--seed',
      '1',
      '--db',
      'runs.db',
      '--run-id',
      'one',
    );
  });

  it('prints one JSON object on the last line, with the best architecture and its table accuracy', async () => {
    expect(summary.runId).toBe('one');
    expect(summary.trials).toBe(300);
    expect(summary.status).toBe('completed');
    const table = await nb201Table();
    expect(summary.best.metrics.test_acc).toBe(table.get(summary.best.arch)!.cifar10);
    const show = archlabJson<Summary>(dir, 'show', 'one', '--db', 'runs.db', '--top', '300');
    expect(show.top!).toHaveLength(300);
    expect(Math.max(...show.top!.map((t) => t.metrics.test_acc))).toBe(summary.best.metrics.test_acc);
    expect(new Set(show.top!.map((t) => t.arch)).size).toBe(300);
  });

  it('gives the same run for the same seed, and another for another seed', () => {
    archlabJson(dir, ...SEARCH, '--trials', '300', '--seed', '1', '--db', 'runs.db', '--run-id', 'two', '-q');
    archlabJson(
      dir,
      ...SEARCH,
      '--trials',
      '300',
      '--seed',
      '2',
      '--db',
      'runs.db',
      '--run-id',
      'three',
      '-q',
    );
    expect(trialsCsv(dir, 'runs.db', 'two')).toBe(trialsCsv(dir, 'runs.db', 'one'));
    expect(trialsCsv(dir, 'runs.db', 'three')).not.toBe(trialsCsv(dir, 'runs.db', 'one'));
  });

  it('reads the same run from a config file as from flags', () => {
    writeFileSync(
      join(dir, 'archlab.config.json'),
      JSON.stringify({
        db: 'runs.db',
        space: 'nb201',
        estimator: 'nb201:cifar10',
        strategy: 'random',
        trials: 300,
        seed: 1,
      }),
    );
    archlabJson(dir, 'search', '--config', 'archlab.config.json', '--run-id', 'from-config');
    expect(trialsCsv(dir, 'runs.db', 'from-config')).toBe(trialsCsv(dir, 'runs.db', 'one'));
  });

  it('lists runs, shows a run, filters events and exports the log in order', () => {
    const runs = archlabJson<Summary[]>(dir, 'runs', '--db', 'runs.db');
    expect(runs.map((r) => r.runId)).toContain('one');
    const text = archlab(dir, 'runs', '--db', 'runs.db');
    expect(text.stdout).toMatch(/^run\s+created \(UTC\)\s+strategy/);
    expect(text.stdout).toMatch(
      /one .* random .* nb201\/nb201:cifar10 .* 300\/300 .* completed .* test_acc=/,
    );

    const completed = archlabJson<{ type: string }[]>(
      dir,
      'events',
      'one',
      '--db',
      'runs.db',
      '--type',
      'TrialCompleted',
    );
    expect(completed).toHaveLength(300);
    expect(new Set(completed.map((e) => e.type))).toEqual(new Set(['TrialCompleted']));

    const out = join(dir, 'one.jsonl');
    expect(archlab(dir, 'export', 'one', '--db', 'runs.db', '--format', 'jsonl', '--out', out).code).toBe(0);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i));
    expect(lines[0]).toMatchObject({ type: 'RunStarted', runId: 'one', v: 1 });
    expect(lines.at(-1)).toMatchObject({ type: 'RunCompleted', data: { trials: 300 } });
    expect(Object.keys(lines[1])).toEqual(expect.arrayContaining(['seq', 'type', 'data', 'ts', 'hash']));
  });

  it('accepts a unique prefix of a run id', () => {
    expect(archlabJson<Summary>(dir, 'show', 'fro', '--db', 'runs.db').runId).toBe('from-config');
  });

  it("evaluates a stored run's best architecture with --run, in the run's space", () => {
    const best = archlabJson<Summary>(dir, 'show', 'one', '--db', 'runs.db').best!;
    const fromRun = ['eval', '--run', 'one', '--db', 'runs.db', '--estimator', 'nb201:cifar10'];
    const r = archlabJson<{ arch: string; metrics: Record<string, number> }>(dir, ...fromRun);
    expect(r.arch).toBe(best.arch);
    expect(r.metrics.test_acc).toBe(best.metrics.test_acc);
    const mismatch = archlab(dir, ...fromRun, '--space', 'fmnist-chain');
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toMatch(/--space fmnist-chain differs from run one's space, nb201/);
    const neither = archlab(dir, 'eval', '--estimator', 'nb201:cifar10');
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/give --space and --arch, or --run RUN --db FILE/);
  });

  it('evaluates one architecture with eval', () => {
    const r = archlabJson<{ metrics: { test_acc: number } }>(
      dir,
      'eval',
      '--space',
      'nb201',
      '--estimator',
      'nb201:cifar10',
      '--arch',
      '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
    );
    expect(r.metrics.test_acc).toBeCloseTo(93.66, 6);
  });

  it('prints plain progress lines when stderr is not a terminal', () => {
    const r = archlab(dir, ...SEARCH, '--trials', '200', '--db', 'runs.db');
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /^archlab: \d+\/200 trials/.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(r.stderr).not.toContain('\r');
  });
});

describe('replay --verify', () => {
  it('confirms a clean run and names the first divergent seq of a tampered one', () => {
    const dir = tempDir();
    archlabJson(dir, ...SEARCH, '--trials', '100', '--seed', '4', '--db', 'v.db', '--run-id', 'v', '-q');
    const ok = archlab(dir, 'replay', 'v', '--db', 'v.db', '--verify');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /verified: run v, \d+ events, 100 trials; hash chain intact, every proposal reproduced, 100 results re-evaluated and equal/,
    );

    const db = new Database(join(dir, 'v.db'));
    const row = db
      .prepare(
        "SELECT seq FROM events WHERE run_id = 'v' AND type = 'TrialCompleted' ORDER BY seq LIMIT 1 OFFSET 41",
      )
      .get() as { seq: number };
    db.prepare(
      "UPDATE events SET data = json_set(data, '$.metrics.test_acc', 99.5) WHERE run_id = 'v' AND seq = ?",
    ).run(row.seq);
    db.close();
    const bad = archlab(dir, 'replay', 'v', '--db', 'v.db', '--verify');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`DIVERGES at seq ${row.seq}: TrialCompleted does not match its hash`);
    const json = archlab(dir, 'replay', 'v', '--db', 'v.db', '--verify', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ runId: 'v', ok: false, divergence: { seq: row.seq } });
  });
});

describe('bad input: one line, no stack trace, exit 2, nothing lost', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    archlabJson(dir, ...SEARCH, '--trials', '20', '--db', 'keep.db', '--run-id', 'keep', '-q');
  });

  const expectUserError = (r: { code: number | null; stderr: string }, message: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };

  it('unknown strategy, listing the known ones', () => {
    expectUserError(
      archlab(
        dir,
        'search',
        '--space',
        'nb201',
        '--estimator',
        'nb201:cifar10',
        '--strategy',
        'evolutoin',
        '--db',
        'keep.db',
      ),
      /^archlab: error: unknown strategy 'evolutoin'; known strategies: (\S+, )*evolution, (\S+, )*random/,
    );
    expectUserError(
      archlab(dir, 'search', '--space', 'nb201', '--estimator', 'nb201:cifar11', '--db', 'keep.db'),
      /unknown estimator 'nb201:cifar11'; known estimators: nb201:cifar10, nb201:cifar100, nb201:imagenet16-120/,
    );
  });

  it('malformed architecture string', () => {
    expectUserError(
      archlab(dir, 'eval', '--space', 'nb201', '--estimator', 'nb201:cifar10', '--arch', '|conv~0|+|'),
      /^archlab: error: malformed nb201 architecture '\|conv~0\|\+\|'/,
    );
  });

  it('unknown run id', () => {
    expectUserError(
      archlab(dir, 'show', 'nope', '--db', 'keep.db'),
      /^archlab: error: unknown run 'nope'; list the runs with/,
    );
    expectUserError(archlab(dir, 'resume', 'nope', '--db', 'keep.db'), /unknown run 'nope'/);
  });

  it('a database file that is not SQLite, or from a newer schema', () => {
    writeFileSync(join(dir, 'notes.db'), 'these are my notes, not a database\n'.repeat(100));
    expectUserError(archlab(dir, 'runs', '--db', 'notes.db'), /not an archlab database/);
    expect(readFileSync(join(dir, 'notes.db'), 'utf8')).toMatch(/^these are my notes/);

    archlabJson(dir, ...SEARCH, '--trials', '5', '--db', 'future.db', '-q');
    const db = new Database(join(dir, 'future.db'));
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)').run();
    db.close();
    const before = readFileSync(join(dir, 'future.db'));
    expectUserError(archlab(dir, 'runs', '--db', 'future.db'), /newer archlab/);
    expect(readFileSync(join(dir, 'future.db')).equals(before)).toBe(true);
  });

  it('a config file with wrong types names the field', () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ space: 'nb201', trials: 'many', seed: -1 }));
    expectUserError(
      archlab(dir, 'search', '--config', 'bad.json', '--db', 'keep.db'),
      /config file 'bad.json' is invalid: trials: .*; seed: /,
    );
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ space: 'nb201', trails: 3 }));
    expectUserError(archlab(dir, 'search', '--config', 'typo.json', '--db', 'keep.db'), /trails/);
  });

  it('bad flag values and missing flags', () => {
    expectUserError(
      archlab(dir, ...SEARCH, '--trials', 'ten', '--db', 'keep.db'),
      /--trials must be a whole number/,
    );
    expectUserError(
      archlab(dir, 'search', '--estimator', 'nb201:cifar10', '--db', 'keep.db'),
      /--space is required .* known spaces: fmnist-chain, mbv3, nb201/,
    );
    expectUserError(
      archlab(dir, ...SEARCH, '--strategy-option', 'dedupe=maybe', '--db', 'keep.db'),
      /option 'dedupe' must be true or false/,
    );
  });

  it('store options are checked, and durability=full works', () => {
    expectUserError(
      archlab(dir, 'runs', '--db', 'keep.db', '--store-option', 'durability=sometimes'),
      /'durability' must be one of normal, full/,
    );
    const r = archlabJson<{ trials: number }>(
      dir,
      ...SEARCH,
      '--trials',
      '10',
      '--db',
      'full.db',
      '--store-option',
      'durability=full',
      '-q',
    );
    expect(r.trials).toBe(10);
  });

  it('left what was stored untouched', () => {
    const r = archlab(dir, 'replay', 'keep', '--db', 'keep.db', '--verify');
    expect(r.code).toBe(0);
    expect(archlabJson<Summary[]>(dir, 'runs', '--db', 'keep.db').map((x) => x.runId)).toEqual(['keep']);
  });
});
