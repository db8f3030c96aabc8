import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Metrics } from '../events/event.js';
import {
  type FromWorker,
  type MemoryStats,
  POOL_WORKER_DATA,
  type PoolWorkerData,
  serializeError,
  type ToWorker,
} from './protocol.js';

export interface TaskHooks {
  report(step: number, metrics: Metrics): void;
  /** Aborted when the pool aborts the task: stop at the next step and throw. */
  readonly signal: AbortSignal;
}

export type TaskHandler<Req, Res> = (req: Req, hooks: TaskHooks) => Promise<Res> | Res;

export interface ServeWorkerOptions {
  /** Samples the worker's tensor memory after each task (e.g. from `tf.memory()`); undefined to skip. */
  memory?(): MemoryStats | undefined;
}

/**
 * The worker side of `WorkerPool`: runs each task the pool sends through `handler`, forwards
 * its progress, and answers with its result or error (name, message and fields kept). A
 * worker script is one call: `serveWorker(async (req, { report, signal }) => ...)`.
 */
export function serveWorker<Req, Res>(
  handler: TaskHandler<Req, Res>,
  options: ServeWorkerOptions = {},
): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorker() must run in a worker thread started by a WorkerPool');
  const data = (workerData as Record<string, PoolWorkerData> | undefined)?.[POOL_WORKER_DATA];
  const abortCell = data ? new Int32Array(data.abortCell) : undefined;
  const running = new Map<number, AbortController>();
  const post = (msg: FromWorker<Res>): void => port.postMessage(msg);

  const postStats = (id: number): void => {
    let memory: MemoryStats | undefined;
    try {
      memory = options.memory?.();
    } catch {
      memory = undefined; // no backend yet (the task failed before initialising one)
    }
    if (memory)
      post({ type: 'stats', id, memory: { numTensors: memory.numTensors, numBytes: memory.numBytes } });
  };

  const runTask = async (id: number, req: Req): Promise<void> => {
    const controller = new AbortController();
    running.set(id, controller);
    const signal = pollingSignal(
      controller,
      () => abortCell !== undefined && Atomics.load(abortCell, 0) === id,
    );
    const report = (step: number, metrics: Metrics): void => {
      void signal.aborted; // polls the abort cell: a task that only reports still notices an abort
      post({ type: 'progress', id, step, metrics });
    };
    let outcome: FromWorker<Res>;
    try {
      outcome = { type: 'done', id, result: await handler(req, { report, signal }) };
    } catch (err) {
      outcome = { type: 'error', id, error: serializeError(err) };
    }
    running.delete(id);
    // Stats go first, so they are current by the time the pool settles the task.
    postStats(id);
    try {
      post(outcome);
    } catch (err) {
      post({ type: 'error', id, error: serializeError(err) }); // e.g. a result that cannot be cloned
    }
  };

  port.on('message', (msg: ToWorker<Req>) => {
    if (msg.type === 'abort') running.get(msg.id)?.abort(abortReason());
    else void runTask(msg.id, msg.req);
  });
}

function abortReason(): DOMException {
  return new DOMException('the task was aborted by the worker pool', 'AbortError');
}

const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')?.get;

/**
 * The controller's signal, made to poll `requested()` whenever the task reads `aborted` or
 * calls `throwIfAborted()`. A training loop over synchronous wasm kernels may never yield to
 * the event loop, and then the pool's `abort` message would only arrive after the task ended.
 */
function pollingSignal(controller: AbortController, requested: () => boolean): AbortSignal {
  const signal = controller.signal;
  if (!abortedGetter) return signal;
  const isAborted = (): boolean => abortedGetter.call(signal) as boolean;
  const poll = (): void => {
    if (!isAborted() && requested()) controller.abort(abortReason());
  };
  Object.defineProperty(signal, 'aborted', {
    get: () => {
      poll();
      return isAborted();
    },
  });
  Object.defineProperty(signal, 'throwIfAborted', {
    value: () => {
      poll();
      AbortSignal.prototype.throwIfAborted.call(signal);
    },
  });
  return signal;
}

/** True in a worker thread that a `WorkerPool` started: an estimator there evaluates in this thread. */
export function inPoolWorker(): boolean {
  return (
    !isMainThread && (workerData as Record<string, unknown> | undefined)?.[POOL_WORKER_DATA] !== undefined
  );
}
