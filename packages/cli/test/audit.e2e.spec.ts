import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CURRENT_VERSIONS, eventHash, GENESIS_HASH, type RunEventType } from '@archlab/core';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, tempDir, trialsCsv } from './cli-harness.js';

// The log's audit holes: truncations, checkpoint blobs, what `events` shows, damaged logs.

const SEARCH = ['search', '--space', 'nb201', '--estimator', 'nb201:cifar10'];

interface Row {
  seq: number;
  type: string;
  v: number;
  ts: number;
  data: string;
  hash: string;
}

/** The tamperer's tools: plain SQL on the file, as anyone with sqlite3 could do. */
function tamper(path: string, fn: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    fn(db);
  } finally {
    db.close();
  }
}

/** A copy of `from` in `dir`, to damage. */
function copyDb(dir: string, from: string, name: string): string {
  copyFileSync(join(dir, from), join(dir, name));
  return join(dir, name);
}

/** Recomputes every hash from `fromSeq` on, so the chain verifies again (what a careful forger does). */
function rehash(db: Database.Database, runId: string, fromSeq = 0): void {
  const rows = db.prepare('SELECT * FROM events WHERE run_id = ? ORDER BY seq').all(runId) as Row[];
  let prev = GENESIS_HASH;
  const update = db.prepare('UPDATE events SET hash = ? WHERE run_id = ? AND seq = ?');
  for (const r of rows) {
    if (r.seq >= fromSeq) {
      const hash = eventHash(prev, { ...r, runId, data: JSON.parse(r.data) });
      update.run(hash, runId, r.seq);
      prev = hash;
    } else prev = r.hash;
  }
}

/** Makes the runs projection agree with the log (what a careful forger, or a crash, leaves). */
function syncProjection(db: Database.Database, runId: string): void {
  db.prepare(
    'UPDATE runs SET last_seq = (SELECT max(seq) FROM events WHERE run_id = ?), last_ts = (SELECT max(ts) FROM events WHERE run_id = ?) WHERE run_id = ?',
  ).run(runId, runId, runId);
}

function lastEvent(path: string, runId: string): Row {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM events WHERE run_id = ? ORDER BY seq DESC LIMIT 1').get(runId) as Row;
  } finally {
    db.close();
  }
}

const expectOneLineError = (r: { code: number | null; stderr: string; stdout: string }, message: RegExp) => {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error|TypeError/);
  expect(r.stdout).not.toContain('undefined');
};

