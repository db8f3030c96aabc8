import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeWith } from '@archlab/core/testing';
import { type PrivateRedis, redisServerRequirement, startRedisServer } from '@archlab/runner-bullmq/testing';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { archlab, archlabAsync, archlabJson, exited, tempDir, trialsCsv } from './cli-harness.js';

// The "Must show" for scale-out: the same seeded search in process and through Redis
// with several `archlab worker` processes; a worker SIGKILLed mid-trial; the coordinator
// SIGKILLed and resumed; Redis killed mid-run; versions that differ; `replay --verify` on each.
// Every server is private: redis-server on a random 127.0.0.1 port in a temp folder.

const SLEEPY = fileURLToPath(
  new URL('../../runner-bullmq/test/fixtures/archlab-plugin-sleepy', import.meta.url),
);
const PASSWORD = 'pw-never-printed-7f3a';
/** Short locks: a dead worker's trial is taken over within about a second. */
const LOCK = ['--lock-ms', '500'];

interface Proc {
  readonly child: ChildProcess;
  readonly done: ReturnType<typeof exited>;
  /** Everything it wrote on stderr so far. */
  stderr(): string;
}

const procs: Proc[] = [];

function start(cwd: string, ...args: string[]): Proc {
  const child = archlabAsync(cwd, ...args);
  let err = '';
  child.stderr?.on('data', (d) => {
    err += d;
  });
  const p = { child, done: exited(child), stderr: () => err };
  procs.push(p);
  return p;
}

