import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  ConcurrencyConflictError,
  type EventRow,
  type EventStore,
  eventFromRow,
  eventRows,
  InvalidOptionError,
  type RunListing,
  type StoredEvent,
  StoreError,
  sha256Hex,
} from '@archlab/core';
import Database from 'better-sqlite3';
import { DatabaseLocationError, ReadOnlyUpgradeError, translateSqliteError } from './errors.js';
import { LATEST_SCHEMA_VERSION, migrate, schemaVersion } from './migrate.js';

/**
 * What a resolved `append` survives.
 * - `normal` (default): WAL with `synchronous=NORMAL`. A committed append is in the WAL file,
 *   so it survives the process crashing or being killed (kill -9); the last appends before a
 *   power loss or OS crash may be lost, never half-written.
 * - `full`: `synchronous=FULL`, the WAL is fsynced on every commit, so appends also survive
 *   power loss, at the cost of one fsync per append.
 */
export type Durability = 'normal' | 'full';

export interface SqliteEventStoreOptions {
  readonly durability?: Durability;
  /**
   * How long an append waits for another process holding the write lock before failing with
   * DatabaseBusyError. The wait blocks the event loop (better-sqlite3 is synchronous).
   */
  readonly busyTimeoutMs?: number;
  /**
   * Open an existing, up-to-date database for reading only (a watcher such as `archlab serve`):
   * nothing is ever written, not even a migration, and appends throw. In WAL mode a reader
   * never blocks the writer, and sees each append once it is committed.
   */
  readonly readOnly?: boolean;
}

/** Rows per query when reading: bounds memory and avoids holding a statement open across yields. */
export const READ_PAGE_SIZE = 2_000;

const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

interface RunRow {
  readonly run_id: string;
  readonly created_at: number;
  readonly last_ts: number;
  readonly last_seq: number;
}

type AppendFn = (runId: string, expectedSeq: number, events: readonly StoredEvent[]) => void;

/**
 * The default EventStore: one SQLite file in WAL mode, through better-sqlite3.
 *
 * Beyond the EventStore contract:
 * - Several handles, in one process or several, may share a file. Each append is one
 *   `BEGIN IMMEDIATE` transaction that checks the run's last seq under the write lock, so a
 *   writer at a stale position gets ConcurrencyConflictError and nothing is written.
 * - `runs` is a projection updated in the same transaction as the events, so `lastSeq` and
 *   `listRuns` never scan the log.
 * - Opening applies missing schema migrations; it refuses, without writing anything, a file
 *   that is not SQLite, another program's database, or one from a newer archlab.
 * - `listRuns` orders by first event timestamp, then run id (byte order).
 */