describe('replay --verify: truncation and the pinned head (issue 14 item 4)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    archlabJson(dir, ...SEARCH, '--trials', '30', '--seed', '2', '--db', 'clean.db', '--run-id', 't', '-q');
  });
  const fresh = (name: string) => copyDb(dir, 'clean.db', name);
  const pinnedVerify = (db: string, head: string) =>
    archlab(dir, 'replay', 't', '--db', db, '--verify', '--expect-head', head);

  it('prints the head (seq, hash) on every verify, in text and in --json', () => {
    const head = lastEvent(join(dir, 'clean.db'), 't');
    const r = archlab(dir, 'replay', 't', '--db', 'clean.db', '--verify');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`head seq=${head.seq} hash=${head.hash}`);
    const json = archlabJson<{ head: unknown }>(dir, 'replay', 't', '--db', 'clean.db', '--verify');
    expect(json.head).toEqual({ seq: head.seq, hash: head.hash });
  });

  it('fails when the last events were deleted, hashes untouched (the runs index still has the old end)', () => {
    const db = fresh('cut.db');
    tamper(db, (d) => d.prepare("DELETE FROM events WHERE run_id = 't' AND seq >= 52").run());
    const r = archlab(dir, 'replay', 't', '--db', 'cut.db', '--verify');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^DIVERGES at seq 52: the log ends at seq 51, but the store's index of runs records events up to seq \d+/m,
    );
  });

  it('fails when trial events before RunCompleted were deleted and the rest re-hashed and re-indexed', () => {
    const db = fresh('forged.db');
    let at = 0;
    tamper(db, (d) => {
      const end = d.prepare("SELECT max(seq) AS s FROM events WHERE run_id = 't'").get() as { s: number };
      d.prepare("DELETE FROM events WHERE run_id = 't' AND seq >= 52 AND seq < ?").run(end.s);
      d.prepare("UPDATE events SET seq = 52 WHERE run_id = 't' AND seq = ?").run(end.s);
      rehash(d, 't', 52);
      syncProjection(d, 't');
      at = 52;
    });
    const r = archlab(dir, 'replay', 't', '--db', 'forged.db', '--verify');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(`^DIVERGES at seq ${at}: RunCompleted records 30 trials, but the log holds \\d+`, 'm'),
    );
  });

  it('passes a clean prefix (RunCompleted and what precedes it cut, index fixed), but not against a pinned head', {
    timeout: 180_000,
  }, () => {
    const head = lastEvent(join(dir, 'clean.db'), 't');
    const db = fresh('prefix.db');
    tamper(db, (d) => {
      d.prepare("DELETE FROM events WHERE run_id = 't' AND seq >= 52").run();
      syncProjection(d, 't');
    });
    const plain = archlab(dir, 'replay', 't', '--db', 'prefix.db', '--verify');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('head seq=51 hash=');

    const pinned = pinnedVerify('prefix.db', `${head.seq}:${head.hash}`);
    expect(pinned.code).toBe(1);
    expect(pinned.stdout).toMatch(
      new RegExp(`^DIVERGES at seq 52: the log ends at seq 51, before the pinned head seq ${head.seq}`, 'm'),
    );

    const same = pinnedVerify('clean.db', `${head.seq}:${head.hash}`);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain(`head seq=${head.seq} hash=${head.hash} (as pinned)`);
    // The head line a verify printed may be pasted as it is, and the hash shortened as git allows.
    const pasted = `head seq=${head.seq} hash=${head.hash.slice(0, 12)}`;
    expect(pinnedVerify('prefix.db', pasted).code).toBe(1);
    expect(pinnedVerify('clean.db', pasted).code).toBe(0);
    // A log that grew past a pinned head (a resumed run) still holds it.
    const earlier = lastEvent(db, 't');
    const grown = pinnedVerify('clean.db', `${earlier.seq}:${earlier.hash}`);
    expect(grown.code).toBe(0);
    expect(grown.stdout).toContain(
      `head seq=${head.seq} hash=${head.hash} (it holds the pinned head at seq 51)`,
    );

    const other = pinnedVerify('clean.db', `${head.seq}:${'0'.repeat(64)}`);
    expect(other.code).toBe(1);
    expect(other.stdout).toContain(
      `DIVERGES at seq ${head.seq}: the event's hash is ${head.hash}, the pinned head's is ${'0'.repeat(64)}`,
    );

    const bad = pinnedVerify('clean.db', 'nonsense');
    expectOneLineError(bad, /^archlab: error: --expect-head must be SEQ:HASH/);
  });
});

