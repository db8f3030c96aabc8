import {
  ContainerModule,
  EventStoreFactory,
  type OptionsSpec,
  parseOptions,
  STORE_MODE_OPTION,
} from '@archlab/core';
import { POSTGRES_URL_SCHEMES, PostgresEventStore, type PostgresTls } from './postgres-event-store.js';

const POSTGRES_STORE_OPTIONS = {
  schema: {
    type: 'string',
    default: 'archlab',
    description: 'the schema holding archlab’s tables (created if missing); one database can hold several',
  },
  tls: {
    type: 'enum',
    default: 'url',
    values: ['url', 'disable', 'require', 'verify-full'],
    description:
      "'url': as the URL's sslmode says; 'require': encrypted; 'verify-full': encrypted to a server whose certificate is checked",
  },
  'tls-ca': {
    type: 'string',
    default: '',
    description: 'a PEM file of the certificate authorities tls=verify-full trusts (default: the system’s)',
  },
  'connect-timeout': {
    type: 'number',
    default: 10,
    min: 0.1,
    description: 'seconds connecting may take before the server counts as unreachable',
  },
  pool: { type: 'int', default: 4, min: 1, max: 100, description: 'connections kept open to the server' },
  mode: STORE_MODE_OPTION,
} as const satisfies OptionsSpec;

/** The `postgres` store: `location` is a URL, `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`. */
export const postgresEventStoreFactory: EventStoreFactory = {
  name: 'postgres',
  description: 'keeps the log on a PostgreSQL server; many machines read it while one run writes',
  options: POSTGRES_STORE_OPTIONS,
  urlSchemes: POSTGRES_URL_SCHEMES,
  create: (location, options, opening) => {
    const o = parseOptions('store postgres', POSTGRES_STORE_OPTIONS, options);
    return PostgresEventStore.open(location, {
      schema: o.schema,
      tls: o.tls as PostgresTls,
      ...(o['tls-ca'] !== '' && { tlsCa: o['tls-ca'] }),
      connectTimeoutMs: o['connect-timeout'] * 1000,
      poolSize: o.pool,
      readOnly: o.mode === 'read-only',
      mustExist: opening?.mustExist ?? false,
    });
  },
};

export const postgresStorageModule = new ContainerModule((bind) => {
  bind(EventStoreFactory).toConstantValue(postgresEventStoreFactory);
});
