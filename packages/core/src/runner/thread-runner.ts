import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import type { Metrics } from '../events/event.js';
import type { SearchSpace } from '../space/search-space.js';
import type { TrialRunner } from './trial-runner.js';
import { type PoolStats, WorkerPool, type WorkerPoolOptions } from './worker-pool.js';

/**
 * How a worker thread makes a run's estimator: plain data, so it crosses the thread boundary.
 * The worker loads the plugin packages, then makes the space and the estimator by name with
 * their resolved options, as the run did, and prepares the estimator once.
 */
export interface EstimatorRecipe {
  /** Plugin packages to load: folders (absolute paths) or names resolved from `from`. */
  readonly packages: readonly string[];
  readonly from: readonly string[];
  readonly space: string;
  readonly spaceOptions: Readonly<Record<string, unknown>>;
  readonly estimator: string;
  readonly estimatorOptions: Readonly<Record<string, unknown>>;
}

/** One trial for a worker: the architecture's key in the recipe's space. */
export interface EstimatorTask {
  readonly recipe: EstimatorRecipe;
  readonly arch: string;
  readonly trialId: number;
  readonly seed: number;
}

/** A trial's metrics, and the artifacts the estimator saved with it. */
export interface EstimatorTaskResult {
  readonly metrics: Metrics;
  readonly artifacts: readonly {
    readonly name: string;
    readonly bytes: Uint8Array;
    readonly format: string;
  }[];
}

export interface ThreadRunnerOptions extends Omit<WorkerPoolOptions, 'script'> {
  readonly recipe: EstimatorRecipe;
  /** The run's space, which turns each architecture into the key the workers parse. */
  readonly space: SearchSpace;
}

/** A runner on worker threads; `stats()` says what its workers do. */
export interface ThreadRunner extends TrialRunner {
  stats(): PoolStats;
  dispose(): Promise<void>;
}

/**
 * Evaluates trials with any estimator on a pool of worker threads (one trial per worker at a
 * time, `size` workers, one per core by default): each worker makes the estimator from its
 * recipe (see `EstimatorRecipe`); progress, results, artifacts and errors come back as if the
 * estimator ran here. A worker that crashes fails its trial only (`WorkerCrashedError`).
 */
export function threadRunner(options: ThreadRunnerOptions): ThreadRunner {
  const { recipe, space, ...poolOptions } = options;
  const pool = new WorkerPool<EstimatorTask, EstimatorTaskResult>({
    ...poolOptions,
    script: estimatorWorkerScript(),
  });
  return {
    concurrency: pool.size,
    async run({ arch, trialId, seed, signal, report, saveArtifact }) {
      const task = { recipe, arch: space.key(arch), trialId, seed };
      const { metrics, artifacts } = await pool.run(task, { signal, onProgress: report });
      for (const a of artifacts) saveArtifact?.(a.name, a.bytes, a.format);
      return metrics;
    },
    stats: () => pool.stats(),
    dispose: () => pool.close(),
  };
}

/**
 * Where the estimator worker's JavaScript is. worker_threads cannot run TypeScript (Node 20 has
 * no type stripping, and archlab ships no TS loader for `execArgv`). From the build this module
 * sits next to `estimator-worker.js`. From its TypeScript source (vitest resolves workspace
 * packages to `src/`), it uses the built `dist/runner/estimator-worker.js`, which `tsc -b` (the
 * test global setup) keeps current; the worker then loads built modules only.
 */
export function estimatorWorkerScript(from: string = import.meta.url): URL {
  if (!new URL(from).pathname.endsWith('.ts')) return new URL('./estimator-worker.js', from);
  const built = new URL('../../dist/runner/estimator-worker.js', from);
  if (!existsSync(built)) {
    throw new ConfigError(
      `the estimator worker ${fileURLToPath(built)} is not built; run 'npx tsc -b packages/core' first`,
    );
  }
  return built;
}
