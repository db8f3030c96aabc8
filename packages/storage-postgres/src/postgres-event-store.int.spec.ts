import {
  ConcurrencyConflictError,
  DamagedLogError,
  InvalidOptionError,
  PluginRegistry,
  randomStrategyFactory,
  replayRun,
  StoreError,
} from '@archlab/core';
import {
  describeWith,
  digitsSpaceFactory,
  eventStoreContract,
  fakeEvents,
  readAll,
  runSearch,
  syntheticEstimatorFactory,
  trialsOf,
} from '@archlab/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  PostgresAuthError,
  PostgresForeignSchemaError,
  PostgresLocationError,
  PostgresSchemaTooNewError,
  PostgresUnreachableError,
} from './errors.js';
import { PostgresEventStore, READ_PAGE_SIZE } from './postgres-event-store.js';
import { postgresEventStoreFactory } from './storage-postgres-module.js';
import { type PrivatePostgres, postgresRequirement, startPrivatePostgres } from './testing/index.js';

describeWith(postgresRequirement(), 'PostgresEventStore on a private server', () => {
  let server: PrivatePostgres;
  beforeAll(async () => {
    server = await startPrivatePostgres();
  }, 60_000);
  afterAll(() => server?.stop());

  // Each store gets a schema of its own in one database: as empty as a new database, and cheaper.
  let schemas = 0;
  const fresh = () => PostgresEventStore.open(server.url(), { schema: `t${schemas++}` });

  eventStoreContract('postgres', fresh, async (old) => {
    const { schema } = old as PostgresEventStore;
    await old.close();
    return PostgresEventStore.open(server.url(), { schema });
  });

  it('reads a run longer than one page from any position, in order', async () => {
    const store = await fresh();
    const total = 2 * READ_PAGE_SIZE + 500;
    const all = fakeEvents('long', 0, total);
    for (let i = 0; i < total; i += 500) await store.append('long', i - 1, all.slice(i, i + 500));
    expect(await readAll(store, 'long')).toEqual(all);
    for (const from of [READ_PAGE_SIZE - 1, READ_PAGE_SIZE, total - 1, total]) {
      expect((await readAll(store, 'long', from)).map((e) => e.seq)).toEqual(
        all.slice(from).map((e) => e.seq),
      );
    }
    await store.close();
  });

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

  it('stores large blobs and returns copies of exactly the bytes given', async () => {
    const store = await fresh();
    const big = new Uint8Array(5_000_000).map((_, i) => i % 251);
    const back = (await store.getBlob(await store.putBlob(big)))!;
    expect(Buffer.from(back).equals(Buffer.from(big))).toBe(true);
    const view = new Uint8Array([9, 9, 1, 2, 3, 9]).subarray(2, 5);
    expect([...((await store.getBlob(await store.putBlob(view))) ?? [])]).toEqual([1, 2, 3]);
    await store.close();
  });

  it('gives a second writer (another connection pool, as another machine) the conflict, keeping every event', async () => {
    const a = await fresh();
    const b = await PostgresEventStore.open(server.url(), { schema: a.schema });
    const first = fakeEvents('r', 0, 2, 'a');
    const fromB = fakeEvents('r', 2, 1, 'b');
    await a.append('r', -1, first);
    expect(await b.lastSeq('r')).toBe(1);
    await b.append('r', 1, fromB);
    const stale = a.append('r', 1, fakeEvents('r', 2, 2, 'a'));
    await expect(stale).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await expect(stale).rejects.toMatchObject({ expectedSeq: 1, actualSeq: 2 });
    // Two handles creating the same run at once: one wins, the other gets the conflict.
    const racing = await Promise.allSettled([
      a.append('new', -1, fakeEvents('new', 0, 2, 'a')),
      b.append('new', -1, fakeEvents('new', 0, 3, 'b')),
    ]);
    expect(racing.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((racing.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      ConcurrencyConflictError,
    );
    expect(await readAll(b, 'r')).toEqual([...first, ...fromB]);
    await a.close();
    await b.close();
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

  it('holds a real search, which replays from the server after reopening', async () => {
    const registry = new PluginRegistry();
    registry.register('space', digitsSpaceFactory);
    registry.register('estimator', syntheticEstimatorFactory);
    registry.register('strategy', randomStrategyFactory);
    const config = {
      space: digitsSpaceFactory.name,
      estimator: syntheticEstimatorFactory.name,
      strategy: randomStrategyFactory.name,
      strategyOptions: {},
      seed: 5,
      concurrency: 1,
      budget: { trials: 30 },
      checkpointEvery: 7,
    };
    const store = await fresh();
    const onServer = await runSearch(registry, config, store);
    const inMemory = await runSearch(registry, config);
    expect(trialsOf(onServer.state)).toEqual(trialsOf(inMemory.state));
    await store.close();
    const reopened = await PostgresEventStore.open(server.url(), { schema: store.schema });
    const replayed = await replayRun(reopened, registry, onServer.runId, { mode: 'verify' });
    expect(trialsOf(replayed.state)).toEqual(trialsOf(onServer.state));
    await reopened.close();
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