async function until(p: Proc, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!pattern.test(p.stderr())) {
    if (p.child.exitCode !== null) throw new Error(`exited before ${pattern}: ${p.stderr()}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`no ${pattern} within ${timeoutMs} ms: ${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `n` workers on `queue`, each taking `concurrency` trials at once, ready to work. */
async function workers(cwd: string, url: string, queue: string, n: number, concurrency = 1): Promise<Proc[]> {
  const list = Array.from({ length: n }, () =>
    start(cwd, 'worker', '--redis', url, '--queue', queue, '--concurrency', String(concurrency), ...LOCK),
  );
  for (const w of list) await until(w, /serving queue/);
  return list;
}

function kill(list: Proc[]): void {
  for (const p of list) if (p.child.exitCode === null) p.child.kill('SIGKILL');
}

/** Lines the workers wrote for `runId`'s trials: `trial N of run R done`, by trial. */
function evaluations(list: Proc[], runId: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const w of list) {
    for (const m of w.stderr().matchAll(/trial (\d+) of run (\S+) done/g)) {
      if (m[2] === runId) counts.set(Number(m[1]), (counts.get(Number(m[1])) ?? 0) + 1);
    }
  }
  return counts;
}

function verify(cwd: string, db: string, runId: string): void {
  const r = archlab(cwd, 'replay', runId, '--db', db, '--verify');
  expect(r.stderr).not.toMatch(/warning|error/);
  expect(r.code).toBe(0);
}

function eventTypes(cwd: string, db: string, runId: string): string[] {
  const r = archlab(cwd, 'events', runId, '--db', db, '--json');
  return (JSON.parse(r.stdout) as { type: string }[]).map((e) => e.type);
}

describeWith(redisServerRequirement(), 'trials on archlab workers through BullMQ on Redis', () => {
  let redis: PrivateRedis;
  let dir: string;
  let url: string;
  const sleepy = (ms: number, trials: number, seed: number) => [
    '--plugin',
    'archlab-plugin-sleepy',
    '--space',
    'nb201',
    '--estimator',
    'sleepy',
    '--estimator-option',
    `ms=${ms}`,
    '--trials',
    String(trials),
    '--seed',
    String(seed),
  ];

  /** `archlab search ARGS --db RUN.db --run-id RUN` on the workers of `queue` (started, not awaited). */
  const searchOn = (redisUrl: string, queue: string, runId: string, args: string[]) =>
    start(
      dir,
      'search',
      ...args,
      '--db',
      `${runId}.db`,
      '--run-id',
      runId,
      '--redis',
      redisUrl,
      '--runner-option',
      `queue=${queue}`,
    );

  beforeAll(async () => {
    redis = await startRedisServer({ password: PASSWORD });
    url = redis.url;
    dir = tempDir();
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(SLEEPY, join(dir, 'node_modules', 'archlab-plugin-sleepy'), 'dir');
  });
  afterEach(() => {
    for (const p of procs) expect(p.stderr()).not.toContain(PASSWORD);
    kill(procs.splice(0));
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('the same seeded search in process and on 3 workers ends with the same trials and best', async () => {
    const queue = 'same';
    await workers(dir, url, queue, 3);
    const args = ['--space', 'nb201', '--estimator', 'nb201:cifar10', '--trials', '60', '--seed', '7'];
    const local = archlabJson<{ runId: string; best: unknown }>(dir, 'search', ...args, '--db', 'local.db');
    const remote = archlabJson<{ runId: string; best: unknown }>(
      dir,
      'search',
      ...args,
      '--db',
      'remote.db',
      '--concurrency',
      '3',
      '--redis',
      url,
      '--runner-option',
      `queue=${queue}`,
    );
    expect(remote.best).toEqual(local.best);
    expect(trialsCsv(dir, 'remote.db', remote.runId)).toBe(trialsCsv(dir, 'local.db', local.runId));
    verify(dir, 'remote.db', remote.runId);
  }, 60_000);

  it('a worker SIGKILLed mid-trial: another takes its trials over with the same seed; one result each', async () => {
    const queue = 'worker-kill';
    const list = await workers(dir, url, queue, 2, 2);
    const run = searchOn(url, queue, 'wk', [...sleepy(400, 6, 11), '--concurrency', '2']);
    const took = /took trial (\d+) of run wk/;
    while (!list.some((w) => took.test(w.stderr()))) await new Promise((r) => setTimeout(r, 5));
    const victim = list.find((w) => took.test(w.stderr()))!;
    const survivor = list.find((w) => w !== victim)!;
    victim.child.kill('SIGKILL');
    const trial = Number(took.exec(victim.stderr())![1]);
    const end = await run.done;
    expect(end.code).toBe(0);
    expect(evaluations([victim], 'wk').get(trial)).toBeUndefined();
    expect(evaluations([survivor], 'wk').get(trial)).toBe(1);
    const types = eventTypes(dir, 'wk.db', 'wk');
    expect(types.filter((t) => t === 'TrialCompleted')).toHaveLength(6);
    expect(types).not.toContain('TrialFailed');
    // Same trials, metrics and seeds (the estimator reports its seed) as in process; verify re-evaluates each.
    const local = archlabJson<{ runId: string }>(dir, 'search', ...sleepy(0, 6, 11), '--db', 'wk-local.db');
    expect(trialsCsv(dir, 'wk.db', 'wk')).toBe(trialsCsv(dir, 'wk-local.db', local.runId));
    verify(dir, 'wk.db', 'wk');
  }, 60_000);

  it('the coordinator SIGKILLed and resumed: finished trials are read from Redis, not run again', async () => {
    const queue = 'coord-kill';
    const list = await workers(dir, url, queue, 2, 2);
    const runner = ['--redis', url, '--runner-option', `queue=${queue}`];
    const run = searchOn(url, queue, 'ck', [...sleepy(300, 8, 5), '--concurrency', '3']);
    await until(run, /trial 3 step 1/);
    run.child.kill('SIGKILL');
    await run.done;
    // The trials in flight finish meanwhile; the resumed coordinator finds their results.
    await new Promise((r) => setTimeout(r, 600));
    const resumed = archlab(dir, 'resume', 'ck', '--db', 'ck.db', '--quiet', ...runner);
    expect(resumed.code).toBe(0);
    // spawnSync held this process: read what the workers wrote meanwhile.
    await until(list[0]!, /./);
    await new Promise((r) => setTimeout(r, 300));
    const runs = evaluations(list, 'ck');
    expect([...runs.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    const types = eventTypes(dir, 'ck.db', 'ck');
    expect(types).toContain('RunResumed');
    expect(types.filter((t) => t === 'TrialCompleted')).toHaveLength(8);
    verify(dir, 'ck.db', 'ck');
  }, 60_000);

  it('a worker whose plugin version differs refuses the trial, naming the difference', async () => {
    const queue = 'versions';
    const other = tempDir();
    const pkg = join(other, 'node_modules', 'archlab-plugin-sleepy');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: 'archlab-plugin-sleepy', version: '0.2.0' }),
    );
    const [w] = await workers(other, url, queue, 1);
    const r = archlabJson<{ counts: { failed: number } }>(
      dir,
      'search',
      ...sleepy(0, 1, 1),
      '--db',
      'v.db',
      '--run-id',
      'v',
      '--redis',
      url,
      '--runner-option',
      `queue=${queue}`,
    );
    const why = 'archlab-plugin-sleepy is 0.2.0 here but 0.1.0 in the run';
    const failed = JSON.parse(
      archlab(dir, 'events', 'v', '--db', 'v.db', '--type', 'TrialFailed', '--json').stdout,
    );
    expect(failed).toHaveLength(1);
    expect(failed[0].data.error.message).toContain(why);
    await until(w!, new RegExp(`refused trial 0 of run v: ${why.replace(/\./g, '\\.')}`));
    expect(r).toBeDefined();
  }, 30_000);

  it('a wrong password or no server: one line, exit 2, before anything is written', () => {
    const wrong = url.replace(PASSWORD, 'not-the-password');
    const closed = 'redis://127.0.0.1:1';
    for (const [redisUrl, reason] of [
      [wrong, /WRONGPASS/],
      [closed, /ECONNREFUSED/],
    ] as const) {
      const r = archlab(dir, 'search', ...sleepy(1, 3, 1), '--db', 'refused.db', '--redis', redisUrl);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^archlab: error: cannot use the Redis server at redis:\/\/127\.0\.0\.1:\d+ \(/,
      );
      expect(r.stderr).toMatch(reason);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toContain('not-the-password');
      expect(existsSync(join(dir, 'refused.db'))).toBe(false);
    }
  });

  it('Redis killed mid-run: one line, exit 2, the log intact; resume on a new Redis completes', async () => {
    const own = await startRedisServer();
    try {
      const queue = 'redis-kill';
      const list = await workers(dir, own.url, queue, 1, 2);
      const run = searchOn(own.url, queue, 'rk', [
        ...sleepy(300, 6, 9),
        '--concurrency',
        '2',
        '--runner-option',
        'lost-after-ms=800',
        '--quiet',
      ]);
      await until(list[0]!, /trial 1 of run rk done/);
      await own.stop();
      const end = await run.done;
      expect(end.code).toBe(2);
      expect(end.stderr).toMatch(
        /^archlab: error: lost the Redis server at redis:\/\/127\.0\.0\.1:\d+ \(.*\) for 800 ms; the run stopped cleanly — start Redis again and run 'archlab resume rk' \(with --redis URL\)\n$/,
      );
      verify(dir, 'rk.db', 'rk');
      kill(list);
      // A new, empty Redis: the trials it lost are queued again.
      const again = await startRedisServer();
      try {
        await workers(dir, again.url, queue, 1, 2);
        const resumed = archlab(
          dir,
          'resume',
          'rk',
          '--db',
          'rk.db',
          '--quiet',
          '--redis',
          again.url,
          '--runner-option',
          `queue=${queue}`,
        );
        expect(resumed.code).toBe(0);
        expect(eventTypes(dir, 'rk.db', 'rk').filter((t) => t === 'TrialCompleted')).toHaveLength(6);
        verify(dir, 'rk.db', 'rk');
      } finally {
        kill(procs);
        await again.stop();
      }
    } finally {
      await own.stop();
    }
  }, 60_000);
});
