export {
  PostgresAuthError,
  PostgresForeignSchemaError,
  PostgresLocationError,
  PostgresNoLogError,
  PostgresReadOnlyUpgradeError,
  PostgresSchemaTooNewError,
  PostgresTlsError,
  PostgresUnreachableError,
  translatePgError,
} from './errors.js';
export { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrate.js';
export {
  POSTGRES_URL_SCHEMES,
  PostgresEventStore,
  type PostgresEventStoreOptions,
  type PostgresTls,
  READ_PAGE_SIZE,
} from './postgres-event-store.js';
export { postgresEventStoreFactory, postgresStorageModule } from './storage-postgres-module.js';
