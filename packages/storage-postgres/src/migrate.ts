import type pg from 'pg';
import { PostgresForeignSchemaError, PostgresSchemaTooNewError } from './errors.js';

/** One step of the schema, as SQL for the schema (a quoted identifier) it is applied in. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: (schema: string) => string;
}

/**
 * The schema, oldest first. Append only: a released migration is never edited, because
 * databases in the field have already run it; a change is a new migration. The tables mirror
 * storage-sqlite's; `data` is the event's JSON text as written (the hash chain covers it), not
 * jsonb, which would reorder its keys. `append` is a function so that an append is one round
 * trip to the server, not five.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, the runs projection, blobs',
    sql: (s) => `
      CREATE TABLE ${s}.events (
        run_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        type TEXT NOT NULL,
        v INTEGER NOT NULL,
        ts BIGINT NOT NULL,
        data TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      );
      CREATE TABLE ${s}.runs (
        run_id TEXT NOT NULL PRIMARY KEY,
        created_at BIGINT NOT NULL,
        last_ts BIGINT NOT NULL,
        last_seq BIGINT NOT NULL
      );
      CREATE TABLE ${s}.blobs (
        sha256 TEXT NOT NULL PRIMARY KEY,
        bytes BYTEA NOT NULL,
        size BIGINT NOT NULL,
        created_at BIGINT NOT NULL
      );
      -- One append in one round trip: under the run's row lock, the last seq is checked and, if
      -- it is the expected one, the events and the projection are written. Returns the last seq
      -- it found; the caller reports a conflict when that is not the expected one (nothing was
      -- written then). Two writers creating one run meet on the events' primary key (23505).
      CREATE FUNCTION ${s}.append(
        p_run TEXT, p_expected BIGINT, p_seq BIGINT[], p_type TEXT[], p_v INTEGER[],
        p_ts BIGINT[], p_data TEXT[], p_hash TEXT[]
      ) RETURNS BIGINT LANGUAGE plpgsql AS $fn$
      DECLARE
        found_seq BIGINT;
      BEGIN
        SELECT last_seq INTO found_seq FROM ${s}.runs WHERE run_id = p_run FOR UPDATE;
        found_seq := coalesce(found_seq, -1);
        IF found_seq <> p_expected OR cardinality(p_seq) = 0 THEN
          RETURN found_seq;
        END IF;
        INSERT INTO ${s}.events (run_id, seq, type, v, ts, data, hash)
          SELECT p_run, * FROM unnest(p_seq, p_type, p_v, p_ts, p_data, p_hash);
        INSERT INTO ${s}.runs (run_id, created_at, last_ts, last_seq)
          VALUES (p_run, p_ts[1], p_ts[cardinality(p_ts)], p_seq[cardinality(p_seq)])
          ON CONFLICT (run_id) DO UPDATE SET last_ts = excluded.last_ts, last_seq = excluded.last_seq;
        RETURN found_seq;
      END
      $fn$;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** `name` as a quoted SQL identifier. Schema names are checked by the factory; this only quotes. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The schema version of archlab's tables in `schema`: 0 when it has none, the highest applied
 * migration otherwise. Reads only. Throws PostgresForeignSchemaError when the schema holds
 * tables that are not archlab's and PostgresSchemaTooNewError when a newer archlab wrote it.
 */
export async function schemaVersion(
  db: pg.ClientBase,
  schema: string,
  location: string,
  latest = LATEST_SCHEMA_VERSION,
): Promise<number> {
  const { rows } = await db.query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [schema],
  );
  const names = rows.map((r) => r.table_name);
  if (names.length === 0) return 0;
  if (!names.includes('schema_migrations')) {
    const shown = names.length > 5 ? `${names.slice(0, 5).join(', ')}, …` : names.join(', ');
    throw new PostgresForeignSchemaError(location, `schema '${schema}' holds ${shown}`);
  }
  const { rows: v } = await db.query<{ version: number | null }>(
    `SELECT max(version)::int AS version FROM ${quoteIdent(schema)}.schema_migrations`,
  );
  const version = v[0]?.version ?? 0;
  if (version > latest) throw new PostgresSchemaTooNewError(location, version, latest);
  return version;
}

/**
 * Applies the migrations `schema` lacks in one transaction, and returns the versions applied.
 * An advisory lock on the schema's name serializes processes opening the same new schema, and
 * the version is read again under it, so each migration runs once.
 */
export async function migrate(
  db: pg.ClientBase,
  schema: string,
  location: string,
  migrations = MIGRATIONS,
): Promise<number[]> {
  const s = quoteIdent(schema);
  const applied: number[] = [];
  await db.query('BEGIN');
  try {
    await db.query("SELECT pg_advisory_xact_lock(hashtext('archlab schema ' || $1))", [schema]);
    const from = await schemaVersion(db, schema, location, migrations.at(-1)?.version ?? 0);
    const pending = migrations.filter((m) => m.version > from);
    if (pending.length > 0) {
      await db.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await db.query(
        `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)`,
      );
      for (const m of pending) {
        await db.query(m.sql(s));
        await db.query(`INSERT INTO ${s}.schema_migrations (version, applied_at) VALUES ($1, $2)`, [
          m.version,
          Date.now(),
        ]);
        applied.push(m.version);
      }
    }
    await db.query('COMMIT');
  } catch (err) {
    await db.query('ROLLBACK').catch(() => {});
    throw err;
  }
  return applied;
}
