import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventHash } from '@archlab/core';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CorruptDatabaseError,
  DatabaseLocationError,
  ForeignDatabaseError,
  NotADatabaseError,
  SchemaTooNewError,
} from './errors.js';
import { ARCHLAB_APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS, migrate } from './migrate.js';
import { SqliteEventStore } from './sqlite-event-store.js';

const dir = mkdtempSync(join(tmpdir(), 'archlab-sqlite-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `db-${files++}.db`);

function appliedMigrations(path: string): { version: number; applied_at: number }[] {
  const raw = new Database(path, { readonly: true });
  try {
    return raw
      .prepare<[], { version: number; applied_at: number }>(
        'SELECT * FROM schema_migrations ORDER BY version',
      )
      .all();
  } finally {
    raw.close();
  }
}

/** Opening `path` must fail with `error` and leave the file byte-identical. */
function expectRefusedUntouched(path: string, error: new (...args: never[]) => Error): Error {
  const before = readFileSync(path);
  let thrown: unknown;
  try {
    SqliteEventStore.open(path);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(error);
  expect(readFileSync(path).equals(before)).toBe(true);
  return thrown as Error;
}

describe('schema migrations', () => {
  it('brings a new file to the latest version, marked as archlab’s', async () => {
    const path = freshPath();
    await SqliteEventStore.open(path).close();
    expect(appliedMigrations(path).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(MIGRATIONS.at(-1)!.version).toBe(LATEST_SCHEMA_VERSION);
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('application_id', { simple: true })).toBe(ARCHLAB_APPLICATION_ID);
    const tables = raw
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(['blobs', 'events', 'runs', 'schema_migrations']);
    raw.close();
  });

  it('does not re-apply migrations on reopening', async () => {
    const path = freshPath();
    await SqliteEventStore.open(path).close();
    const first = appliedMigrations(path);
    await SqliteEventStore.open(path).close();
    expect(appliedMigrations(path)).toEqual(first);
  });

  it('applies only the migrations a database lacks, keeping its data', async () => {
    const path = freshPath();
    const store = SqliteEventStore.open(path);
    const content = { runId: 'r', seq: 0, type: 'RunStarted', v: 1, ts: 1, data: { a: 1 } };
    await store.append('r', -1, [{ ...content, hash: eventHash('', content) }]);
    await store.close();

    const next = {
      version: LATEST_SCHEMA_VERSION + 1,
      description: 'test',
      sql: 'CREATE INDEX events_by_type ON events (type)',
    };
    const raw = new Database(path);
    expect(migrate(raw, path, [...MIGRATIONS, next])).toEqual([next.version]);
    expect(migrate(raw, path, [...MIGRATIONS, next])).toEqual([]);
    expect(raw.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    raw.close();
    // This code knows fewer migrations than the file has: refused as newer.
    expect(() => SqliteEventStore.open(path)).toThrow(SchemaTooNewError);
  });

  it('refuses a database from a newer archlab and leaves it byte-identical', async () => {
    const path = freshPath();
    await SqliteEventStore.open(path).close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)').run();
    raw.close();
    const err = expectRefusedUntouched(path, SchemaTooNewError);
    expect(err.message).toBe(
      `'${path}' was written by a newer archlab (schema v999, this one knows up to v${LATEST_SCHEMA_VERSION}); upgrade archlab`,
    );
  });

  it('refuses a text file and leaves it byte-identical', () => {
    const path = join(dir, 'notes.db');
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(200));
    const err = expectRefusedUntouched(path, NotADatabaseError);
    expect(err.message).toMatch(/^'.*notes\.db' is not an archlab database \(not SQLite\)/);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it("refuses another program's SQLite database and leaves it byte-identical", () => {
    const path = freshPath();
    const raw = new Database(path);
    raw.exec(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada')",
    );
    raw.close();
    const err = expectRefusedUntouched(path, ForeignDatabaseError);
    expect(err.message).toContain('users');
  });

  it('refuses an empty database stamped with another application id', () => {
    const path = freshPath();
    const raw = new Database(path);
    raw.pragma('application_id = 12345');
    raw.close();
    expectRefusedUntouched(path, ForeignDatabaseError);
  });

  it('refuses to create a file in a directory that does not exist, and does not create it', () => {
    const missing = join(dir, 'no-such-dir');
    expect(() => SqliteEventStore.open(join(missing, 'runs.db'))).toThrow(DatabaseLocationError);
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses a directory as the database path', () => {
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    expect(() => SqliteEventStore.open(sub)).toThrow(DatabaseLocationError);
  });

  it('opens an empty existing file (e.g. made by touch) as a new database', async () => {
    const path = freshPath();
    writeFileSync(path, '');
    const store = SqliteEventStore.open(path);
    expect(await store.listRuns()).toEqual([]);
    await store.close();
  });

  it('reports a damaged database as CorruptDatabaseError', async () => {
    const path = freshPath();
    const store = SqliteEventStore.open(path);
    for (let i = 0; i < 50; i++) {
      const content = {
        runId: 'r',
        seq: i,
        type: 'TrialProgressed',
        v: 1,
        ts: i,
        data: { pad: 'x'.repeat(500) },
      };
      await store.append('r', i - 1, [{ ...content, hash: String(i) }]);
    }
    await store.close();
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    // Overwrite everything after the first page: the schema is readable, the tables are not.
    bytes.fill(0xab, pageSize);
    writeFileSync(path, bytes);
    // Where SQLite notices depends on which pages it touches first: opening or reading.
    const openAndRead = async () => {
      const reopened = SqliteEventStore.open(path);
      try {
        for await (const _ of reopened.read('r')) {
          // drain
        }
      } finally {
        await reopened.close();
      }
    };
    await expect(openAndRead()).rejects.toBeInstanceOf(CorruptDatabaseError);
  });
});
