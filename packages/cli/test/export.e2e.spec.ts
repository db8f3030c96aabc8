import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, type CliResult, tempDir, trialsCsv } from './cli-harness.js';

const SEARCH = ['search', '--space', 'nb201', '--estimator', 'nb201:cifar10', '--trials', '20', '-q'];

// Each test runs the CLI a dozen times; on a loaded machine that takes minutes.
describe('archlab export --out: never the database, atomic, one-line I/O errors', {
  timeout: 300_000,
}, () => {
  let dir: string;
  let before: { v: string; w: string };
  beforeAll(() => {
    dir = tempDir();
    archlabJson(dir, ...SEARCH, '--seed', '1', '--db', 'v.db', '--run-id', 'v');
    archlabJson(dir, ...SEARCH, '--seed', '2', '--db', 'v.db', '--run-id', 'w');
    before = { v: trialsCsv(dir, 'v.db', 'v'), w: trialsCsv(dir, 'v.db', 'w') };
  });

  const expectRefused = (r: CliResult, message: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  };
  /** Both runs are still there, with the same trials, and their logs verify. */
  const expectIntact = () => {
    expect(archlabJson<{ runId: string }[]>(dir, 'runs', '--db', 'v.db').map((r) => r.runId)).toEqual([
      'v',
      'w',
    ]);
    expect(trialsCsv(dir, 'v.db', 'v')).toBe(before.v);
    expect(trialsCsv(dir, 'v.db', 'w')).toBe(before.w);
    expect(archlab(dir, 'replay', 'w', '--db', 'v.db', '--verify').code).toBe(0);
  };
  const noTempFiles = (d: string) => expect(readdirSync(d).filter((f) => f.endsWith('.tmp'))).toEqual([]);

  it('refuses the database itself, however it is named, in both formats', () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub, { recursive: true });
    const names = ['v.db', './v.db', join(dir, 'v.db'), `../${basename(dir)}/v.db`, 'sub/../v.db'];
    for (const [i, out] of names.entries()) {
      expectRefused(
        archlab(dir, 'export', 'v', '--db', 'v.db', '--format', i % 2 ? 'csv' : 'jsonl', '--out', out),
        /^archlab: error: --out '.*' is the database .*v\.db/,
      );
    }
    // Given from another folder, with --db relative to it.
    expectRefused(
      archlab(sub, 'export', 'v', '--db', '../v.db', '--out', join('..', 'v.db')),
      /is the database/,
    );
    expectIntact();
  });

  it("refuses the database's -wal and -shm files, whether they exist or not", () => {
    for (const suffix of ['-wal', '-shm', '-journal']) {
      expectRefused(
        archlab(dir, 'export', 'v', '--db', 'v.db', '--out', `v.db${suffix}`),
        new RegExp(`^archlab: error: --out 'v\\.db${suffix}' is the database's ${suffix} file`),
      );
    }
    expectIntact();
  });

  it('refuses a symbolic or hard link to the database or its -wal file, even a dangling one', () => {
    symlinkSync(join(dir, 'v.db'), join(dir, 'link.db'));
    symlinkSync('v.db-wal', join(dir, 'link.wal'));
    symlinkSync('link.db', join(dir, 'link2.db'));
    linkSync(join(dir, 'v.db'), join(dir, 'hard.db'));
    for (const out of ['link.db', 'link2.db', 'link.wal', 'hard.db']) {
      expectRefused(archlab(dir, 'export', 'v', '--db', 'v.db', '--out', out), /is the database/);
    }
    expectIntact();
  });

  it('a directory, a missing folder or a full disk as --out: one line, exit 2, nothing lost', () => {
    mkdirSync(join(dir, 'adir'));
    expectRefused(
      archlab(dir, 'export', 'v', '--db', 'v.db', '--out', 'adir'),
      /^archlab: error: cannot write --out 'adir': it is a directory/,
    );
    expect(readdirSync(join(dir, 'adir'))).toEqual([]);
    expectRefused(
      archlab(dir, 'export', 'v', '--db', 'v.db', '--out', 'missing/dir/file.jsonl'),
      /^archlab: error: cannot write --out 'missing\/dir\/file.jsonl': folder 'missing\/dir' does not exist/,
    );
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    expectRefused(
      archlab(dir, 'export', 'v', '--db', 'v.db', '--out', 'v.db/x.jsonl'),
      /^archlab: error: cannot write --out 'v.db\/x.jsonl': 'v.db' is not a folder/,
    );
    if (existsSync('/dev/full')) {
      for (const format of ['jsonl', 'csv']) {
        expectRefused(
          archlab(dir, 'export', 'v', '--db', 'v.db', '--format', format, '--out', '/dev/full'),
          /^archlab: error: cannot write --out '\/dev\/full': no space left on the device/,
        );
      }
    }
    noTempFiles(dir);
    expectIntact();
  });

  it('writes a device or pipe in place, a file through a temporary file that it renames', () => {
    const r = archlab(dir, 'export', 'v', '--db', 'v.db', '--format', 'csv', '--out', '/dev/null');
    expect(r.code).toBe(0);
    expect(existsSync('/dev/null')).toBe(true);
    writeFileSync(join(dir, 'old.csv'), 'an older export\n');
    symlinkSync('old.csv', join(dir, 'to-old.csv'));
    const ok = archlab(dir, 'export', 'v', '--db', 'v.db', '--format', 'csv', '--out', 'to-old.csv');
    expect(ok.code).toBe(0);
    expect(ok.stderr).toBe('archlab: wrote csv of run v to to-old.csv\n');
    // Through the link: the link stays a link, its target holds the export.
    expect(readFileSync(join(dir, 'to-old.csv'), 'utf8')).toBe(
      archlab(dir, 'export', 'v', '--db', 'v.db', '--format', 'csv').stdout,
    );
    expect(readdirSync(dir)).toContain('to-old.csv');
    noTempFiles(dir);
  });

  it('a failed export leaves the file it would have replaced as it was', () => {
    const path = join(dir, 'keep.jsonl');
    writeFileSync(path, 'yesterday\n');
    // A log the store cannot read to the end: the export fails after writing 30 lines.
    archlabJson(dir, ...SEARCH, '--seed', '3', '--db', 'unreadable.db', '--run-id', 'f');
    const db = new Database(join(dir, 'unreadable.db'));
    db.prepare("UPDATE events SET data = '{not json' WHERE run_id = 'f' AND seq = 30").run();
    db.close();
    expectRefused(
      archlab(dir, 'export', 'f', '--db', 'unreadable.db', '--out', 'keep.jsonl'),
      /^archlab: error: run 'f': the log is damaged at seq 30: its data is not JSON/,
    );
    expect(readFileSync(path, 'utf8')).toBe('yesterday\n');
    noTempFiles(dir);
  });
});
