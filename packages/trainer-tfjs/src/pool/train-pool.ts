import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@archlab/core';
import type { TrainedTrial, TrainRequest } from '../train/trial.js';
import { WorkerPool, type WorkerPoolOptions } from './worker-pool.js';

export type TrainPool = WorkerPool<TrainRequest, TrainedTrial>;

/** A pool of training workers: `pool.run(req, { signal, onProgress })` trains one trial and resolves with its `TrainedTrial`. */
export function createTrainPool(options: Omit<WorkerPoolOptions, 'script'> = {}): TrainPool {
  return new WorkerPool<TrainRequest, TrainedTrial>({ ...options, script: trainWorkerScript() });
}

/**
 * Where the training worker's JavaScript is. worker_threads cannot run TypeScript: Node 20 has no
 * type stripping and archlab ships no TS loader for `execArgv`. From the build this module sits
 * next to `train-worker.js`. From its TypeScript source (vitest resolves workspace packages to
 * `src/`), it uses the built `dist/pool/train-worker.js` instead, which `tsc -b` (the test global
 * setup) keeps current; the worker then loads the built modules of this package and its
 * dependencies.
 */
export function trainWorkerScript(from: string = import.meta.url): URL {
  if (!new URL(from).pathname.endsWith('.ts')) return new URL('./train-worker.js', from);
  const built = new URL('../../dist/pool/train-worker.js', from);
  if (!existsSync(built)) {
    throw new ConfigError(
      `the training worker ${fileURLToPath(built)} is not built; run 'npx tsc -b packages/trainer-tfjs' first`,
    );
  }
  return built;
}
