import { availableParallelism } from 'node:os';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { InvalidOptionError } from '../errors.js';
import type { Metrics } from '../events/event.js';
import { reviveError, WorkerCrashedError, WorkerPoolClosedError } from './pool-errors.js';
import {
  type FromWorker,
  type MemoryStats,
  POOL_WORKER_DATA,
  type PoolWorkerData,
  type ToWorker,
} from './protocol.js';

export interface WorkerPoolOptions {
  /** The worker script, JavaScript that calls `serveWorker` (a file URL or path). */
  readonly script: URL | string;
  /** Tasks that run at once, one per worker thread; defaults to `os.availableParallelism()`. */
  readonly size?: number;
  /** How long an aborted task may take to stop before its worker is terminated and replaced (ms, default 5000). */
  readonly abortGraceMs?: number;
  /** Per-worker heap limits; a worker that exceeds them fails its task with `WorkerCrashedError`. */
  readonly resourceLimits?: ResourceLimits;
  /** Node flags for the workers; defaults to the parent's `process.execArgv` (less `--input-type`). */
  readonly execArgv?: readonly string[];
}

export interface RunOptions {
  /** Aborting rejects the run at once with the signal's reason and stops the worker at its next step. */
  readonly signal?: AbortSignal;
  /** Called for each `report(step, metrics)` of the task, in order, until the run settles. */
  readonly onProgress?: (step: number, metrics: Metrics) => void;
}

export interface WorkerStats {
  /** Ordinal of the worker in this pool (replacements get new ones). */
  readonly worker: number;
  readonly busy: boolean;
  /** Tasks this worker has finished (successfully or not). */
  readonly tasks: number;
  /** Tensor memory after its last task, when the worker reports it. */
  readonly memory?: MemoryStats;
}

export interface PoolStats {
  readonly size: number;
  readonly running: number;
  readonly queued: number;
  /** Workers started so far, replacements of crashed or stuck ones included. */
  readonly started: number;
  readonly workers: readonly WorkerStats[];
}

interface Task<Req, Res> {
  readonly id: number;
  readonly req: Req;
  readonly options: RunOptions;
  readonly resolve: (result: Res) => void;
  readonly reject: (err: unknown) => void;
  readonly onAbort: () => void;
  settled: boolean;
}

interface Slot<Req, Res> {
  readonly n: number;
  readonly worker: Worker;
  readonly abortCell: Int32Array;
  task?: Task<Req, Res>;
  tasks: number;
  memory?: MemoryStats;
  /** Terminated on purpose (close, stuck after abort): its exit is not a crash. */
  retiring: boolean;
  crashReason?: string;
  graceTimer?: NodeJS.Timeout;
}

/**
 * Runs tasks on up to `size` worker threads, one task per worker at a time; further tasks wait
 * in a FIFO queue. Workers start on demand and stay for later tasks. A worker that crashes
 * fails its task with `WorkerCrashedError` and is replaced on the next task. Idle workers do not
 * keep the process alive; `close()` terminates them all.
 */
export class WorkerPool<Req, Res> {
  readonly size: number;
  private readonly abortGraceMs: number;
  private readonly queue: Task<Req, Res>[] = [];
  private readonly slots: Slot<Req, Res>[] = [];
  private nextId = 1;
  private started = 0;
  private closing?: Promise<void>;

  constructor(private readonly options: WorkerPoolOptions) {
    this.size = options.size ?? availableParallelism();
    if (!Number.isInteger(this.size) || this.size < 1) {
      throw new InvalidOptionError(`worker pool size must be a whole number >= 1, got ${options.size}`);
    }
    this.abortGraceMs = options.abortGraceMs ?? 5000;
  }

  run(req: Req, options: RunOptions = {}): Promise<Res> {
    if (this.closing) return Promise.reject(new WorkerPoolClosedError());
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<Res>((resolve, reject) => {
      const task: Task<Req, Res> = {
        id: this.nextId++,
        req,
        options,
        resolve,
        reject,
        onAbort: () => this.abort(task),
        settled: false,
      };
      signal?.addEventListener('abort', task.onAbort, { once: true });
      this.queue.push(task);
      this.dispatch();
    });
  }

  stats(): PoolStats {
    return {
      size: this.size,
      running: this.slots.filter((s) => s.task).length,
      queued: this.queue.length,
      started: this.started,
      workers: this.slots.map((s) => ({
        worker: s.n,
        busy: s.task !== undefined,
        tasks: s.tasks,
        memory: s.memory,
      })),
    };
  }

