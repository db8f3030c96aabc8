import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConcurrencyConflictError, StoreError } from '@archlab/core';
import { eventStoreContract, fakeEvents, readAll } from '@archlab/core/testing';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ReadOnlyUpgradeError } from './errors.js';
import { SqliteEventStore } from './sqlite-event-store.js';
import { sqliteEventStoreFactory } from './storage-sqlite-module.js';

const dir = mkdtempSync(join(tmpdir(), 'archlab-sqlite-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `store-${files++}.db`);

eventStoreContract(
  'sqlite',
  () => SqliteEventStore.open(freshPath()),
  async (old) => {
    const { path } = old as SqliteEventStore;
    await old.close();
    return SqliteEventStore.open(path);
  },
  (first) => SqliteEventStore.open((first as SqliteEventStore).path),
);

describe('SqliteEventStore', () => {
  it('keeps the runs projection in step with the log', async () => {
    const store = SqliteEventStore.open(freshPath());
    await store.append('a', -1, fakeEvents('a', 0, 2));
    await store.append('a', 1, fakeEvents('a', 2, 1));
    await store.append('a', 2, []);
    expect(await store.listRuns()).toEqual([
      { runId: 'a', createdAt: 1_700_000_000_000, lastTs: 1_700_000_000_002, lastSeq: 2 },
    ]);
    await store.close();
  });

  it('throws a StoreError after close, and closes twice without complaint', async () => {
    const store = SqliteEventStore.open(freshPath());
    await store.close();
    await store.close();
    await expect(store.append('r', -1, fakeEvents('r', 0, 1))).rejects.toBeInstanceOf(StoreError);
    await expect(store.lastSeq('r')).rejects.toBeInstanceOf(StoreError);
    await expect(readAll(store, 'r')).rejects.toBeInstanceOf(StoreError);
  });

  it('leaves the file in WAL mode', async () => {
    const path = freshPath();
    await SqliteEventStore.open(path).close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('opens through the registered factory, with options validated', async () => {
    const store = await sqliteEventStoreFactory.create(freshPath(), { durability: 'full' });
    await store.append('r', -1, fakeEvents('r', 0, 1));
    expect(await store.lastSeq('r')).toBe(0);
    await store.close();
  });

  it('read-only: sees what a writer appends while open, never blocks it, and writes nothing', async () => {
    const path = freshPath();
    const writer = SqliteEventStore.open(path);
    await writer.append('r', -1, fakeEvents('r', 0, 2));
    const reader = await sqliteEventStoreFactory.create(path, { mode: 'read-only' });
    // A read left open (a generator paused mid-page) does not stop the writer.
    const paused = reader.read('r')[Symbol.asyncIterator]();
    expect((await paused.next()).value).toMatchObject({ seq: 0 });
    await writer.append('r', 1, fakeEvents('r', 2, 3));
    expect(await reader.lastSeq('r')).toBe(4);
    expect(await readAll(reader, 'r')).toEqual(await readAll(writer, 'r'));
    await expect(reader.append('r', 4, fakeEvents('r', 5, 1))).rejects.toBeInstanceOf(StoreError);
    await expect(reader.putBlob(new Uint8Array([1]))).rejects.toBeInstanceOf(StoreError);
    expect(await writer.lastSeq('r')).toBe(4);
    await paused.return?.(undefined);
    await reader.close();
    await writer.close();
  });

  it('read-only: refuses a missing file and an empty one without creating or changing anything', async () => {
    const missing = freshPath();
    expect(() => SqliteEventStore.open(missing, { readOnly: true })).toThrow(StoreError);
    expect(existsSync(missing)).toBe(false);
    const empty = freshPath();
    writeFileSync(empty, '');
    expect(() => SqliteEventStore.open(empty, { readOnly: true })).toThrow(ReadOnlyUpgradeError);
    expect(readFileSync(empty).byteLength).toBe(0);
  });
});

describe('SqliteEventStore: several writers on one file', () => {
  it('reports a row written behind the projection as a conflict, writing nothing', async () => {
    const path = freshPath();
    const store = SqliteEventStore.open(path);
    await store.append('r', -1, fakeEvents('r', 0, 1));
    const raw = new Database(path);
    raw
      .prepare('INSERT INTO events (run_id, seq, type, v, ts, data, hash) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run('r', 1, 'TrialProgressed', 1, 0, '{}', 'h');
    raw.close();
    const append = store.append('r', 0, fakeEvents('r', 1, 2));
    await expect(append).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await expect(append).rejects.toMatchObject({ actualSeq: 1 });
    expect(await store.lastSeq('r')).toBe(0);
    expect((await readAll(store, 'r')).map((e) => e.seq)).toEqual([0, 1]);
    await store.close();
  });

  it('waits for another process holding the write lock, then reports its appends as a conflict', async () => {
    const path = freshPath();
    const store = SqliteEventStore.open(path);
    const ours = fakeEvents('r', 0, 3, 'parent');
    await store.append('r', -1, ours);

    // The child acts as another archlab process: it takes the write lock, appends seqs 3 and 4
    // (keeping the runs projection in step), says so, and commits a little later.
    const script = join(dir, 'other-writer.cjs');
    writeFileSync(
      script,
      `const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
const [path, runId] = process.argv.slice(2);
const db = new Database(path, { timeout: 5000 });
db.exec('BEGIN IMMEDIATE');
const last = db.prepare('SELECT last_seq FROM runs WHERE run_id = ?').pluck().get(runId);
const insert = db.prepare('INSERT INTO events (run_id, seq, type, v, ts, data, hash) VALUES (?, ?, ?, ?, ?, ?, ?)');
for (let seq = last + 1; seq <= last + 2; seq++) insert.run(runId, seq, 'TrialProgressed', 1, seq, JSON.stringify({ by: 'child' }), 'h' + seq);
db.prepare('UPDATE runs SET last_seq = ?, last_ts = ? WHERE run_id = ?').run(last + 2, last + 2, runId);
process.stdout.write('locked\\n');
setTimeout(() => { db.exec('COMMIT'); db.close(); }, 500);
`,
    );
    const child = spawn(process.execPath, [script, path, 'r'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    let out = '';
    for await (const chunk of child.stdout) {
      out += String(chunk);
      if (out.includes('locked')) break;
    }
    expect(out).toContain('locked');

    const started = performance.now();
    const append = store.append('r', 2, fakeEvents('r', 3, 1, 'parent'));
    await expect(append).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await expect(append).rejects.toMatchObject({ expectedSeq: 2, actualSeq: 4 });
    // It waited on the lock (busy_timeout) instead of failing with SQLITE_BUSY.
    expect(performance.now() - started).toBeGreaterThan(250);
    const [code] = await exited;
    expect(code).toBe(0);

    const stored = await readAll(store, 'r');
    expect(stored.slice(0, 3)).toEqual(ours);
    expect(stored.slice(3).map((e) => [e.seq, e.data])).toEqual([
      [3, { by: 'child' }],
      [4, { by: 'child' }],
    ]);
    await store.append('r', 4, fakeEvents('r', 5, 1, 'parent'));
    expect(await store.lastSeq('r')).toBe(5);
    await store.close();
  });
});
