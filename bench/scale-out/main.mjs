#!/usr/bin/env node
// Scale-out through BullMQ on a private Redis (127.0.0.1, random port, temp folder):
//   queue_trials_per_s   trials/s of a table estimator (nb201:cifar10) on 2 `archlab worker`s:
//                        the queue's dispatch overhead (inprocess_trials_per_s: the same in process)
//   speedup_2w           a CPU-bound estimator (the test plugin `sleepy`, busy=true): the time of
//                        `trials` trials on 1 worker over that on 2 (coordinator concurrency 2)
//   pg_trials_per_s, sqlite_trials_per_s   durable trials/s of the stores (./stores.mjs, the
//                        storage-postgres bench), when this tree has it
// Rates are timed from the log (first TrialStarted to last TrialCompleted), not process start-up.
// `--trials=N` (table, default 300), `--cpu-trials=N` (default 12), `--cpu-ms=MS` (default 400).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const trials = Number(args.trials ?? 300);
const cpuTrials = Number(args['cpu-trials'] ?? 12);
const cpuMs = Number(args['cpu-ms'] ?? 400);
const BIN = join(root, 'packages/cli/dist/bin.js');
const { startRedisServer } = await import(
  pathToFileURL(join(root, 'packages/runner-bullmq/dist/testing/index.js')).href
);

const dir = mkdtempSync(join(tmpdir(), 'archlab-bench-scale-'));
mkdirSync(join(dir, 'node_modules'));
symlinkSync(
  join(root, 'packages/runner-bullmq/test/fixtures/archlab-plugin-sleepy'),
  join(dir, 'node_modules/archlab-plugin-sleepy'),
  'dir',
);
const log = (m) => process.stderr.write(`scale-out: ${m}\n`);

function archlab(...a) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...a], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`archlab ${a[0]}: ${err}`))));
  });
}

async function workers(url, queue, n) {
  const list = [];
  for (let i = 0; i < n; i++) {
    const child = spawn(process.execPath, [BIN, 'worker', '--redis', url, '--queue', queue], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise((resolve, reject) => {
      let err = '';
      child.stderr.on('data', (d) => {
        err += d;
        if (err.includes('serving queue')) resolve();
      });
      child.on('exit', () => reject(new Error(`worker exited: ${err}`)));
    });
    list.push(child);
  }
  return list;
}

/** Trials per second of a run, from its log: first TrialStarted to last TrialCompleted. */
async function rate(db, runId) {
  const events = JSON.parse(await archlab('events', runId, '--db', db, '--json'));
  const started = events.filter((e) => e.type === 'TrialStarted').map((e) => e.ts);
  const done = events.filter((e) => e.type === 'TrialCompleted').map((e) => e.ts);
  return { n: done.length, seconds: (Math.max(...done) - Math.min(...started)) / 1000 };
}

async function search(db, runId, extra) {
  await archlab('search', '--run-id', runId, '--db', db, '--seed', '1', '--quiet', ...extra);
  return rate(db, runId);
}

const redis = await startRedisServer();
const running = [];
try {
  const table = ['--space', 'nb201', '--estimator', 'nb201:cifar10', '--trials', String(trials)];
  log(`${trials} table trials in process, then through Redis on 2 workers...`);
  const local = await search('t.db', 'local', [...table, '--concurrency', '4']);
  running.push(...(await workers(redis.url, 'table', 2)));
  const queued = await search('t.db', 'queued', [
    ...table,
    '--concurrency',
    '4',
    '--redis',
    redis.url,
    '--runner-option',
    'queue=table',
  ]);
  for (const w of running.splice(0)) w.kill('SIGTERM');

  const cpu = [
    ...['--plugin', 'archlab-plugin-sleepy', '--space', 'nb201', '--estimator', 'sleepy'],
    ...['--estimator-option', 'busy=true', '--estimator-option', `ms=${cpuMs}`],
    ...['--trials', String(cpuTrials), '--concurrency', '2', '--redis', redis.url],
  ];
  log(`${cpuTrials} CPU-bound trials of ${cpuMs} ms on 1 worker, then on 2...`);
  running.push(...(await workers(redis.url, 'cpu1', 1)));
  const one = await search('c.db', 'one', [...cpu, '--runner-option', 'queue=cpu1']);
  for (const w of running.splice(0)) w.kill('SIGTERM');
  running.push(...(await workers(redis.url, 'cpu2', 2)));
  const two = await search('c.db', 'two', [...cpu, '--runner-option', 'queue=cpu2']);
  for (const w of running.splice(0)) w.kill('SIGTERM');

  const fields = [
    `queue_trials_per_s=${(queued.n / queued.seconds).toFixed(1)}`,
    `speedup_2w=${(one.seconds / two.seconds).toFixed(2)}`,
  ];
  const stores = join(here, 'stores.mjs');
  if (existsSync(stores)) {
    log('the stores (./stores.mjs)...');
    const { storeThroughput } = await import(pathToFileURL(stores).href);
    const s = await storeThroughput();
    fields.push(
      `pg_trials_per_s=${s.pg_trials_per_s.toFixed(1)}`,
      `sqlite_trials_per_s=${s.sqlite_trials_per_s.toFixed(1)}`,
    );
  } else {
    fields.push('pg_trials_per_s=n/a');
  }
  fields.push(
    `inprocess_trials_per_s=${(local.n / local.seconds).toFixed(1)}`,
    `cpu_1w_s=${one.seconds.toFixed(2)}`,
    `cpu_2w_s=${two.seconds.toFixed(2)}`,
    `trials=${trials}`,
    `cpu_trials=${cpuTrials}`,
  );
  process.stdout.write(`bench scale-out ${fields.join(' ')}\n`);
} finally {
  for (const w of running) w.kill('SIGKILL');
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
