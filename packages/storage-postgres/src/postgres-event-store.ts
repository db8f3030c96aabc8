import { readFileSync } from 'node:fs';
import {
  ConcurrencyConflictError,
  type EventRow,
  type EventStore,
  eventFromRow,
  eventRows,
  InvalidOptionError,
  locationScheme,
  type RunListing,
  redactLocation,
  type StoredEvent,
  StoreError,
  sha256Hex,
} from '@archlab/core';
import type pg from 'pg';
import {
  PostgresLocationError,
  PostgresNoLogError,
  PostgresReadOnlyUpgradeError,
  translatePgError,
} from './errors.js';
import { LATEST_SCHEMA_VERSION, migrate, quoteIdent, schemaVersion } from './migrate.js';

/** How the connection is encrypted: as the URL's `sslmode` says, or overriding it. */
export type PostgresTls = 'url' | 'disable' | 'require' | 'verify-full';

export interface PostgresEventStoreOptions {
  /** The schema holding archlab's tables (created if missing), so one database can hold several logs. */
  readonly schema?: string;
  readonly tls?: PostgresTls;
  /** A PEM file of the certificate authorities trusted for `verify-full` (default: Node's). */
  readonly tlsCa?: string;
  /** How long connecting may take before the server counts as unreachable. */
  readonly connectTimeoutMs?: number;
  /** Connections kept open: one per concurrent append or read page. */
  readonly poolSize?: number;
  /**
   * Never write: no migration (a schema without archlab's tables, or an older one, is refused),
   * appends and blobs fail, and every connection's transactions are read-only on the server too.
   */
  readonly readOnly?: boolean;
  /** The schema must hold archlab's tables already (a command that reads a log): never made here. */
  readonly mustExist?: boolean;
}

/** The URL schemes of PostgreSQL connection strings. */
export const POSTGRES_URL_SCHEMES = ['postgres', 'postgresql'] as const;

/** Rows per query when reading: bounds memory and keeps no cursor open across yields. */
export const READ_PAGE_SIZE = 2_000;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

interface PgEventRow {
  readonly seq: string;
  readonly type: string;
  readonly v: number;
  readonly ts: string;
  readonly data: string;
  readonly hash: string;
}

/**
 * The event store on a PostgreSQL server, through node-postgres: the log outlives any one
 * machine, and any number of processes read it while one writes.
 *
 * Beyond the EventStore contract, and as storage-sqlite does:
 * - Each append is one statement (the schema's `append` function, one round trip) that locks
 *   the run's row of the `runs` projection (`SELECT … FOR UPDATE`) and checks its last seq, so
 *   a writer at a stale position, in this process or on another machine, gets
 *   ConcurrencyConflictError and nothing is written; two writers creating the same run meet on
 *   the events' primary key, also a conflict.
 * - An append resolves after COMMIT with `synchronous_commit = on` (set on every connection), so
 *   its events are in the server's WAL on disk.
 * - Readers take no lock (MVCC): `show`/`export` never block the writer, and see whole appends.
 * - Opening applies missing migrations under an advisory lock; it refuses a schema holding
 *   another program's tables, or one from a newer archlab, having written nothing.
 * - A URL's password never appears in a message: errors name the redacted URL.
 */
export class PostgresEventStore implements EventStore {
  private closed = false;
  private readonly s: string;

  private constructor(
    private readonly pool: pg.Pool,
    /** The URL as it may be printed (password redacted). */
    readonly location: string,
    readonly schema: string,
    private readonly readOnly: boolean,
  ) {
    this.s = quoteIdent(schema);
  }

