import { Container, EventStoreFactory, InvalidOptionError } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import { sqliteEventStoreFactory, sqliteStorageModule } from './storage-sqlite-module.js';

describe('sqliteStorageModule', () => {
  it('registers the sqlite store factory', () => {
    const container = new Container();
    container.load(sqliteStorageModule);
    expect(container.getAll<EventStoreFactory>(EventStoreFactory).map((f) => f.name)).toEqual(['sqlite']);
  });

  it('rejects unknown options and durabilities before touching the file system', () => {
    expect(() => sqliteEventStoreFactory.create('/nonexistent/x.db', { durability: 'fast' })).toThrow(
      InvalidOptionError,
    );
    expect(() => sqliteEventStoreFactory.create('/nonexistent/x.db', { journal: 'delete' })).toThrow(
      InvalidOptionError,
    );
  });
});
