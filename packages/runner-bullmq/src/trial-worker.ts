import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import {
  ConfigError,
  coreVersion,
  type EstimatorTask,
  type EstimatorTaskResult,
  echo,
  estimatorWorkerScript,
  pluginPackageDir,
  WorkerPool,
} from '@archlab/core';
import type { Job, RedisOptions, Worker } from 'bullmq';
import { redisAddress } from './redis-connection.js';
import { schemaProblem, TrialPayload, type TrialResult } from './trial-payload.js';

export interface TrialWorkerOptions {
  readonly connection: RedisOptions;
  readonly queue: string;
  /** Trials at once: one worker thread each. */
  readonly concurrency: number;
  /**
   * How long a job's lock lasts without renewal (ms): a worker that dies holds its trial this
   * long, then BullMQ's stalled-job check hands it to another worker.
   */
  readonly lockMs: number;
  /** Where plugin packages are looked up by name (the CLI's: the working folder, then its own). */
  readonly roots: readonly string[];
  /** Plugin package folders (or names) given on the command line, beside those under `roots`. */
  readonly plugins?: readonly string[];
  /** A line about what the worker does (stderr in the CLI). */
  readonly log: (line: string) => void;
}

export interface TrialWorker {
  /** Resolves when the worker is connected and taking jobs. */
  readonly ready: Promise<void>;
  /** Stops taking jobs, lets those running finish, closes the pool. */
  close(): Promise<void>;
}

/**
 * Serves a BullMQ queue of trials: validates each job, refuses one whose archlab or plugin
 * versions differ from this machine's (naming the difference), and evaluates the others on a
 * `WorkerPool` of estimator threads (the `threadRunner` machinery, `EstimatorRecipe`), with
 * progress streamed back as the job's progress. A refused or failed job fails with the reason,
 * which the coordinator records as the trial's failure.
 */
export async function startTrialWorker(o: TrialWorkerOptions): Promise<TrialWorker> {
  const folders = pluginFolders(o.plugins ?? [], o.roots);
  const { Worker: BullWorker, UnrecoverableError } = await import('bullmq');
  const pool = new WorkerPool<EstimatorTask, EstimatorTaskResult>({
    script: estimatorWorkerScript(),
    size: o.concurrency,
  });
  const own = new Map<string, string | undefined>();
  const versionOf = (name: string): string | undefined => {
    if (!own.has(name)) own.set(name, folders.get(name)?.version ?? installedVersion(name, o.roots));
    return own.get(name);
  };

  const evaluate = async (job: Job): Promise<TrialResult> => {
    const parsed = TrialPayload.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(
        `job ${job.id} is not an archlab trial this worker can read (${schemaProblem(parsed.error)}); coordinator and worker must run the same archlab`,
      );
    }
    const p = parsed.data;
    const diff = versionDifference(p.versions, versionOf);
    if (diff) {
      o.log(`refused trial ${p.trialId} of run ${p.runId}: ${diff}`);
      throw new UnrecoverableError(`worker refused the trial: ${diff}`);
    }
    o.log(`took trial ${p.trialId} of run ${p.runId} (job ${job.id})`);
    const t0 = performance.now();
    const { metrics, artifacts } = await pool.run(
      {
        // Only the packages the run's config names (those providing its space and estimator).
        recipe: {
          packages: Object.keys(p.versions).map((name) => folders.get(name)?.dir ?? name),
          from: o.roots,
          space: p.space,
          spaceOptions: p.spaceOptions,
          estimator: p.estimator,
          estimatorOptions: p.estimatorOptions,
        },
        arch: p.arch,
        trialId: p.trialId,
        seed: p.seed,
      },
      { onProgress: (step, m) => void job.updateProgress({ step, metrics: m }).catch(() => {}) },
    );
    o.log(
      `trial ${p.trialId} of run ${p.runId} done in ${Math.round(performance.now() - t0)} ms (job ${job.id})`,
    );
    return {
      metrics,
      artifacts: artifacts.map((a) => ({
        name: a.name,
        format: a.format,
        base64: Buffer.from(a.bytes).toString('base64'),
      })),
    };
  };

  const worker: Worker = new BullWorker(o.queue, evaluate, {
    connection: { ...o.connection, maxRetriesPerRequest: null },
    concurrency: o.concurrency,
    lockDuration: o.lockMs,
    stalledInterval: o.lockMs,
    // A trial whose worker died twice is still given another try; a third time fails it.
    maxStalledCount: 2,
  });
  let down = false;
  worker.on('error', (err) => {
    if (!down) o.log(`lost Redis at ${redisAddress(o.connection)} (${err.message}); retrying`);
    down = true;
  });
  worker.on('ready', () => {
    if (down) o.log(`connected to Redis at ${redisAddress(o.connection)} again`);
    down = false;
  });
  worker.on('failed', (job, err) => {
    if (job && !(err instanceof UnrecoverableError)) o.log(`trial job ${job.id} failed: ${err.message}`);
  });
  return {
    ready: worker.waitUntilReady().then(() => {}),
    async close() {
      await worker.close();
      await pool.close();
    },
  };
}

/**
 * What differs between the versions a run was started with and those here, or undefined when
 * none does: `@archlab/core 0.1.0 here, 0.2.0 in the run; archlab-plugin-x is not installed here`.
 */
export function versionDifference(
  wanted: Readonly<Record<string, string>>,
  have: (name: string) => string | undefined,
): string | undefined {
  const diffs: string[] = [];
  for (const [name, version] of Object.entries(wanted)) {
    const here = have(name);
    if (here === undefined) diffs.push(`${name}@${version} is not installed here`);
    else if (here !== version) diffs.push(`${name} is ${here} here but ${version} in the run`);
  }
  return diffs.length ? diffs.join('; ') : undefined;
}

/** `--plugin` entries by package name: a folder's own name and version, or an installed package's. */
function pluginFolders(
  entries: readonly string[],
  roots: readonly string[],
): Map<string, { dir: string; version: string | undefined }> {
  const out = new Map<string, { dir: string; version: string | undefined }>();
  for (const entry of entries) {
    const isPath = entry.startsWith('.') || isAbsolute(entry);
    const dir = isPath ? resolve(entry) : pluginPackageDir(entry, roots);
    const manifest = dir ? readManifest(dir) : undefined;
    if (!dir || !manifest?.name) {
      throw new ConfigError(
        isPath
          ? `--plugin ${echo(entry)}: no package.json with a name there; give a plugin package's folder`
          : `--plugin ${echo(entry)}: no such package installed here; install it, or give its folder`,
      );
    }
    out.set(manifest.name, { dir, version: manifest.version });
  }
  return out;
}

function readManifest(dir: string): { name?: string; version?: string } | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name?: unknown;
      version?: unknown;
    };
    return {
      ...(typeof m.name === 'string' && { name: m.name }),
      ...(typeof m.version === 'string' && { version: m.version }),
    };
  } catch {
    return undefined;
  }
}

/** The version of package `name` as `import` would find it from `roots`; `@archlab/core`'s own. */
function installedVersion(name: string, roots: readonly string[]): string | undefined {
  if (name === '@archlab/core') return coreVersion();
  const dir = pluginPackageDir(name, roots);
  return dir ? readManifest(dir)?.version : undefined;
}