describe('checkpoint blobs: verify checks them, resume falls back (issue 14 item 5)', () => {
  let dir: string;
  let expected: string;
  let expectedBest: unknown;
  const RUN = [
    ...SEARCH,
    '--strategy',
    'bananas',
    '--trials',
    '50',
    '--checkpoint-every',
    '10',
    '--seed',
    '5',
    '--run-id',
    'b',
    '-q',
  ];
  const checkpoints = (path: string) => {
    const db = new Database(path, { readonly: true });
    try {
      return (
        db
          .prepare("SELECT seq, data FROM events WHERE run_id = 'b' AND type = 'Checkpointed' ORDER BY seq")
          .all() as { seq: number; data: string }[]
      ).map((r) => ({ seq: r.seq, blob: (JSON.parse(r.data) as { blob: string }).blob }));
    } finally {
      db.close();
    }
  };
  beforeAll(() => {
    dir = tempDir();
    expectedBest = archlabJson<{ best: unknown }>(dir, ...RUN, '--db', 'full.db').best;
    expected = trialsCsv(dir, 'full.db', 'b');
  });
  const fresh = (name: string) => copyDb(dir, 'full.db', name);

  it('verify fails naming the checkpoint seq when its blob is corrupt or missing', () => {
    const cps = checkpoints(join(dir, 'full.db'));
    expect(cps.length).toBeGreaterThanOrEqual(4);
    const damages = [
      ['corrupt', cps[1]!, "UPDATE blobs SET bytes = x'00ff' WHERE sha256 = ?"],
      ['missing', cps[0]!, 'DELETE FROM blobs WHERE sha256 = ?'],
    ] as const;
    for (const [what, cp, sql] of damages) {
      tamper(fresh(`${what}.db`), (d) => d.prepare(sql).run(cp.blob));
      const r = archlab(dir, 'replay', 'b', '--db', `${what}.db`, '--verify');
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        `DIVERGES at seq ${cp.seq}: checkpoint blob ${cp.blob.slice(0, 12)}… is ${what}`,
      );
    }
  });

  /** A crash a few events after the last checkpoint: the log is a clean prefix. */
  const crashAfterLastCheckpoint = (
    name: string,
    breakBlobs: (d: Database.Database, cps: { seq: number; blob: string }[]) => void,
  ) => {
    const db = fresh(name);
    const cps = checkpoints(db);
    const last = cps.at(-1)!;
    tamper(db, (d) => {
      d.prepare("DELETE FROM events WHERE run_id = 'b' AND seq > ?").run(last.seq + 4);
      syncProjection(d, 'b');
      breakBlobs(d, cps);
    });
    return cps;
  };

  it('resume falls back to the previous checkpoint when the latest blob is corrupt, and ends as the uninterrupted run', () => {
    const cps = crashAfterLastCheckpoint('fallback.db', (d, cps) =>
      d.prepare("UPDATE blobs SET bytes = x'00ff' WHERE sha256 = ?").run(cps.at(-1)!.blob),
    );
    const r = archlab(dir, 'resume', 'b', '--db', 'fallback.db', '--json');
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('archlab: warning:'));
    expect(warnings).toEqual([
      `archlab: warning: checkpoint at seq ${cps.at(-1)!.seq} is corrupt (blob ${cps.at(-1)!.blob.slice(0, 12)}…); resuming from the checkpoint at seq ${cps.at(-2)!.seq} instead`,
    ]);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!).best).toEqual(expectedBest);
    expect(trialsCsv(dir, 'fallback.db', 'b')).toBe(expected);
  });

  it('resume replays from the first event when no checkpoint blob is left, and ends as the uninterrupted run', () => {
    const cps = crashAfterLastCheckpoint('none.db', (d) => d.prepare('DELETE FROM blobs').run());
    const r = archlab(dir, 'resume', 'b', '--db', 'none.db', '--json');
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('archlab: warning:'));
    expect(warnings).toEqual([
      `archlab: warning: checkpoint at seq ${cps.at(-1)!.seq} is missing (blob ${cps.at(-1)!.blob.slice(0, 12)}…), and no earlier one is usable; resuming by replaying the strategy from the first event`,
    ]);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!).best).toEqual(expectedBest);
    expect(trialsCsv(dir, 'none.db', 'b')).toBe(expected);
  });
});

