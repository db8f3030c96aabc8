import type Database from 'better-sqlite3';
import { ForeignDatabaseError, SchemaTooNewError } from './errors.js';

/** One step of the schema. Applied in version order, each at most once, recorded in `schema_migrations`. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/**
 * The schema, oldest first. Append only: a released migration is never edited, because
 * databases in the field have already run it; a change is a new migration.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, the runs projection, blobs',
    sql: `
      CREATE TABLE events (
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        v INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        data TEXT NOT NULL,
        hash TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;
      CREATE TABLE runs (
        run_id TEXT NOT NULL PRIMARY KEY,
        created_at INTEGER NOT NULL,
        last_ts INTEGER NOT NULL,
        last_seq INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE blobs (
        sha256 TEXT NOT NULL PRIMARY KEY,
        bytes BLOB NOT NULL,
        size INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/**
 * Written into the SQLite header (`PRAGMA application_id`, "ARLB") so that archlab's files are
 * told apart from other programs' without guessing from table names.
 */
export const ARCHLAB_APPLICATION_ID = 0x41524c42;

const SCHEMA_MIGRATIONS_DDL = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER NOT NULL PRIMARY KEY,
    applied_at INTEGER NOT NULL
  )`;

/**
 * The schema version of an open database: 0 for an empty one, the highest applied migration
 * for archlab's. Reads only. Throws ForeignDatabaseError for another program's database and
 * SchemaTooNewError for one written by a newer archlab.
 */
export function schemaVersion(db: Database.Database, path: string, latest = LATEST_SCHEMA_VERSION): number {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const objects = db
    .prepare<[], { type: string; name: string }>(
      "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .all();
  let version: number;
  if (appId === ARCHLAB_APPLICATION_ID) {
    version = objects.some((o) => o.type === 'table' && o.name === 'schema_migrations')
      ? (db.prepare<[], number | null>('SELECT max(version) FROM schema_migrations').pluck().get() ?? 0)
      : 0;
  } else if (appId !== 0) {
    throw new ForeignDatabaseError(path, `its application id is 0x${(appId >>> 0).toString(16)}`);
  } else if (objects.length > 0) {
    const names = objects.map((o) => o.name);
    const shown = names.length > 5 ? `${names.slice(0, 5).join(', ')}, …` : names.join(', ');
    throw new ForeignDatabaseError(path, `it holds ${shown}`);
  } else {
    version = 0;
  }
  if (version > latest) throw new SchemaTooNewError(path, version, latest);
  return version;
}

/**
 * Applies the migrations the database lacks, all in one write transaction, and returns the
 * versions applied. The version is read again under the write lock, so two processes opening
 * the same new file apply each migration once.
 */
export function migrate(db: Database.Database, path: string, migrations = MIGRATIONS): number[] {
  const applied: number[] = [];
  db.transaction(() => {
    const from = schemaVersion(db, path, migrations.at(-1)?.version ?? 0);
    const pending = migrations.filter((m) => m.version > from);
    if (pending.length === 0) return;
    if (from === 0) db.pragma(`application_id = ${ARCHLAB_APPLICATION_ID}`);
    db.exec(SCHEMA_MIGRATIONS_DDL);
    const record = db.prepare<[number, number]>(
      'INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)',
    );
    for (const m of pending) {
      db.exec(m.sql);
      record.run(m.version, Date.now());
      applied.push(m.version);
    }
  }).immediate();
  return applied;
}
