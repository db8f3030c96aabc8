import { ConcurrencyConflictError, DamagedLogError, InvalidOptionError, StoreError } from '@archlab/core';
import { describeWith, eventStoreContract, fakeEvents, readAll } from '@archlab/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  PostgresAuthError,
  PostgresForeignSchemaError,
  PostgresLocationError,
  PostgresNoLogError,
  PostgresSchemaTooNewError,
  PostgresTlsError,
  PostgresUnreachableError,
} from './errors.js';
import { PostgresEventStore } from './postgres-event-store.js';
import { postgresEventStoreFactory } from './storage-postgres-module.js';
import {
  type PrivatePostgres,
  postgresRequirement,
  postgresTlsRequirement,
  startPrivatePostgres,
} from './testing/index.js';

describeWith(postgresRequirement(), 'PostgresEventStore on a private server', () => {
  let server: PrivatePostgres;
  beforeAll(async () => {
    server = await startPrivatePostgres();
  }, 60_000);
  afterAll(() => server?.stop());

  // Each store gets a schema of its own in one database: as empty as a new database, and cheaper.
  let schemas = 0;
  const fresh = () => PostgresEventStore.open(server.url(), { schema: `t${schemas++}` });

  // A second handle has its own connection pool, as another machine would.
  const again = (store: EventStore) =>
    PostgresEventStore.open(server.url(), { schema: (store as PostgresEventStore).schema });
  eventStoreContract(
    'postgres',
    fresh,
    async (old) => {
      await old.close();
      return again(old);
    },
    again,
  );

  it('keeps the runs projection in step with the log, listing runs by first timestamp then id', async () => {
    const store = await fresh();
    await store.append('b', -1, fakeEvents('b', 0, 2));
    await store.append('b', 1, fakeEvents('b', 2, 1));
    await store.append('b', 2, []);
    await store.append('B', -1, fakeEvents('B', 0, 1));
    // Same first timestamp: byte order puts 'B' before 'b'.
    expect(await store.listRuns()).toEqual([
      { runId: 'B', createdAt: 1_700_000_000_000, lastTs: 1_700_000_000_000, lastSeq: 0 },
      { runId: 'b', createdAt: 1_700_000_000_000, lastTs: 1_700_000_000_002, lastSeq: 2 },
    ]);
    await store.close();
  });

  it('reports a row written behind the projection as a conflict, writing nothing', async () => {
    const store = await fresh();
    await store.append('r', -1, fakeEvents('r', 0, 1));
    await server.sql(
      'archlab',
      `INSERT INTO ${store.schema}.events (run_id, seq, type, v, ts, data, hash) VALUES ('r', 1, 'TrialProgressed', 1, 0, '{}', 'h')`,
    );
    const append = store.append('r', 0, fakeEvents('r', 1, 2));
    await expect(append).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await expect(append).rejects.toMatchObject({ actualSeq: 1 });
    expect(await store.lastSeq('r')).toBe(0);
    await store.close();
  });

  it('reads a row whose data is not JSON as the DamagedLogError sqlite gives', async () => {
    const store = await fresh();
    await store.append('r', -1, fakeEvents('r', 0, 3));
    await server.sql('archlab', `UPDATE ${store.schema}.events SET data = '{"trialId": 1,' WHERE seq = 1`);
    const read = readAll(store, 'r');
    await expect(read).rejects.toBeInstanceOf(DamagedLogError);
    await expect(read).rejects.toMatchObject({ code: 'DAMAGED_LOG', seq: 1 });
    await store.close();
  });

  it('lets a reader read while a writer holds the run locked mid-append', async () => {
    const store = await fresh();
    await store.append('r', -1, fakeEvents('r', 0, 2));
    // Another session takes the writer's row lock and keeps its transaction open.
    const { default: pg } = await import('pg');
    const holder = new pg.Client({ connectionString: server.url() });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT * FROM ${store.schema}.runs WHERE run_id = 'r' FOR UPDATE`);
    const reader = await PostgresEventStore.open(server.url(), { schema: store.schema });
    expect((await readAll(reader, 'r')).length).toBe(2);
    expect(await reader.listRuns()).toHaveLength(1);
    const append = store.append('r', 1, fakeEvents('r', 2, 1));
    await holder.query('COMMIT');
    await holder.end();
    await append;
    expect(await reader.lastSeq('r')).toBe(2);
    await reader.close();
    await store.close();
  });

  it('refuses another program’s schema and a newer archlab’s, writing nothing', async () => {
    await server.sql('archlab', 'CREATE SCHEMA theirs; CREATE TABLE theirs.orders (id int)');
    await expect(PostgresEventStore.open(server.url(), { schema: 'theirs' })).rejects.toBeInstanceOf(
      PostgresForeignSchemaError,
    );
    expect(
      await server.sql(
        'archlab',
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'theirs'",
      ),
    ).toEqual([{ table_name: 'orders' }]);
    const store = await fresh();
    await server.sql('archlab', `INSERT INTO ${store.schema}.schema_migrations VALUES (99, 0)`);
    await store.close();
    await expect(PostgresEventStore.open(server.url(), { schema: store.schema })).rejects.toBeInstanceOf(
      PostgresSchemaTooNewError,
    );
  });

  it('migrates a new schema once when several processes open it at the same time', async () => {
    const schema = `t${schemas++}`;
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => PostgresEventStore.open(server.url(), { schema })),
    );
    expect(await server.sql('archlab', `SELECT version FROM ${schema}.schema_migrations`)).toEqual([
      { version: 1 },
    ]);
    await Promise.all(stores.map((s) => s.close()));
  });

  it('read-only: sees what a writer appends while open, never blocks it, and writes nothing', async () => {
    const writer = await fresh();
    await writer.append('r', -1, fakeEvents('r', 0, 2));
    const reader = await postgresEventStoreFactory.create(server.url(), {
      schema: writer.schema,
      mode: 'read-only',
    });
    // A read left open (a generator paused mid-page) does not stop the writer.
    const paused = reader.read('r')[Symbol.asyncIterator]();
    expect((await paused.next()).value).toMatchObject({ seq: 0 });
    await writer.append('r', 1, fakeEvents('r', 2, 3));
    expect(await reader.lastSeq('r')).toBe(4);
    expect(await readAll(reader, 'r')).toEqual(await readAll(writer, 'r'));
    await expect(reader.append('r', 4, fakeEvents('r', 5, 1))).rejects.toThrow(/opened read-only/);
    await expect(reader.putBlob(new Uint8Array([1]))).rejects.toBeInstanceOf(StoreError);
    expect(await writer.lastSeq('r')).toBe(4);
    await paused.return?.(undefined);
    await reader.close();
    await writer.close();
  });

  it.each([
    { opening: 'read-only', options: { readOnly: true } },
    { opening: 'must exist', options: { mustExist: true } },
  ])(
    '$opening: refuses a schema without archlab’s tables, naming it, creating nothing',
    async ({ options }) => {
      const schema = `t${schemas++}`;
      const opened = PostgresEventStore.open(server.url(), { schema, ...options });
      await expect(opened).rejects.toBeInstanceOf(PostgresNoLogError);
      await expect(opened).rejects.toThrow(`holds no archlab log in schema '${schema}'`);
      expect(
        await server.sql('archlab', 'SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [
          schema,
        ]),
      ).toEqual([]);
    },
  );

  it('throws a StoreError after close, and closes twice without complaint', async () => {
    const store = await fresh();
    await store.close();
    await store.close();
    await expect(store.append('r', -1, fakeEvents('r', 0, 1))).rejects.toBeInstanceOf(StoreError);
    await expect(readAll(store, 'r')).rejects.toBeInstanceOf(StoreError);
  });

  it('says in one line, without the password, what is wrong with a login or a database', async () => {
    const wrong = PostgresEventStore.open(server.url('archlab', 'not-the-password'));
    await expect(wrong).rejects.toBeInstanceOf(PostgresAuthError);
    const missing = PostgresEventStore.open(server.url('no_such_db'));
    await expect(missing).rejects.toBeInstanceOf(PostgresLocationError);
    await expect(missing).rejects.toThrow(/database "no_such_db" does not exist; create it first/);
    for (const p of [wrong, missing]) {
      const message = await p.catch((e: Error) => e.message);
      expect(message).not.toContain(server.password);
      expect(message).not.toContain('not-the-password');
      expect(message).toContain(`postgres://archlab:***@127.0.0.1:${server.port}/`);
      expect(message).not.toMatch(/\n/);
    }
  });

  it('opens through the registered factory, with options validated', async () => {
    const store = await postgresEventStoreFactory.create(server.url(), {
      schema: `t${schemas++}`,
      pool: '2',
    });
    await store.append('r', -1, fakeEvents('r', 0, 1));
    expect(await store.lastSeq('r')).toBe(0);
    await store.close();
    expect(() => postgresEventStoreFactory.create(server.url(), { pool: '0' })).toThrow(InvalidOptionError);
    await expect(
      postgresEventStoreFactory.create(server.url(), { schema: 'Robert"; DROP' }),
    ).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(postgresEventStoreFactory.create('/tmp/runs.db')).rejects.toBeInstanceOf(
      PostgresLocationError,
    );
  });

  // Last: it stops the server.
  it('reports a server that went away as unreachable, in one line without the password', async () => {
    const store = await fresh();
    await store.append('r', -1, fakeEvents('r', 0, 2));
    await server.stop();
    const append = store.append('r', 1, fakeEvents('r', 2, 1));
    await expect(append).rejects.toBeInstanceOf(PostgresUnreachableError);
    await expect(append).rejects.toThrow(
      /^cannot reach the PostgreSQL server at postgres:\/\/archlab:\*\*\*@/,
    );
    await expect(PostgresEventStore.open(server.url(), { connectTimeoutMs: 2_000 })).rejects.toBeInstanceOf(
      PostgresUnreachableError,
    );
    await store.close();
  });
});