export class SqliteEventStore implements EventStore {
  private readonly appendTx: Database.Transaction<AppendFn>;
  private readonly selectLastSeq: Database.Statement<[string], number>;
  private readonly selectMaxSeq: Database.Statement<[string], number | null>;
  private readonly selectPage: Database.Statement<[string, number, number], EventRow>;
  private readonly selectRuns: Database.Statement<[], RunRow>;
  private readonly insertBlob: Database.Statement<[string, Uint8Array, number, number]>;
  private readonly selectBlob: Database.Statement<[string], Buffer>;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    private readonly busyTimeoutMs: number,
  ) {
    this.selectLastSeq = db.prepare<[string], number>('SELECT last_seq FROM runs WHERE run_id = ?').pluck();
    this.selectMaxSeq = db
      .prepare<[string], number | null>('SELECT max(seq) FROM events WHERE run_id = ?')
      .pluck();
    this.selectPage = db.prepare<[string, number, number], EventRow>(
      'SELECT seq, type, v, ts, data, hash FROM events WHERE run_id = ? AND seq >= ? ORDER BY seq LIMIT ?',
    );
    this.selectRuns = db.prepare<[], RunRow>(
      'SELECT run_id, created_at, last_ts, last_seq FROM runs ORDER BY created_at, run_id',
    );
    this.insertBlob = db.prepare<[string, Uint8Array, number, number]>(
      'INSERT OR IGNORE INTO blobs (sha256, bytes, size, created_at) VALUES (?, ?, ?, ?)',
    );
    this.selectBlob = db.prepare<[string], Buffer>('SELECT bytes FROM blobs WHERE sha256 = ?').pluck();

    const insertEvent = db.prepare<[string, number, string, number, number, string, string]>(
      'INSERT INTO events (run_id, seq, type, v, ts, data, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const upsertRun = db.prepare<[string, number, number, number]>(
      `INSERT INTO runs (run_id, created_at, last_ts, last_seq) VALUES (?, ?, ?, ?)
       ON CONFLICT (run_id) DO UPDATE SET last_ts = excluded.last_ts, last_seq = excluded.last_seq`,
    );
    this.appendTx = db.transaction<AppendFn>((runId, expectedSeq, events) => {
      const actual = this.selectLastSeq.get(runId) ?? -1;
      if (actual !== expectedSeq) throw new ConcurrencyConflictError(runId, expectedSeq, actual);
      if (events.length === 0) return;
      for (const r of eventRows(runId, expectedSeq, events)) {
        insertEvent.run(runId, r.seq, r.type, r.v, r.ts, r.data, r.hash);
      }
      upsertRun.run(runId, events[0]!.ts, events.at(-1)!.ts, expectedSeq + events.length);
    });
  }

  /**
   * Opens the database at `path`, creating the file if it does not exist (its directory must),
   * and brings its schema up to date. Throws NotADatabaseError, ForeignDatabaseError,
   * SchemaTooNewError, CorruptDatabaseError or DatabaseLocationError, having changed nothing.
   */
  static open(path: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    const durability = options.durability ?? 'normal';
    if (durability !== 'normal' && durability !== 'full') {
      throw new InvalidOptionError(
        `sqlite store: durability must be 'normal' or 'full', got '${durability}'`,
      );
    }
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const readOnly = options.readOnly ?? false;
    checkLocation(path);
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: busyTimeoutMs, readonly: readOnly, fileMustExist: readOnly });
    } catch (err) {
      throw translateSqliteError(err, path, busyTimeoutMs);
    }
    try {
      // Checked before anything that could write (journal mode, migrations), so a file we refuse stays as it was.
      const version = schemaVersion(db, path);
      if (readOnly) {
        if (version < LATEST_SCHEMA_VERSION) throw new ReadOnlyUpgradeError(path, version);
        return new SqliteEventStore(db, path, busyTimeoutMs);
      }
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') {
        throw new DatabaseLocationError(
          `'${path}' cannot use SQLite's WAL mode (got '${String(mode)}'); put the database on a local disk`,
        );
      }
      db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
      if (version < LATEST_SCHEMA_VERSION) migrate(db, path);
      return new SqliteEventStore(db, path, busyTimeoutMs);
    } catch (err) {
      db.close();
      throw translateSqliteError(err, path, busyTimeoutMs);
    }
  }

  async append(runId: string, expectedSeq: number, events: readonly StoredEvent[]): Promise<void> {
    this.assertOpen();
    try {
      this.appendTx.immediate(runId, expectedSeq, events);
    } catch (err) {
      // The runs projection said the position was free but a row was there: another writer
      // that bypassed it. The log, not the projection, decides, so this is a conflict too.
      if (err instanceof Database.SqliteError && err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new ConcurrencyConflictError(runId, expectedSeq, this.selectMaxSeq.get(runId) ?? -1);
      }
      throw this.translate(err);
    }
  }

  async *read(runId: string, fromSeq = 0): AsyncGenerator<StoredEvent> {
    let from = fromSeq;
    for (;;) {
      this.assertOpen();
      const rows = this.guard(() => this.selectPage.all(runId, from, READ_PAGE_SIZE));
      for (const r of rows) {
        yield eventFromRow(runId, r);
      }
      if (rows.length < READ_PAGE_SIZE) return;
      from = rows.at(-1)!.seq + 1;
    }
  }

  async lastSeq(runId: string): Promise<number> {
    this.assertOpen();
    return this.guard(() => this.selectLastSeq.get(runId) ?? -1);
  }

  async listRuns(): Promise<RunListing[]> {
    this.assertOpen();
    return this.guard(() =>
      this.selectRuns.all().map((r) => ({
        runId: r.run_id,
        createdAt: r.created_at,
        lastTs: r.last_ts,
        lastSeq: r.last_seq,
      })),
    );
  }

  async putBlob(bytes: Uint8Array): Promise<string> {
    this.assertOpen();
    const sha = sha256Hex(bytes);
    this.guard(() => this.insertBlob.run(sha, bytes, bytes.byteLength, Date.now()));
    return sha;
  }

  async getBlob(sha256: string): Promise<Uint8Array | undefined> {
    this.assertOpen();
    const bytes = this.guard(() => this.selectBlob.get(sha256));
    return bytes && new Uint8Array(bytes);
  }

  /** Closes the file; later calls on this handle throw. Idempotent. */
  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private assertOpen(): void {
    if (!this.db.open) throw new StoreError(`the store on '${this.path}' is closed; open it again to use it`);
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): unknown {
    return translateSqliteError(err, this.path, this.busyTimeoutMs);
  }
}

/** better-sqlite3's own message for a missing directory is a bare TypeError; say what to do instead. */
function checkLocation(path: string): void {
  if (path === '' || path === ':memory:') {
    throw new DatabaseLocationError(
      `the sqlite store needs a file path, got '${path}'; name a file (or use the memory store)`,
    );
  }
  const file = statSync(path, { throwIfNoEntry: false });
  if (file && !file.isFile()) {
    throw new DatabaseLocationError(
      `cannot open '${path}' as a database: it is ${file.isDirectory() ? 'a directory' : 'not a regular file'}; name a file (a new one is created)`,
    );
  }
  const dir = dirname(resolve(path));
  const stat = statSync(dir, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) {
    throw new DatabaseLocationError(
      `cannot create '${path}': directory '${dir}' does not exist; create it first or choose another path`,
    );
  }
}