/** An independent implementation of the hash chain (README, "The hash chain"): python3, stdlib only. */
const VERIFIER = String.raw`
import hashlib, json, math, sys

def js_number(x):
    # ECMAScript Number::toString, which JSON.stringify uses: shortest round-trip digits.
    if x == 0:
        return '0'
    if x != x or math.isinf(x):
        return 'null'
    sign = '-' if x < 0 else ''
    m, _, exp = repr(abs(x)).partition('e')
    whole, _, frac = m.partition('.')
    digits = whole + frac
    n = len(whole) + (int(exp) if exp else 0)
    mant = digits.lstrip('0')
    n -= len(digits) - len(mant)
    mant = mant.rstrip('0')
    k = len(mant)
    if k <= n <= 21:
        s = mant + '0' * (n - k)
    elif 0 < n <= 21:
        s = mant[:n] + '.' + mant[n:]
    elif -6 < n <= 0:
        s = '0.' + '0' * (-n) + mant
    else:
        e = n - 1
        s = mant[0] + ('.' + mant[1:] if k > 1 else '') + 'e' + ('+' if e >= 0 else '-') + str(abs(e))
    return sign + s

def canonical(v):
    if v is None or v is True or v is False:
        return json.dumps(v)
    if isinstance(v, float):
        return js_number(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return '[' + ','.join(canonical(x) for x in v) + ']'
    keys = sorted(v, key=lambda k: k.encode('utf-16-be'))
    return '{' + ','.join(json.dumps(k, ensure_ascii=False) + ':' + canonical(v[k]) for k in keys) + '}'

def check(events):
    prev = ''
    for i, e in enumerate(events):
        assert e['seq'] == i, 'gap at seq %d' % i
        text = '\n'.join([prev, e['runId'], js_number(e['seq']), e['type'], js_number(e['v']), js_number(e['ts']), canonical(e['data'])])
        h = hashlib.sha256(text.encode('utf-8')).hexdigest()
        if h != e['hash']:
            print('BAD seq %d' % e['seq'])
            sys.exit(1)
        prev = h
    print('OK %d head %s' % (len(events), prev))

src = open(sys.argv[2], encoding='utf-8').read()
load = lambda s: json.loads(s, parse_int=float)
check([load(l) for l in src.splitlines() if l] if sys.argv[1] == 'jsonl' else load(src))
`;

