import {
  ContainerModule,
  EventStoreFactory,
  type OptionsSpec,
  parseOptions,
  STORE_MODE_OPTION,
} from '@archlab/core';
import { SqliteEventStore } from './sqlite-event-store.js';

const SQLITE_STORE_OPTIONS = {
  durability: {
    type: 'enum',
    default: 'normal',
    values: ['normal', 'full'],
    description:
      "'normal': appends survive a crash or kill of the process; 'full': they also survive power loss (one fsync per append)",
  },
  mode: STORE_MODE_OPTION,
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
