import { StoreError } from '@archlab/core';
import Database from 'better-sqlite3';

/** The file exists but is not SQLite at all (a text file, a CSV, a truncated download…). */
export class NotADatabaseError extends StoreError {
  override readonly code = 'NOT_A_DATABASE';
  constructor(
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(
      `'${path}' is not an archlab database (not SQLite); check the path, or name a file that does not exist yet and archlab will create it`,
      options,
    );
  }
}

/** A database opened read-only that is not an up-to-date archlab database: reading it would need a write (a migration). */
export class ReadOnlyUpgradeError extends StoreError {
  override readonly code = 'READ_ONLY_UPGRADE';
  constructor(
    readonly path: string,
    readonly found: number,
  ) {
    super(
      found === 0
        ? `'${path}' holds no archlab runs yet; start one with 'archlab search --db ${path} ...'`
        : `'${path}' was written by an older archlab (schema v${found}) and cannot be upgraded read-only; run a command that writes (e.g. 'archlab resume RUN --db ${path}') first`,
    );
  }
}

/** The database was written by a newer archlab whose schema this code cannot read safely. */
export class SchemaTooNewError extends StoreError {
  override readonly code = 'SCHEMA_TOO_NEW';
  constructor(
    readonly path: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `'${path}' was written by a newer archlab (schema v${found}, this one knows up to v${known}); upgrade archlab`,
    );
  }
}

/** An SQLite database that belongs to another program: archlab never writes its tables into it. */
export class ForeignDatabaseError extends StoreError {
  override readonly code = 'FOREIGN_DATABASE';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(
      `'${path}' is an SQLite database of another program (${reason}); archlab leaves it untouched: name a new file for archlab's database`,
    );
  }
}

/** SQLite found the file damaged. */
export class CorruptDatabaseError extends StoreError {
  override readonly code = 'CORRUPT_DATABASE';
  constructor(
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(
      `'${path}' is damaged (SQLite reports corruption); restore it from a backup, or try 'sqlite3 ${path} .recover'`,
      options,
    );
  }
}

/** The path cannot hold a database: missing directory, a directory itself, no permission, read-only. */
export class DatabaseLocationError extends StoreError {
  override readonly code = 'DATABASE_LOCATION';
}

/** Another process held the write lock for longer than the busy timeout. */
export class DatabaseBusyError extends StoreError {
  override readonly code = 'DATABASE_BUSY';
  constructor(
    readonly path: string,
    readonly waitedMs: number,
    options?: { cause?: unknown },
  ) {
    super(
      `'${path}' stayed locked by another process for ${waitedMs} ms; wait for that process to finish (or stop it) and try again`,
      options,
    );
  }
}

/**
 * Maps an error from better-sqlite3 to the typed error a user can act on; anything else is
 * returned unchanged. `busyTimeoutMs` is only used for the message.
 */
export function translateSqliteError(err: unknown, path: string, busyTimeoutMs: number): unknown {
  if (!(err instanceof Database.SqliteError)) return err;
  const code = err.code;
  if (code === 'SQLITE_NOTADB') return new NotADatabaseError(path, { cause: err });
  if (code.startsWith('SQLITE_CORRUPT')) return new CorruptDatabaseError(path, { cause: err });
  if (code.startsWith('SQLITE_BUSY')) return new DatabaseBusyError(path, busyTimeoutMs, { cause: err });
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new DatabaseLocationError(
      `cannot open '${path}' as a database (${err.message}); check that it is a file and that you may read and write it`,
      { cause: err },
    );
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new DatabaseLocationError(
      `'${path}' is read-only (${err.message}); check the permissions of the file and of its directory`,
      { cause: err },
    );
  }
  if (code.startsWith('SQLITE_IOERR')) {
    // Opening an existing database creates its '-shm' and '-wal' files beside it: a full disk or
    // a directory it may not write to fails there, before any query.
    return new DatabaseLocationError(
      `cannot use '${path}': ${err.message} (${code}); check that its disk is not full and that you may write to its directory (SQLite keeps '-wal' and '-shm' files beside it)`,
      { cause: err },
    );
  }
  if (code === 'SQLITE_FULL') {
    return new StoreError(`the disk holding '${path}' is full; free some space and resume the run`, {
      cause: err,
    });
  }
  return err;
}
