import {
  type Metrics,
  RunnerUnavailableError,
  type SearchSpace,
  type TrialJob,
  type TrialRunner,
} from '@archlab/core';
import type { Job, Queue, QueueEvents, RedisOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { redisAddress } from './redis-connection.js';
import { schemaProblem, TrialPayload, TrialProgress, TrialResult, trialJobId } from './trial-payload.js';

export interface BullmqRunnerOptions {
  readonly connection: RedisOptions;
  /** The BullMQ queue the workers take trials from. */
  readonly queue: string;
  readonly runId: string;
  readonly concurrency: number;
  readonly space: SearchSpace;
  /** What a worker needs to make the run's estimator: its names and resolved options. */
  readonly recipe: Pick<TrialPayload, 'space' | 'spaceOptions' | 'estimator' | 'estimatorOptions'>;
  /** Name → version of `@archlab/core` and the run's plugin packages; a worker must have the same. */
  readonly versions: Readonly<Record<string, string>>;
  /** How long Redis may be unreachable before the run stops (ms). */
  readonly lostAfterMs: number;
}

interface Connected {
  readonly queue: Queue;
  readonly events: QueueEvents;
}

/**
 * The coordinator's side of the bullmq runner. Each trial is a job whose id is the run's id and
 * the trial's (`trialJobId`), so a resumed coordinator finds the jobs its predecessor queued: a
 * finished one's result is read from Redis, a running one is waited for, a missing one is
 * queued again. The coordinator only queues and waits; it stays the one writer of the log.
 * Nothing connects until the first trial, so a runner that is made and never used costs nothing.
 */
export function bullmqRunner(o: BullmqRunnerOptions): TrialRunner {
  const address = redisAddress(o.connection);
  const reports = new Map<string, TrialJob['report']>();
  const waiting = new Set<(err: RunnerUnavailableError) => void>();
  let lost: RunnerUnavailableError | undefined;
  let connected: Promise<Connected> | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  let lastError = 'no answer';
  let closed = false;

  const giveUp = () => {
    lost ??= new RunnerUnavailableError(
      `lost the Redis server at ${address} (${lastError}) for ${o.lostAfterMs} ms; the run stopped cleanly — start Redis again and run 'archlab resume ${o.runId}' (with --redis URL)`,
    );
    for (const reject of waiting) reject(lost);
    waiting.clear();
  };

  let opened: (Connected & { readonly clients: readonly Redis[] }) | undefined;
  const onDown = (err?: Error) => {
    if (err) lastError = err.message;
    if (!watchdog && !closed) watchdog = setTimeout(giveUp, o.lostAfterMs);
  };

  const connect = async (): Promise<Connected> => {
    const [{ Queue, QueueEvents }, { Redis }] = await Promise.all([import('bullmq'), import('ioredis')]);
    if (closed) throw new RunnerUnavailableError('the bullmq runner was disposed');
    // Our own connections, so that dispose can drop them even while Redis is away. Commands wait
    // while it is (the watchdog decides when to give up), never fail one by one.
    const connection = { ...o.connection, maxRetriesPerRequest: null, enableOfflineQueue: true };
    const clients: Redis[] = [];
    // BullMQ duplicates a connection it blocks on: those are tracked too, to be dropped.
    class Tracked extends Redis {
      override duplicate(...args: Parameters<Redis['duplicate']>): Redis {
        const copy = super.duplicate(...args);
        clients.push(copy);
        return copy;
      }
    }
    clients.push(new Tracked(connection), new Tracked(connection));
    const onUp = () => {
      if (clients.slice(0, 2).every((c) => c.status === 'ready')) {
        clearTimeout(watchdog);
        watchdog = undefined;
      }
    };
    for (const c of clients.slice(0, 2)) {
      c.on('error', onDown);
      c.on('close', () => onDown());
      c.on('ready', onUp);
    }
    onDown(); // until both connections are ready
    const queue = new Queue(o.queue, { connection: clients[0]! });
    const events = new QueueEvents(o.queue, { connection: clients[1]! });
    opened = { queue, events, clients };
    queue.on('error', (err) => onDown(err));
    events.on('error', (err) => onDown(err));
    events.on('progress', ({ jobId, data }) => {
      const parsed = TrialProgress.safeParse(data);
      if (parsed.success) reports.get(jobId)?.(parsed.data.step, parsed.data.metrics);
    });
    return opened;
  };

  /** `work`, unless Redis is lost first or the trial is aborted. */
  const guarded = <T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (lost) return reject(lost);
      if (signal.aborted) return reject(signal.reason);
      const onLost = (err: RunnerUnavailableError) => reject(err);
      const onAbort = () => reject(signal.reason);
      waiting.add(onLost);
      signal.addEventListener('abort', onAbort, { once: true });
      work()
        .then(resolve, reject)
        .finally(() => {
          waiting.delete(onLost);
          signal.removeEventListener('abort', onAbort);
        });
    });

  const evaluate = async (job: TrialJob): Promise<Metrics> => {
    connected ??= connect();
    const { queue, events } = await connected;
    const id = trialJobId(o.runId, job.trialId);
    const payload: TrialPayload = {
      v: 1,
      runId: o.runId,
      trialId: job.trialId,
      arch: o.space.key(job.arch),
      seed: job.seed,
      ...o.recipe,
      versions: { ...o.versions },
    };
    reports.set(id, job.report);
    try {
      let queued: Job | undefined = await queue.getJob(id);
      if (queued) checkSameTrial(queued, payload, o.queue);
      else
        queued = await queue.add('trial', payload, {
          jobId: id,
          removeOnComplete: false,
          removeOnFail: false,
        });
      const raw: unknown = await queued.waitUntilFinished(events);
      const result = TrialResult.safeParse(raw);
      if (!result.success) {
        throw new Error(
          `trial ${job.trialId}: the worker's result is malformed (${schemaProblem(result.error)})`,
        );
      }
      for (const a of result.data.artifacts) {
        job.saveArtifact?.(a.name, new Uint8Array(Buffer.from(a.base64, 'base64')), a.format);
      }
      return result.data.metrics;
    } finally {
      reports.delete(id);
    }
  };

  return {
    concurrency: o.concurrency,
    async prepare() {
      const { Redis } = await import('ioredis');
      // One plain connection that gives up at the first failure: a wrong password or TLS setting
      // is reported before the run writes anything, not after `lostAfterMs` of waiting.
      const probe = new Redis({
        ...o.connection,
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        connectTimeout: o.lostAfterMs,
      });
      // The socket's own error (refused, WRONGPASS, a certificate) says more than the closed connection.
      let cause: Error | undefined;
      probe.on('error', (err: Error) => {
        cause ??= err;
      });
      try {
        await probe.connect();
        await probe.ping();
      } catch (err) {
        throw new RunnerUnavailableError(
          `cannot use the Redis server at ${address} (${(cause ?? (err as Error)).message}); check that it runs, the URL's password and TLS options, then try again`,
        );
      } finally {
        probe.disconnect();
      }
    },
    run: (job) => guarded(job.signal, () => evaluate(job)),
    async dispose() {
      closed = true;
      clearTimeout(watchdog);
      if (!opened) return;
      const { queue, events, clients } = opened;
      // Closing waits for Redis; when it is gone, give up after a moment and drop the sockets.
      const done = Promise.all([events.close(), queue.close()]).catch(() => {});
      await Promise.race([done, new Promise((r) => setTimeout(r, 1000).unref())]);
      for (const c of clients) c.disconnect();
    },
  };
}

/**
 * A job found under a trial's id must be that trial: a run started again under the same id (a
 * new database, `--run-id` reused) would otherwise get another run's results.
 */
function checkSameTrial(job: Job, payload: TrialPayload, queue: string): void {
  const had = TrialPayload.safeParse(job.data);
  const same =
    had.success &&
    had.data.arch === payload.arch &&
    had.data.seed === payload.seed &&
    had.data.estimator === payload.estimator &&
    had.data.space === payload.space;
  if (!same) {
    throw new RunnerUnavailableError(
      `queue '${queue}' already holds job ${job.id} for another trial (a run that had id '${payload.runId}' before?); use another queue (--runner-option queue=NAME) or remove the old jobs`,
    );
  }
}