  /**
   * Connects to the server at `url`, creating archlab's tables in `schema` if missing. Throws
   * PostgresUnreachableError, PostgresAuthError, PostgresLocationError,
   * PostgresForeignSchemaError or PostgresSchemaTooNewError, having changed nothing.
   */
  static async open(url: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const location = redactLocation(url);
    const schema = options.schema ?? 'archlab';
    if (!SCHEMA_NAME.test(schema)) {
      throw new InvalidOptionError(
        `postgres store: schema must be a lower-case SQL name (letters, digits, _; at most 63), got '${schema}'`,
      );
    }
    const scheme = locationScheme(url);
    if (scheme === undefined || !(POSTGRES_URL_SCHEMES as readonly string[]).includes(scheme)) {
      throw new PostgresLocationError(
        `the postgres store needs a URL like postgres://USER@HOST:5432/DATABASE, got '${location}'`,
      );
    }
    const { default: pgModule } = await import('pg');
    const pool = new pgModule.Pool({
      ...(await clientConfig(url, location, options)),
      max: options.poolSize ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
      application_name: 'archlab',
      // Durable on return whatever the server's or database's default; a reader the server
      // itself keeps from writing.
      options: `-c synchronous_commit=on${options.readOnly ? ' -c default_transaction_read_only=on' : ''}`,
      // bigint columns (seq, ts) come back as strings; the store turns them into numbers.
    });
    // An idle connection the server drops emits 'error' on the pool; the next query reports it.
    pool.on('error', () => {});
    try {
      const client = await pool.connect();
      try {
        const version = await schemaVersion(client, schema, location);
        if (version === 0 && (options.readOnly || options.mustExist)) {
          throw new PostgresNoLogError(location, schema);
        }
        if (version < LATEST_SCHEMA_VERSION) {
          if (options.readOnly) throw new PostgresReadOnlyUpgradeError(location, version);
          await migrate(client, schema, location);
        }
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end().catch(() => {});
      throw translatePgError(err, location);
    }
    return new PostgresEventStore(pool, location, schema, options.readOnly ?? false);
  }

  async append(runId: string, expectedSeq: number, events: readonly StoredEvent[]): Promise<void> {
    this.assertWritable();
    const rows = eventRows(runId, expectedSeq, events);
    let found: number;
    try {
      const { rows: out } = await this.pool.query<{ found: string }>(
        `SELECT ${this.s}.append($1, $2, $3::bigint[], $4::text[], $5::int[], $6::bigint[], $7::text[], $8::text[]) AS found`,
        [
          runId,
          expectedSeq,
          rows.map((r) => r.seq),
          rows.map((r) => r.type),
          rows.map((r) => r.v),
          rows.map((r) => r.ts),
          rows.map((r) => r.data),
          rows.map((r) => r.hash),
        ],
      );
      found = Number(out[0]!.found);
    } catch (err) {
      // A row at the position the projection said was free: another writer creating the same
      // run at the same time, or one that bypassed the projection. The log decides: a conflict.
      if ((err as { code?: string }).code === '23505') {
        throw new ConcurrencyConflictError(runId, expectedSeq, await this.maxSeq(runId));
      }
      throw this.translate(err);
    }
    if (found !== expectedSeq) throw new ConcurrencyConflictError(runId, expectedSeq, found);
  }

  async *read(runId: string, fromSeq = 0): AsyncGenerator<StoredEvent> {
    let from = fromSeq;
    for (;;) {
      this.assertOpen();
      const rows = await this.query<PgEventRow>(
        `SELECT seq, type, v, ts, data, hash FROM ${this.s}.events WHERE run_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3`,
        [runId, from, READ_PAGE_SIZE],
      );
      for (const r of rows) yield eventFromRow(runId, toEventRow(r));
      if (rows.length < READ_PAGE_SIZE) return;
      from = Number(rows.at(-1)!.seq) + 1;
    }
  }

  async lastSeq(runId: string): Promise<number> {
    this.assertOpen();
    const rows = await this.query<{ last_seq: string }>(
      `SELECT last_seq FROM ${this.s}.runs WHERE run_id = $1`,
      [runId],
    );
    return rows.length > 0 ? Number(rows[0]!.last_seq) : -1;
  }

  async listRuns(): Promise<RunListing[]> {
    this.assertOpen();
    const rows = await this.query<{ run_id: string; created_at: string; last_ts: string; last_seq: string }>(
      `SELECT run_id, created_at, last_ts, last_seq FROM ${this.s}.runs ORDER BY created_at, run_id COLLATE "C"`,
    );
    return rows.map((r) => ({
      runId: r.run_id,
      createdAt: Number(r.created_at),
      lastTs: Number(r.last_ts),
      lastSeq: Number(r.last_seq),
    }));
  }

  async putBlob(bytes: Uint8Array): Promise<string> {
    this.assertWritable();
    const sha = sha256Hex(bytes);
    await this.query(
      `INSERT INTO ${this.s}.blobs (sha256, bytes, size, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`,
      [sha, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), bytes.byteLength, Date.now()],
    );
    return sha;
  }

  async getBlob(sha256: string): Promise<Uint8Array | undefined> {
    this.assertOpen();
    const rows = await this.query<{ bytes: Buffer }>(`SELECT bytes FROM ${this.s}.blobs WHERE sha256 = $1`, [
      sha256,
    ]);
    return rows[0] && new Uint8Array(rows[0].bytes);
  }

  /** Closes every connection; later calls on this handle throw. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async maxSeq(runId: string): Promise<number> {
    const rows = await this.query<{ max: string | null }>(
      `SELECT max(seq) AS max FROM ${this.s}.events WHERE run_id = $1`,
      [runId],
    );
    return rows[0]?.max == null ? -1 : Number(rows[0].max);
  }

  private async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (err) {
      throw this.translate(err);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError(`the store on ${this.location} is closed; open it again to use it`);
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.readOnly) {
      throw new StoreError(
        `the store on ${this.location} was opened read-only (mode=read-only); nothing was written`,
      );
    }
  }

  private translate(err: unknown): unknown {
    return translatePgError(err, this.location);
  }
}

function toEventRow(r: PgEventRow): EventRow {
  return { seq: Number(r.seq), type: r.type, v: r.v, ts: Number(r.ts), data: r.data, hash: r.hash };
}

/** node-postgres's config for `url`, with `tls` overriding the URL's sslmode when it is not 'url'. */
async function clientConfig(
  url: string,
  location: string,
  options: PostgresEventStoreOptions,
): Promise<pg.ClientConfig> {
  const { parse, toClientConfig } = await import('pg-connection-string');
  let config: pg.ClientConfig;
  try {
    // libpq's meaning of sslmode: 'require' encrypts without checking the certificate.
    config = toClientConfig(parse(url, { useLibpqCompat: true }));
  } catch (err) {
    throw new PostgresLocationError(
      `cannot use ${location} as a PostgreSQL URL (${(err as Error).message.split('\n')[0]}); write it as postgres://USER@HOST:5432/DATABASE`,
      { cause: err },
    );
  }
  const tls = options.tls ?? 'url';
  if (tls === 'disable') config.ssl = false;
  else if (tls === 'require') config.ssl = { rejectUnauthorized: false };
  else if (tls === 'verify-full') {
    config.ssl = { rejectUnauthorized: true, ...(options.tlsCa && { ca: readCa(options.tlsCa) }) };
  } else if (options.tlsCa) {
    throw new InvalidOptionError("postgres store: option 'tls-ca' needs tls=verify-full");
  }
  return config;
}

function readCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidOptionError(
      `postgres store: cannot read the tls-ca file '${path}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); name a PEM file of certificate authorities`,
    );
  }
}
