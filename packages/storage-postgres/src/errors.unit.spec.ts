import { ConcurrencyConflictError } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import { PostgresAuthError, PostgresTlsError, PostgresUnreachableError, translatePgError } from './errors.js';

const at = 'postgres://ann:***@db.lan:5432/nas';
const pgError = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('translatePgError', () => {
  it.each([
    ['connect ECONNREFUSED 10.0.0.1:5432', 'ECONNREFUSED'],
    ['getaddrinfo ENOTFOUND db.lan', 'ENOTFOUND'],
    ['terminating connection due to administrator command', '57P01'],
    ['the database system is starting up', '57P03'],
    ['Connection terminated unexpectedly', undefined],
    ['Connection terminated due to connection timeout', undefined],
  ])('%s is PostgresUnreachableError, one line, naming the redacted URL', (message, code) => {
    const err = translatePgError(pgError(`${message}\nat somewhere`, code), at);
    expect(err).toBeInstanceOf(PostgresUnreachableError);
    expect((err as Error).message).toBe(
      `cannot reach the PostgreSQL server at ${at} (${message}); check that it is running and its host and port, then try again (an interrupted run continues with 'archlab resume')`,
    );
  });

  it('a refused login or a missing password is PostgresAuthError', () => {
    expect(
      translatePgError(pgError('password authentication failed for user "ann"', '28P01'), at),
    ).toBeInstanceOf(PostgresAuthError);
    expect(
      translatePgError(pgError('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'), at),
    ).toBeInstanceOf(PostgresAuthError);
  });

  it('a failed TLS handshake is PostgresTlsError, pointing at sslmode and tls-ca', () => {
    for (const err of [
      pgError('The server does not support SSL connections'),
      pgError('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      pgError('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
    ]) {
      const out = translatePgError(err, at);
      expect(out).toBeInstanceOf(PostgresTlsError);
      expect((out as Error).message).toMatch(/sslmode or --store-option tls=.*tls-ca=FILE/);
    }
  });

  it('leaves archlab’s own errors and unknown ones as they are', () => {
    const conflict = new ConcurrencyConflictError('r', 1, 2);
    expect(translatePgError(conflict, at)).toBe(conflict);
    const other = pgError('syntax error at or near "x"', '42601');
    expect(translatePgError(other, at)).toBe(other);
  });
});
