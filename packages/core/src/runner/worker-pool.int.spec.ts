import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArchlabError, DataError, MalformedArchitectureError } from '../errors.js';
import { WorkerCrashedError, WorkerPoolClosedError } from './pool-errors.js';
import { WorkerPool, type WorkerPoolOptions } from './worker-pool.js';

const TASKS = new URL('./test-workers/tasks.mjs', import.meta.url);
const SERVE_WORKER = new URL('../../dist/runner/serve-worker.js', import.meta.url);

type Req = Record<string, unknown> & { kind?: string };
type Res = Record<string, number>;

const pools: WorkerPool<unknown, unknown>[] = [];
function pool<R = Res>(options: Partial<WorkerPoolOptions> = {}): WorkerPool<Req, R> {
  const p = new WorkerPool<Req, R>({ script: TASKS, size: 1, ...options });
  pools.push(p as WorkerPool<unknown, unknown>);
  return p;
}

beforeAll(() => {
  if (!existsSync(SERVE_WORKER)) {
    throw new Error("the test workers import the built serve-worker.js: run 'npx tsc -b packages/core'");
  }
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('WorkerPool', () => {
  it('runs up to size tasks at once and queues the rest in order', async () => {
    const p = pool({ size: 2 });
    const runs = [0, 1, 2, 3].map(() => p.run({ kind: 'sleep', ms: 250 }));
    expect(p.stats()).toMatchObject({ size: 2, running: 2, queued: 2 });
    const [a, b, c, d] = (await Promise.all(runs)) as Res[];
    // The first two overlap; each queued one starts only after a worker frees up.
    expect(Math.max(a!.start!, b!.start!)).toBeLessThan(Math.min(a!.end!, b!.end!));
    expect(c!.start).toBeGreaterThanOrEqual(Math.min(a!.end!, b!.end!));
    expect(d!.start).toBeGreaterThanOrEqual(Math.min(a!.end!, b!.end!));
    expect(new Set([a, b, c, d].map((r) => r!.threadId)).size).toBe(2);
    expect(p.stats()).toMatchObject({ running: 0, queued: 0, started: 2 });
    expect(p.stats().workers.map((w) => w.tasks)).toEqual([2, 2]);
  });

  it('forwards progress in order until the result', async () => {
    const steps: number[] = [];
    const losses: number[] = [];
    const result = await pool().run(
      { kind: 'progress', steps: 40 },
      {
        onProgress: (step, metrics) => {
          steps.push(step);
          losses.push(metrics.loss!);
        },
      },
    );
    expect(result).toEqual({ steps: 40 });
    expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(losses[3]).toBe(0.25);
  });

  it('rejects with the error thrown in the worker: name, message, class and fields kept', async () => {
    const p = pool();
    const data = await p.run({ kind: 'throw', error: 'data' }).catch((e: unknown) => e);
    expect(data).toBeInstanceOf(DataError);
    expect(data).toMatchObject({
      name: 'DataError',
      code: 'DATA',
      message: 'fashion-mnist is missing; install dataset-fashion-mnist',
    });
    expect((data as Error).stack).toContain('tasks.mjs');

    const malformed = await p.run({ kind: 'throw', error: 'malformed' }).catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(MalformedArchitectureError);
    expect(malformed).toMatchObject({ space: 'nb201', key: 'x', reason: 'bad edge' });

    // A user error of a class the pool does not know stays an ArchlabError, with its name and code.
    const custom = await p.run({ kind: 'throw', error: 'custom' }).catch((e: unknown) => e);
    expect(custom).toBeInstanceOf(ArchlabError);
    expect(custom).toMatchObject({ name: 'DatasetTooSmallError', code: 'DATASET_TOO_SMALL' });

    const plain = await p.run({ kind: 'throw' }).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(Error);
    expect(plain).not.toBeInstanceOf(ArchlabError);
    expect(plain).toMatchObject({ name: 'RangeError', message: 'step out of range' });

    expect(p.stats().started).toBe(1); // a thrown error does not cost the worker
  });

  it('fails only the task of a worker that exits, and replaces the worker', async () => {
    const p = pool({ size: 2 });
    const [sleeping, exiting] = await Promise.allSettled([
      p.run({ kind: 'sleep', ms: 300 }),
      p.run({ kind: 'exit' }),
    ]);
    expect(sleeping.status).toBe('fulfilled');
    const err = (exiting as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(err).toMatchObject({ code: 'WORKER_CRASHED', exitCode: 1 });
    expect(err.message).toContain('exit code 1');
    await expect(p.run({ kind: 'echo', value: 7 })).resolves.toMatchObject({ value: 7 });
    await Promise.all([p.run({ kind: 'echo' }), p.run({ kind: 'echo' })]);
    expect(p.stats().started).toBe(3);
  });

  it('reports an uncaught exception and an out-of-memory worker as crashes', async () => {
    const p = pool({ resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 4 } });
    const uncaught = await p.run({ kind: 'uncaught' }).catch((e: unknown) => e);
    expect(uncaught).toBeInstanceOf(WorkerCrashedError);
    expect((uncaught as Error).message).toContain('boom outside the task');
    const oom = await p.run({ kind: 'oom' }).catch((e: unknown) => e);
    expect(oom).toBeInstanceOf(WorkerCrashedError);
    expect((oom as Error).message).toContain('ERR_WORKER_OUT_OF_MEMORY');
    await expect(p.run({ kind: 'echo', value: 1 })).resolves.toMatchObject({ value: 1 });
  });

  it('rejects an aborted task at once with the signal reason and reuses its worker', async () => {
    const p = pool();
    const { threadId } = (await p.run({ kind: 'echo' })) as Res;
    const controller = new AbortController();
    const run = p.run({ kind: 'sleep', ms: 20_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('search stopped')), 50);
    const t0 = Date.now();
    await expect(run).rejects.toThrow('search stopped');
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await p.run({ kind: 'echo' })).toMatchObject({ threadId });
    expect(p.stats().started).toBe(1);
  });

  it('stops a task that never yields to the event loop through the shared abort cell', async () => {
    const p = pool();
    const controller = new AbortController();
    const run = p.run({ kind: 'busy' }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const err = await run.catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AbortError' });
    await expect(p.run({ kind: 'echo', value: 2 })).resolves.toMatchObject({ value: 2 });
    expect(p.stats().started).toBe(1);
  });

  it('replaces a worker that ignores an abort past the grace period', async () => {
    const p = pool({ abortGraceMs: 150 });
    const controller = new AbortController();
    const run = p.run({ kind: 'stuck' }, { signal: controller.signal });
    const next = p.run({ kind: 'echo', value: 3 });
    setTimeout(() => controller.abort(), 100);
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    await expect(next).resolves.toMatchObject({ value: 3 });
    expect(p.stats().started).toBe(2);
  });

  it('drops an aborted task from the queue and never starts a pre-aborted one', async () => {
    const p = pool();
    await expect(p.run({ kind: 'echo' }, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(p.stats().started).toBe(0);
    const running = p.run({ kind: 'sleep', ms: 200 });
    const controller = new AbortController();
    const queued = p.run({ kind: 'echo' }, { signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError' });
    expect(p.stats().queued).toBe(0);
    await expect(running).resolves.toBeDefined();
  });

  it('close() rejects running and queued tasks, is idempotent, and refuses new ones', async () => {
    const p = pool();
    const running = p.run({ kind: 'sleep', ms: 20_000 });
    const queued = p.run({ kind: 'echo' });
    await new Promise((r) => setTimeout(r, 50));
    const closed = p.close();
    await expect(running).rejects.toBeInstanceOf(WorkerPoolClosedError);
    await expect(queued).rejects.toThrow('worker pool was closed');
    expect(p.close()).toBe(closed);
    await closed;
    await expect(p.run({ kind: 'echo' })).rejects.toBeInstanceOf(WorkerPoolClosedError);
    expect(p.stats().workers).toEqual([]);
  });

  it('lets the process exit once its tasks are done, closed or not', async () => {
    const pool = new URL('../../dist/runner/worker-pool.js', import.meta.url).href;
    const script = `
      import { WorkerPool } from ${JSON.stringify(pool)};
      const closed = new WorkerPool({ script: ${JSON.stringify(TASKS.href)}, size: 2 });
      const idle = new WorkerPool({ script: ${JSON.stringify(TASKS.href)}, size: 2 });
      await Promise.all([closed.run({ kind: 'echo' }), idle.run({ kind: 'sleep', ms: 50 })]);
      await closed.close();
      // A task still running keeps the process alive until it ends.
      idle.run({ kind: 'sleep', ms: 100 }).then(() => console.log('last task done'));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 10_000,
      cwd: fileURLToPath(new URL('.', import.meta.url)),
    });
    expect(stdout.trim()).toBe('last task done');
  });
});
