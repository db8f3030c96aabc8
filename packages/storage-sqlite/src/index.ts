export {
  CorruptDatabaseError,
  DatabaseBusyError,
  DatabaseLocationError,
  ForeignDatabaseError,
  NotADatabaseError,
  ReadOnlyUpgradeError,
  SchemaTooNewError,
} from './errors.js';
export { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrate.js';
export {
  type Durability,
  READ_PAGE_SIZE,
  SqliteEventStore,
  type SqliteEventStoreOptions,
} from './sqlite-event-store.js';
export { sqliteEventStoreFactory, sqliteStorageModule } from './storage-sqlite-module.js';
