#!/usr/bin/env node
// The store half of scale-out: durable trials/s of the same search written through the
// PostgreSQL store (a private server on 127.0.0.1, `synchronous_commit = on`) and through the
// SQLite store at `durability=full` (an fsync per commit: the same promise, an append survives
// power loss), in the same run. scale-out's main.mjs prints it on its line; alone,
// `node bench/scale-out/stores.mjs [--trials=N]` prints `bench scale-out-stores …`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PostgresEventStore } from '../../packages/storage-postgres/dist/index.js';
import {
  postgresRequirement,
  startPrivatePostgres,
} from '../../packages/storage-postgres/dist/testing/index.js';
import { SqliteEventStore } from '../../packages/storage-sqlite/dist/index.js';
import { nb201Plugins, timedSearch } from '../store-throughput/timed-search.mjs';

/**
 * `{ pg_trials_per_s, sqlite_trials_per_s }` for `trials` random NB201 trials through each store.
 * Without PostgreSQL (see its requirement) the pg figure is NaN, said on stderr.
 */
export async function storeThroughput({ trials = 2_000 } = {}) {
  const plugins = await nb201Plugins();
  const dir = mkdtempSync(join(tmpdir(), 'archlab-bench-stores-'));
  try {
    const sqlite = SqliteEventStore.open(join(dir, 'bench.db'), { durability: 'full' });
    process.stderr.write(`scale-out: ${trials} trials into SQLite (durability=full)...\n`);
    const onSqlite = await timedSearch(sqlite, plugins, trials).finally(() => sqlite.close());

    let pgTrialsPerS = Number.NaN;
    const req = postgresRequirement();
    if (!req.present) {
      process.stderr.write(`scale-out: PostgreSQL figure skipped: ${req.what} is missing; ${req.howTo}\n`);
    } else {
      const server = await startPrivatePostgres();
      try {
        const pg = await PostgresEventStore.open(server.url());
        process.stderr.write(`scale-out: ${trials} trials into PostgreSQL (synchronous_commit=on)...\n`);
        pgTrialsPerS = (await timedSearch(pg, plugins, trials).finally(() => pg.close())).trials_per_s;
      } finally {
        await server.stop();
      }
    }
    return { pg_trials_per_s: pgTrialsPerS, sqlite_trials_per_s: onSqlite.trials_per_s };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
  const r = await storeThroughput({ trials: Number(args.trials ?? 2_000) });
  const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'nan');
  process.stdout.write(
    `bench scale-out-stores pg_trials_per_s=${fmt(r.pg_trials_per_s)} sqlite_trials_per_s=${fmt(r.sqlite_trials_per_s)}\n`,
  );
}