describe('events --json shows events as stored; the hash format checks out in python (issue 14 item 6)', () => {
  let dir: string;
  const python = (format: 'jsonl' | 'json', text: string) => {
    const file = join(dir, `in.${format}`);
    writeFileSync(file, text);
    return spawnSync('python3', [join(dir, 'verify.py'), format, file], { encoding: 'utf8' });
  };
  beforeAll(() => {
    dir = tempDir();
    writeFileSync(join(dir, 'verify.py'), VERIFIER);
    archlabJson(dir, ...SEARCH, '--trials', '20', '--seed', '3', '--db', 'e.db', '--run-id', 'plain', '-q');
    archlabJson(
      dir,
      ...SEARCH,
      '--trials',
      '20',
      '--seed',
      '3',
      '--db',
      'e.db',
      '--run-id',
      'cons',
      '--hardware',
      'counters',
      '--constraint',
      'params>=1e-7',
      '-q',
    );
    // Values JSON.stringify and python's json print differently: exponents, -0, huge and tiny
    // floats, integers past 2^53, astral keys (UTF-16 order differs from code points), escapes.
    const db = new Database(join(dir, 'e.db'));
    const data = {
      small: 1e-7,
      big: 1e21,
      below: 123456789012345680000,
      frac: 93.965,
      negzero: -0,
      tiny: 5e-324,
      max: 1.7976931348623157e308,
      int: 9007199254740994,
      neg: -0.000001,
      third: 1 / 3,
      text: 'tab\there "q" \\ \u0001 ü ✓ 𝄞',
      '\uffff': 1,
      '𝄞': 2,
      z: [1, 2.5, null, true, { b: 1, a: [] }],
    };
    const runId = 'edge';
    const rows = [
      { type: 'RunStarted', v: 1, ts: 1_700_000_000_000, data: { config: data } },
      {
        type: 'PluginFailed',
        v: 1,
        ts: 1_700_000_000_001,
        data: { source: 'x', error: { name: 'É', message: data.text } },
      },
    ];
    let prev = GENESIS_HASH;
    const insert = db.prepare(
      'INSERT INTO events (run_id, seq, type, v, ts, data, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    rows.forEach((r, seq) => {
      const stored = JSON.parse(JSON.stringify(r.data));
      prev = eventHash(prev, { runId, seq, type: r.type, v: r.v, ts: r.ts, data: stored });
      insert.run(runId, seq, r.type, r.v, r.ts, JSON.stringify(r.data), prev);
    });
    db.prepare('INSERT INTO runs (run_id, created_at, last_ts, last_seq) VALUES (?, ?, ?, ?)').run(
      runId,
      rows[0]!.ts,
      rows[1]!.ts,
      1,
    );
    db.close();
  });

  it('prints each event exactly as export stores it (RunStarted v1 stays v1); --upcast shows the current version', () => {
    const exported = archlab(dir, 'export', 'plain', '--db', 'e.db');
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trim().split('\n');
    const events = archlab(dir, 'events', 'plain', '--db', 'e.db', '--json');
    expect(events.code).toBe(0);
    const shown = JSON.parse(events.stdout) as { v: number }[];
    expect(shown.map((e) => JSON.stringify(e))).toEqual(lines);
    expect(shown[0]).toMatchObject({ type: 'RunStarted', v: 1 });
    const upcast = archlabJson<{ type: string; v: number }[]>(
      dir,
      'events',
      'plain',
      '--db',
      'e.db',
      '--upcast',
    );
    expect(upcast[0]).toMatchObject({ type: 'RunStarted', v: CURRENT_VERSIONS.RunStarted });
    // Today's TrialCompleted (v2) adds an optional field: upcasting a v1 changes only its version.
    expect(upcast.map((e) => e.v)).toEqual(upcast.map((e) => CURRENT_VERSIONS[e.type as RunEventType]));
    const unversioned = (es: { v: number }[]) => es.map(({ v: _, ...rest }) => rest);
    expect(unversioned(upcast.slice(1))).toEqual(unversioned(shown.slice(1)));
  });

  it('an independent python verifier recomputes every hash of export and of events --json', {
    timeout: 180_000,
  }, () => {
    for (const run of ['plain', 'cons', 'edge']) {
      const jsonl = archlab(dir, 'export', run, '--db', 'e.db');
      expect(jsonl.code).toBe(0);
      const head = lastEvent(join(dir, 'e.db'), run);
      const a = python('jsonl', jsonl.stdout);
      expect(a.stderr).toBe('');
      expect(a.stdout.trim()).toBe(`OK ${head.seq + 1} head ${head.hash}`);
      const json = archlab(dir, 'events', run, '--db', 'e.db', '--json');
      expect(python('json', json.stdout).stdout.trim()).toBe(`OK ${head.seq + 1} head ${head.hash}`);
      // The verifier can fail: one changed digit in the log is caught.
      const altered = jsonl.stdout.replace(/"ts":(\d+)/, (_, ts) => `"ts":${Number(ts) + 1}`);
      expect(python('jsonl', altered).stdout.trim()).toBe('BAD seq 0');
    }
  });
});

