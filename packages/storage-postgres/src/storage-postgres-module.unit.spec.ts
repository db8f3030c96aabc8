import { Container, EventStoreFactory, InvalidOptionError } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import { postgresEventStoreFactory, postgresStorageModule } from './storage-postgres-module.js';

describe('postgresStorageModule', () => {
  it('registers the postgres store factory for postgres:// and postgresql:// URLs', () => {
    const container = new Container();
    container.load(postgresStorageModule);
    const [factory] = container.getAll<EventStoreFactory>(EventStoreFactory);
    expect(factory?.name).toBe('postgres');
    expect(factory?.urlSchemes).toEqual(['postgres', 'postgresql']);
  });

  it('rejects unknown options and bad values before connecting', () => {
    for (const bad of [
      { tls: 'maybe' },
      { pool: '0' },
      { 'connect-timeout': 'soon' },
      { sslmode: 'require' },
    ]) {
      expect(() => postgresEventStoreFactory.create('postgres://nobody@127.0.0.1:1/none', bad)).toThrow(
        InvalidOptionError,
      );
    }
  });
});