describeWith(
  postgresTlsRequirement(),
  'PostgresEventStore over TLS, on a private server with its own CA',
  () => {
    let server: PrivatePostgres;
    beforeAll(async () => {
      server = await startPrivatePostgres({ tls: true });
    }, 60_000);
    afterAll(() => server?.stop());

    const roundTrip = async (url: string, options: Record<string, unknown>) => {
      const store = await postgresEventStoreFactory.create(url, options);
      await store.append('r', -1, fakeEvents('r', 0, 1));
      const seen = await readAll(store, 'r');
      await store.close();
      return seen.length;
    };

    it('verifies the server against the given CA (tls=verify-full tls-ca=FILE), and encrypts with sslmode=require', async () => {
      expect(
        await roundTrip(server.url(), { schema: 'verified', tls: 'verify-full', 'tls-ca': server.caFile! }),
      ).toBe(1);
      expect(await roundTrip(`${server.url()}?sslmode=require`, { schema: 'required' })).toBe(1);
      // The server saw TLS connections: pg_stat_ssl lists ours while it is open.
      const store = await PostgresEventStore.open(server.url(), { schema: 'verified', tls: 'require' });
      const ssl = await server.sql('archlab', 'SELECT count(*)::int AS n FROM pg_stat_ssl WHERE ssl');
      expect((ssl[0] as { n: number }).n).toBeGreaterThan(0);
      await store.close();
    });

    it('refuses a server whose certificate no trusted CA signed, in one line', async () => {
      const open = PostgresEventStore.open(server.url(), { schema: 'untrusted', tls: 'verify-full' });
      await expect(open).rejects.toBeInstanceOf(PostgresTlsError);
      await expect(open).rejects.toThrow(
        /^cannot open a TLS connection to postgres:\/\/archlab:\*\*\*@127\.0\.0\.1:\d+\/archlab \(.*certificate.*\); check the URL's sslmode/,
      );
      await expect(
        postgresEventStoreFactory.create(server.url(), {
          tls: 'verify-full',
          'tls-ca': '/nonexistent/ca.pem',
        }),
      ).rejects.toThrow(/cannot read the tls-ca file '\/nonexistent\/ca\.pem' \(ENOENT\)/);
    });
  },
);
