import type { Metrics } from '../events/event.js';

/**
 * The messages between a `WorkerPool` and its workers. This module has no runtime
 * dependencies, so a worker that imports it (through `serve-worker.js`) starts fast.
 */

/** tfjs memory of one worker (`tf.memory()`), sampled after each task. */
export interface MemoryStats {
  readonly numTensors: number;
  readonly numBytes: number;
}

/** An error thrown in a worker, as plain data. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** True when the error is an `ArchlabError` (a user error: the CLI prints it without a stack). */
  readonly archlab: boolean;
  /** The error's own fields that are plain values (`code`, `space`, `key`...). */
  readonly fields: Readonly<Record<string, unknown>>;
}

export type ToWorker<Req> =
  | { readonly type: 'run'; readonly id: number; readonly req: Req }
  | { readonly type: 'abort'; readonly id: number };

export type FromWorker<Res> =
  | { readonly type: 'progress'; readonly id: number; readonly step: number; readonly metrics: Metrics }
  | { readonly type: 'stats'; readonly id: number; readonly memory: MemoryStats }
  | { readonly type: 'done'; readonly id: number; readonly result: Res }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError };

/** What the pool passes as `workerData`. */
export interface PoolWorkerData {
  /**
   * One Int32 holding the id of the task the pool wants aborted. The worker polls it whenever
   * the task looks at its signal, so an abort lands even in a loop that never yields to the
   * event loop (where the `abort` message would wait until the task ends).
   */
  readonly abortCell: SharedArrayBuffer;
}

export const POOL_WORKER_DATA = 'archlabWorkerPool';

export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) {
    return { name: 'Error', message: `non-error thrown: ${String(err)}`, archlab: false, fields: {} };
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(err)) {
    if (key !== 'name' && key !== 'message' && key !== 'stack' && isPlain(value)) fields[key] = value;
  }
  return { name: err.name, message: err.message, stack: err.stack, archlab: isArchlabError(err), fields };
}

function isPlain(value: unknown): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  return (
    Array.isArray(value) &&
    value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))
  );
}

/** By class name along the prototype chain, so a worker need not load `@archlab/core` to tell. */
function isArchlabError(err: Error): boolean {
  for (let proto = Object.getPrototypeOf(err); proto; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === 'ArchlabError') return true;
  }
  return false;
}
