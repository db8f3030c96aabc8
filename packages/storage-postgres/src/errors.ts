import { ArchlabError, StoreError } from '@archlab/core';

/** Something about the server at `location` (the redacted URL), for `reason`: its words or the socket's. */
abstract class PostgresServerError extends StoreError {
  constructor(
    readonly location: string,
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The server cannot be reached, or the connection to it was lost: refused, unknown host, timed
 * out, shut down mid-run. What was appended before is on the server; nothing is half-written.
 */
export class PostgresUnreachableError extends PostgresServerError {
  override readonly code = 'STORE_UNREACHABLE';
  constructor(location: string, reason: string, options?: { cause?: unknown }) {
    const hint =
      "check that it is running and its host and port, then try again (an interrupted run continues with 'archlab resume')";
    super(
      location,
      reason,
      `cannot reach the PostgreSQL server at ${location} (${reason}); ${hint}`,
      options,
    );
  }
}

/** The server refused the login: wrong password, unknown user, or no pg_hba.conf entry for it. */
export class PostgresAuthError extends PostgresServerError {
  override readonly code = 'STORE_AUTH';
  constructor(location: string, reason: string, options?: { cause?: unknown }) {
    const hint = 'check the user and the password (in the URL, or PGPASSWORD)';
    super(
      location,
      reason,
      `the PostgreSQL server at ${location} refused the login (${reason}); ${hint}`,
      options,
    );
  }
}

/** The TLS handshake failed: the server offers no TLS, or its certificate is not trusted. */
export class PostgresTlsError extends PostgresServerError {
  override readonly code = 'STORE_TLS';
  constructor(location: string, reason: string, options?: { cause?: unknown }) {
    const hint =
      "check the URL's sslmode or --store-option tls=… (and tls-ca=FILE for a private certificate authority)";
    super(location, reason, `cannot open a TLS connection to ${location} (${reason}); ${hint}`, options);
  }
}

/** The URL names a database that cannot hold archlab's log: it does not exist, or the user may not create tables in it. */
export class PostgresLocationError extends StoreError {
  override readonly code = 'DATABASE_LOCATION';
}

/**
 * A command that reads an existing log (show, export, replay, resume, serve) found no archlab
 * tables in the schema: a mistyped `schema=` or database, which must not become a new empty log.
 */
export class PostgresNoLogError extends StoreError {
  override readonly code = 'NO_LOG';
  constructor(
    readonly location: string,
    readonly schema: string,
  ) {
    super(
      `${location} holds no archlab log in schema '${schema}'; check the database and --store-option schema=NAME (default archlab), or start a run with 'archlab search --db URL ...'`,
    );
  }
}

/** Opened read-only, the schema has an older version of archlab's tables: it would have to be written first. */
export class PostgresReadOnlyUpgradeError extends StoreError {
  override readonly code = 'READ_ONLY_UPGRADE';
  constructor(
    readonly location: string,
    readonly found: number,
  ) {
    super(
      `${location} was written by an older archlab (schema v${found}) and cannot be upgraded read-only; run a command that writes (e.g. 'archlab resume RUN --db URL') first`,
    );
  }
}

/** The schema was written by a newer archlab whose tables this code cannot read safely. */
export class PostgresSchemaTooNewError extends StoreError {
  override readonly code = 'SCHEMA_TOO_NEW';
  constructor(
    readonly location: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `${location} was written by a newer archlab (schema v${found}, this one knows up to v${known}); upgrade archlab`,
    );
  }
}

/** The schema archlab was told to use holds another program's tables: archlab never writes into it. */
export class PostgresForeignSchemaError extends StoreError {
  override readonly code = 'FOREIGN_DATABASE';
  constructor(
    readonly location: string,
    readonly reason: string,
  ) {
    super(
      `${location} holds another program's tables (${reason}); archlab leaves them untouched: choose another schema with --store-option schema=NAME, or another database`,
    );
  }
}

/** Node's socket errors that mean the server is not there (or stopped being there). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** SQLSTATE classes and codes that mean the same: connection exceptions, the server shutting down or starting. */
function unreachableSqlState(code: string): boolean {
  return (
    code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300'
  );
}

/**
 * Maps an error from node-postgres to the typed error a user can act on; anything else is
 * returned unchanged. `location` is the redacted URL, the only form of it any message holds.
 */
export function translatePgError(err: unknown, location: string): unknown {
  if (!(err instanceof Error) || err instanceof ArchlabError) return err;
  const code = (err as { code?: unknown }).code;
  const reason = err.message.split('\n')[0]!;
  if (typeof code === 'string') {
    if (UNREACHABLE_CODES.has(code) || unreachableSqlState(code)) {
      return new PostgresUnreachableError(location, reason, { cause: err });
    }
    if (code === '28P01' || code === '28000') return new PostgresAuthError(location, reason, { cause: err });
    if (code === '3D000') {
      return new PostgresLocationError(
        `${location}: ${reason}; create it first (e.g. 'createdb NAME' on the server) or name another database`,
        { cause: err },
      );
    }
    if (code === '42501') {
      return new PostgresLocationError(
        `${location}: ${reason}; grant the user the right to create tables in the database, or name another schema or database`,
        { cause: err },
      );
    }
    if (code === '53100') {
      return new StoreError(
        `the PostgreSQL server at ${location} is out of disk space (${reason}); free some and resume the run`,
        {
          cause: err,
        },
      );
    }
    if (/CERT|SSL|TLS|VERIFY|ISSUER|SIGNATURE/.test(code))
      return new PostgresTlsError(location, reason, { cause: err });
  }
  // node-postgres reports a dropped or timed-out connection without a code.
  if (/server does not support SSL/i.test(reason))
    return new PostgresTlsError(location, reason, { cause: err });
  if (/^Connection terminated|^timeout expired|connection timeout/i.test(reason)) {
    return new PostgresUnreachableError(location, reason, { cause: err });
  }
  if (/SASL|password must be a string/i.test(reason)) {
    return new PostgresAuthError(location, `${reason}: no password was given`, { cause: err });
  }
  return err;
}