  /** Terminates every worker; queued and running tasks reject with `WorkerPoolClosedError`. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    for (const task of this.queue.splice(0)) this.settle(task, { error: new WorkerPoolClosedError() });
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      slot.retiring = true;
      clearTimeout(slot.graceTimer);
      if (slot.task) this.settle(slot.task, { error: new WorkerPoolClosedError() });
    }
    this.closing = Promise.all(slots.map((s) => s.worker.terminate())).then(() => undefined);
    return this.closing;
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closing) {
      const slot =
        this.slots.find((s) => !s.task) ?? (this.slots.length < this.size ? this.spawn() : undefined);
      if (!slot) return;
      this.start(slot, this.queue.shift()!);
    }
  }

  private start(slot: Slot<Req, Res>, task: Task<Req, Res>): void {
    slot.task = task;
    slot.worker.ref(); // a running task keeps the process alive; an idle worker does not
    try {
      this.post(slot, { type: 'run', id: task.id, req: task.req });
    } catch (err) {
      // The request could not be cloned: nothing reached the worker.
      this.release(slot);
      this.settle(task, { error: err });
    }
  }

  private spawn(): Slot<Req, Res> {
    const abortCell = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
    const workerData: Record<string, PoolWorkerData> = { [POOL_WORKER_DATA]: { abortCell } };
    const { script } = this.options;
    // Worker takes a URL object or a path, not a `file:` URL string.
    const worker = new Worker(
      typeof script === 'string' && script.startsWith('file:') ? new URL(script) : script,
      {
        workerData,
        resourceLimits: this.options.resourceLimits,
        // `--input-type` is only allowed with `-e`; a worker inheriting it fails to start.
        execArgv: [
          ...(this.options.execArgv ?? process.execArgv.filter((a) => !a.startsWith('--input-type'))),
        ],
      },
    );
    worker.unref();
    const slot: Slot<Req, Res> = {
      n: ++this.started,
      worker,
      abortCell: new Int32Array(abortCell),
      tasks: 0,
      retiring: false,
    };
    worker.on('message', (msg: FromWorker<Res>) => this.onMessage(slot, msg));
    worker.on('error', (err: Error & { code?: string }) => {
      slot.crashReason = `${err.code ? `${err.code} ` : ''}${err.name}: ${err.message}`;
    });
    worker.on('messageerror', (err) => {
      // A message that cannot be read may have been the task's answer: start afresh.
      if (slot.task) this.settle(slot.task, { error: err });
      this.retire(slot);
    });
    worker.on('exit', (code) => this.onExit(slot, code));
    this.slots.push(slot);
    return slot;
  }

  private onMessage(slot: Slot<Req, Res>, msg: FromWorker<Res>): void {
    const task = slot.task;
    if (!task || msg.id !== task.id) return;
    switch (msg.type) {
      case 'progress':
        if (task.settled) return;
        try {
          task.options.onProgress?.(msg.step, msg.metrics);
        } catch (err) {
          this.settle(task, { error: err });
          this.stop(slot, task);
        }
        return;
      case 'stats':
        slot.memory = msg.memory;
        return;
      case 'done':
        this.release(slot);
        this.settle(task, { result: msg.result });
        this.dispatch();
        return;
      case 'error':
        this.release(slot);
        this.settle(task, { error: reviveError(msg.error) });
        this.dispatch();
        return;
      default:
        msg satisfies never;
    }
  }

  private onExit(slot: Slot<Req, Res>, code: number): void {
    clearTimeout(slot.graceTimer);
    if (slot.retiring) return;
    this.remove(slot);
    if (slot.task) this.settle(slot.task, { error: new WorkerCrashedError(code, slot.crashReason) });
    this.dispatch();
  }

  private abort(task: Task<Req, Res>): void {
    if (task.settled) return;
    const error = abortError(task.options.signal);
    const queued = this.queue.indexOf(task);
    if (queued >= 0) this.queue.splice(queued, 1);
    this.settle(task, { error });
    const slot = this.slots.find((s) => s.task === task);
    if (slot) this.stop(slot, task);
  }

  /** Asks the worker to stop `task`; a worker still on it after the grace period is replaced. */
  private stop(slot: Slot<Req, Res>, task: Task<Req, Res>): void {
    Atomics.store(slot.abortCell, 0, task.id);
    this.post(slot, { type: 'abort', id: task.id });
    slot.graceTimer = setTimeout(() => {
      if (slot.task === task) this.retire(slot);
    }, this.abortGraceMs);
    slot.graceTimer.unref();
  }

  /** Terminates a worker on purpose and lets a fresh one take the queue. */
  private retire(slot: Slot<Req, Res>): void {
    slot.retiring = true;
    clearTimeout(slot.graceTimer);
    this.remove(slot);
    void slot.worker.terminate();
    this.dispatch();
  }

  private release(slot: Slot<Req, Res>): void {
    clearTimeout(slot.graceTimer);
    slot.task = undefined;
    slot.tasks++;
    Atomics.store(slot.abortCell, 0, 0);
    slot.worker.unref();
  }

  private remove(slot: Slot<Req, Res>): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  private post(slot: Slot<Req, Res>, msg: ToWorker<Req>): void {
    slot.worker.postMessage(msg);
  }

  private settle(task: Task<Req, Res>, outcome: { result: Res } | { error: unknown }): void {
    if (task.settled) return;
    task.settled = true;
    task.options.signal?.removeEventListener('abort', task.onAbort);
    if ('error' in outcome) task.reject(outcome.error);
    else task.resolve(outcome.result);
  }
}

/** The signal's reason, as `signal.throwIfAborted()` would throw it (an `AbortError` by default). */
function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  return new DOMException(reason === undefined ? 'the task was aborted' : String(reason), 'AbortError');
}