describe('show, runs, events and export on a damaged log (issue 14 item 7)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    archlabJson(dir, ...SEARCH, '--trials', '10', '--seed', '1', '--db', 'ok.db', '--run-id', 'd', '-q');
  });
  const damaged = (name: string, sql: string, reHash = false) => {
    const path = copyDb(dir, 'ok.db', name);
    tamper(path, (db) => {
      db.exec(sql);
      if (reHash) rehash(db, 'd');
    });
    return name;
  };

  const cases: [string, string, boolean, RegExp][] = [
    ['no RunStarted', 'DELETE FROM events WHERE seq = 0', false, /at seq 0: seq 0 is missing/],
    [
      'garbage JSON',
      'UPDATE events SET data = \'{"trialId": 3,\' WHERE seq = 5',
      false,
      /at seq 5: its data is not JSON/,
    ],
    [
      'a missing event',
      'DELETE FROM events WHERE seq = 7',
      false,
      /at seq 7: seq 7 is missing \(the next stored event is seq 8\)/,
    ],
    [
      'RunStarted without a config',
      "UPDATE events SET data = '{}' WHERE seq = 0",
      true,
      /at seq 0: RunStarted has no config/,
    ],
    [
      'a result for no trial',
      "UPDATE events SET data = json_set(data, '$.trialId', 999) WHERE seq = (SELECT min(seq) FROM events WHERE type = 'TrialCompleted')",
      true,
      /: event for trial 999 before its TrialProposed/,
    ],
    [
      'a trial event without a trial id',
      "UPDATE events SET data = '{}' WHERE seq = 3",
      true,
      /at seq 3: \w+ has no trialId/,
    ],
    [
      'an event that is not RunStarted at seq 0',
      "UPDATE events SET type = 'TrialStarted' WHERE seq = 0",
      true,
      /at seq 0: the log starts with TrialStarted, not RunStarted/,
    ],
  ];
  for (const [what, sql, reHash, message] of cases) {
    it(`show says the log is damaged: ${what}`, () => {
      const db = damaged(`${what.replaceAll(' ', '-')}.db`, sql, reHash);
      const r = archlab(dir, 'show', 'd', '--db', db);
      expectOneLineError(r, /^archlab: error: run 'd': the log is damaged at seq \d+: /);
      expect(r.stderr).toMatch(message);
      const json = archlab(dir, 'show', 'd', '--db', db, '--json');
      expect(json.code).toBe(2);
      expect(json.stdout).toBe('');
    });
  }

  it('show prints the run and warns when the hash chain does not verify', () => {
    const db = damaged(
      'altered.db',
      "UPDATE events SET data = json_set(data, '$.metrics.test_acc', 99.9) WHERE seq = 6",
    );
    const r = archlab(dir, 'show', 'd', '--db', db);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^run\s+d\s+\(completed: trials\)/);
    expect(r.stderr).toBe(
      "archlab: warning: the hash chain does not verify at seq 6; run 'archlab replay d --verify'\n",
    );
  });

  it('runs lists a damaged run as damaged and the others as usual; events and export say where the damage is', {
    timeout: 180_000,
  }, () => {
    const db = damaged('two.db', 'DELETE FROM events WHERE seq = 7');
    archlabJson(dir, ...SEARCH, '--trials', '5', '--db', db, '--run-id', 'fine', '-q');
    const r = archlab(dir, 'runs', '--db', db);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^d .* damaged at seq 7/m);
    expect(r.stdout).toMatch(/^fine .* completed/m);
    expect(r.stderr).toBe(
      "archlab: warning: run 'd': the log is damaged at seq 7: seq 7 is missing (the next stored event is seq 8)\n",
    );
    // A damaged log is still exported as stored, so it can be examined; a warning says where.
    for (const cmd of ['events', 'export']) {
      const e = archlab(dir, cmd, 'd', '--db', db);
      expect(e.code).toBe(0);
      expect(e.stderr).toBe(
        "archlab: warning: run 'd': the log is damaged at seq 7: seq 7 is missing (the next stored event is seq 8)\n",
      );
    }
    const garbage = damaged('garbage2.db', "UPDATE events SET data = 'nope' WHERE seq = 2");
    for (const cmd of ['events', 'export', 'runs']) {
      const e = archlab(dir, ...(cmd === 'runs' ? [cmd] : [cmd, 'd']), '--db', garbage);
      if (cmd === 'runs') {
        expect(e.code).toBe(0);
        expect(e.stdout).toMatch(/damaged at seq 2/);
      } else
        expectOneLineError(e, /^archlab: error: run 'd': the log is damaged at seq 2: its data is not JSON/);
    }
  });
});
