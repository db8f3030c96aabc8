import * as errors from '../errors.js';
import type { SerializedError } from './protocol.js';

/** A pool worker exited or threw outside a task's promise (a crash, `process.exit`, out of memory). */
export class WorkerCrashedError extends errors.ArchlabError {
  readonly code = 'WORKER_CRASHED';
  constructor(
    readonly exitCode: number | undefined,
    readonly reason: string | undefined,
  ) {
    super(
      `a pool worker crashed while running a task (${[exitCode === undefined ? undefined : `exit code ${exitCode}`, reason].filter(Boolean).join(': ')}); the task failed and the worker was replaced — if it ran out of memory, lower the pool size or the batch size`,
    );
  }
}

/** A task was still queued or running when its pool was closed, or was submitted after. */
export class WorkerPoolClosedError extends errors.ArchlabError {
  readonly code = 'WORKER_POOL_CLOSED';
  constructor() {
    super('the worker pool was closed before the task finished; create a new pool to run more tasks');
  }
}

/** The classes a worker's error is turned back into, by name: every error class of core, and the pool's. */
const KNOWN = new Map<string, { prototype: Error }>(
  [...Object.values(errors), WorkerCrashedError, WorkerPoolClosedError]
    .filter(
      (v): v is typeof errors.ArchlabError =>
        typeof v === 'function' && v.prototype instanceof errors.ArchlabError,
    )
    .map((c) => [c.name, c]),
);

/**
 * Rebuilds an error thrown in a worker: same name, message, fields and (worker) stack, and an
 * instance of the matching core class where one is known, else of `ArchlabError` for a user
 * error of another class, else of `Error`. The class's constructor is not run (its arguments
 * are not known); the fields it set travel in `fields`.
 */
export function reviveError(e: SerializedError): Error {
  const proto = KNOWN.get(e.name)?.prototype ?? (e.archlab ? errors.ArchlabError.prototype : Error.prototype);
  const err = Object.create(proto) as Error;
  Object.defineProperties(err, {
    message: { value: e.message, writable: true, configurable: true },
    stack: { value: e.stack ?? `${e.name}: ${e.message}`, writable: true, configurable: true },
  });
  return Object.assign(err, e.fields, { name: e.name });
}
