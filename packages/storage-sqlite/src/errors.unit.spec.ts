import { StoreError } from '@archlab/core';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { translateSqliteError } from './errors.js';

describe('translateSqliteError', () => {
  // What opening an existing database on a full disk gives: its '-shm' file cannot be made.
  it.each(['SQLITE_IOERR', 'SQLITE_IOERR_SHMOPEN', 'SQLITE_IOERR_SHMSIZE', 'SQLITE_IOERR_FSYNC'])(
    '%s is a one-line store error naming the file and what to check',
    (code) => {
      const err = translateSqliteError(new Database.SqliteError('disk I/O error', code), 'runs.db', 5000);
      expect(err).toBeInstanceOf(StoreError);
      expect((err as Error).message).toMatch(/^cannot use 'runs\.db': disk I\/O error .*disk is not full/);
      expect((err as Error).message).not.toMatch(/\n/);
    },
  );

  it('leaves errors that are not SQLite errors as they are', () => {
    const err = new Error('x');
    expect(translateSqliteError(err, 'runs.db', 5000)).toBe(err);
  });
});
