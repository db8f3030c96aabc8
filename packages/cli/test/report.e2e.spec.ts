import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, MO_SEARCH, tempDir } from './cli-harness.js';

/** The payload the page draws, as inlined in it. */
function payloadOf(html: string) {
  const m = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  return JSON.parse(m![1]!) as {
    data: {
      compare?: string;
      runs: {
        runId: string;
        verify: { ok: boolean | null; head?: { seq: number; hash: string } };
        head: { seq: number; hash: string };
        trials: { id: number[] };
        pareto?: { front: unknown[] };
      }[];
      groups?: { name: string; runs: string[] }[];
    };
    charts: { id: string }[];
    runCharts: Record<string, { id: string }[]>;
    cells: Record<string, string>;
  };
}

describe('archlab report', () => {
  let dir: string;
  let head: { seq: number; hash: string };
  beforeAll(() => {
    dir = tempDir();
    archlabJson(dir, 'search', ...MO_SEARCH, '--trials', '40', '--db', 'r.db', '--run-id', 'mo', '-q');
    head = archlabJson<{ head: { seq: number; hash: string } }>(
      dir,
      'replay',
      'mo',
      '--verify',
      '--db',
      'r.db',
    ).head;
  });

  it('writes one self-contained page: nothing fetched, the run verified with its head', () => {
    const r = archlab(dir, 'report', 'mo', '--db', 'r.db', '--out', 'mo.html');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/report: 1 run, 40 trials; wrote mo.html/);
    const html = readFileSync(join(dir, 'mo.html'), 'utf8');
    // The page's own tags: the scripts' text (the libraries mention URLs) left out.
    const markup = html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/g, '$1</script>');
    const tags = markup.match(/<(script|link|img|iframe)\b[^>]*>/g) ?? [];
    expect(tags.filter((t) => t.startsWith('<script'))).toHaveLength(6);
    expect(tags.filter((t) => /\b(src|href)\s*=/.test(t))).toEqual([]);
    expect(html).toContain(head.hash);
    const p = payloadOf(html);
    const run = p.data.runs[0]!;
    expect(run.verify.ok).toBe(true);
    expect(run.verify.head).toEqual(head);
    expect(run.head).toEqual(head);
    expect(run.trials.id).toHaveLength(40);
    expect(p.charts.map((c) => c.id)).toEqual(['best-trials', 'best-seconds']);
    expect(p.runCharts.mo!.map((c) => c.id)).toEqual(['pareto', 'hypervolume', 'ops']);
    expect(p.cells.mo).toMatch(/data-cell="graph"/);
    // The browser builds of vega, vega-lite and vega-embed are inlined.
    expect(html).toMatch(/vegaEmbed/);
    expect(statSync(join(dir, 'mo.html')).size).toBeLessThan(3e6);
    // The page is a function of the log: written again, it is the same file.
    expect(archlab(dir, 'report', 'mo', '--db', 'r.db', '--out', 'again.html', '-q').code).toBe(0);
    expect(readFileSync(join(dir, 'again.html'), 'utf8')).toBe(html);
  });

  it('reports a compare by its name: runs grouped by strategy', () => {
    const compare = 'compare --space nb201 --estimator nb201:cifar10 --strategies random,evolution --seeds 2';
    archlab(dir, ...`${compare} --trials 30 --db r.db --name cmp --out cmp-out -q`.split(' '));
    const r = archlab(
      dir,
      'report',
      '--compare',
      'cmp',
      '--db',
      'r.db',
      '--out',
      'cmp.html',
      '--verify',
      'decisions',
    );
    expect(r.code, r.stderr).toBe(0);
    const p = payloadOf(readFileSync(join(dir, 'cmp.html'), 'utf8'));
    expect(p.data.compare).toBe('cmp');
    expect(p.data.runs.map((x) => x.runId)).toEqual([
      'cmp.evolution.s0',
      'cmp.evolution.s1',
      'cmp.random.s0',
      'cmp.random.s1',
    ]);
    expect(p.data.groups!.map((g) => [g.name, g.runs.length])).toEqual([
      ['evolution', 2],
      ['random', 2],
    ]);
    expect(p.data.runs.every((x) => x.verify.ok === true)).toBe(true);
  });

  it('states a divergence on the page, and verifies nothing with --verify off', () => {
    copyFileSync(join(dir, 'r.db'), join(dir, 'forged.db'));
    const db = new Database(join(dir, 'forged.db'));
    const row = db
      .prepare(
        "SELECT seq, data FROM events WHERE run_id = 'mo' AND type = 'TrialCompleted' ORDER BY seq LIMIT 1",
      )
      .get() as { seq: number; data: string };
    const data = JSON.parse(row.data);
    data.metrics.test_acc = 99.9;
    db.prepare("UPDATE events SET data = ? WHERE run_id = 'mo' AND seq = ?").run(
      JSON.stringify(data),
      row.seq,
    );
    db.close();
    const r = archlab(dir, 'report', 'mo', '--db', 'forged.db', '--out', 'forged.html');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 DIVERGING/);
    const verify = payloadOf(readFileSync(join(dir, 'forged.html'), 'utf8')).data.runs[0]!.verify as {
      ok: boolean;
      divergence: { seq: number };
    };
    expect(verify.ok).toBe(false);
    expect(verify.divergence.seq).toBe(row.seq);

    const off = archlab(dir, 'report', 'mo', '--db', 'r.db', '--out', 'off.html', '--verify', 'off');
    expect(off.code).toBe(0);
    expect(payloadOf(readFileSync(join(dir, 'off.html'), 'utf8')).data.runs[0]!.verify.ok).toBeNull();
  });

  it('refuses bad input with one line and exit 2, writing nothing', () => {
    copyFileSync(join(dir, 'r.db'), join(dir, 'damaged.db'));
    const db = new Database(join(dir, 'damaged.db'));
    db.prepare("UPDATE events SET data = '{\"trialId\": 3,' WHERE run_id = 'mo' AND seq = 5").run();
    db.close();
    const cases: [string[], RegExp][] = [
      [
        ['report', 'mo', '--db', 'damaged.db', '--out', 'x.html', '--verify', 'off'],
        /run 'mo': the log is damaged at seq 5/,
      ],
      [['report', 'nope', '--db', 'r.db', '--out', 'x.html'], /unknown run 'nope'/],
      [['report', 'mo', '--db', 'missing.db', '--out', 'x.html'], /database 'missing.db' does not exist/],
      [
        ['report', '--compare', 'nothing', '--db', 'r.db', '--out', 'x.html'],
        /no run of a compare named 'nothing'/,
      ],
      [['report', '--db', 'r.db', '--out', 'x.html'], /give one or more runs, or --compare NAME/],
      [['report', 'mo', '--compare', 'cmp', '--db', 'r.db', '--out', 'x.html'], /not both/],
      [
        ['report', 'mo', '--db', 'r.db', '--out', 'no/such/folder/x.html'],
        /cannot write --out .*folder 'no\/such\/folder' does not exist/,
      ],
      [['report', 'mo', '--db', 'r.db', '--out', 'r.db'], /--out 'r.db' is the database/],
      [['report', 'mo', '--db', 'r.db', '--verify', 'maybe'], /--verify.*maybe/],
    ];
    for (const [args, message] of cases) {
      const r = archlab(dir, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(() => statSync(join(dir, 'x.html'))).toThrow();
  });

  it('leaves an existing file as it was when it cannot write the new one', () => {
    mkdirSync(join(dir, 'keep'));
    writeFileSync(join(dir, 'keep', 'old.html'), 'old');
    const r = archlab(dir, 'report', 'mo', '--db', 'r.db', '--out', 'keep');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write --out 'keep': it is a directory/);
    expect(readFileSync(join(dir, 'keep', 'old.html'), 'utf8')).toBe('old');
  });
});
