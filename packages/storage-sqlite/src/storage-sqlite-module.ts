import { ContainerModule, EventStoreFactory, type OptionsSpec, parseOptions } from '@archlab/core';
import { SqliteEventStore } from './sqlite-event-store.js';

const SQLITE_STORE_OPTIONS = {
  durability: {
    type: 'enum',
    default: 'normal',
    values: ['normal', 'full'],
    description:
      "'normal': appends survive a crash or kill of the process; 'full': they also survive power loss (one fsync per append)",
  },
  mode: {
    type: 'enum',
    default: 'read-write',
    values: ['read-write', 'read-only'],
    description:
      "'read-only': open an existing database without ever writing to it (no migration; appends fail), as 'archlab serve' does",
  },
} as const satisfies OptionsSpec;

/** The `sqlite` store: `location` is the database file, created if missing. */
export const sqliteEventStoreFactory: EventStoreFactory = {
  name: 'sqlite',
  description: 'keeps the log in an SQLite file (WAL); survives crashes, shareable between processes',
  options: SQLITE_STORE_OPTIONS,
  create: (location, options) => {
    const { durability, mode } = parseOptions('store sqlite', SQLITE_STORE_OPTIONS, options);
    return SqliteEventStore.open(location, {
      durability: durability === 'full' ? 'full' : 'normal',
      readOnly: mode === 'read-only',
    });
  },
};

export const sqliteStorageModule = new ContainerModule((bind) => {
  bind(EventStoreFactory).toConstantValue(sqliteEventStoreFactory);
});
