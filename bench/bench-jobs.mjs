import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { bootstrapInterval } from '../packages/core/dist/index.js';
import { loadDataset, parseTrainOptions, runTrainingTrial } from '../packages/trainer-tfjs/dist/index.js';

/**
 * Runs `jobs` on `workers` forked processes of the script `worker` (jobs over IPC: it answers
 * each `{ ...job, id }` with `{ id, result, seconds }` or `{ id, error }`), each taking the next
 * job when free; `onDone(job, result, seconds)` as each finishes, `seconds` the job's own time in
 * its worker. Resolves with the results in job order.
 */
export async function runJobs(worker, jobs, workers, onDone) {
  const results = new Array(jobs.length);
  let next = 0;
  const children = [];
  const one = () =>
    new Promise((resolveAll, reject) => {
      const child = fork(worker, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      const give = () => {
        if (next >= jobs.length) {
          child.disconnect();
          return resolveAll();
        }
        const id = next++;
        child.send({ ...jobs[id], id });
      };
      child.on('message', (m) => {
        if (m.error !== undefined) return reject(new Error(`${jobs[m.id].what}: ${m.error}`));
        results[m.id] = m.result;
        onDone(jobs[m.id], m.result, m.seconds);
        give();
      });
      child.on('exit', (code, signal) => {
        if (code !== 0) reject(new Error(`a worker exited with ${signal ?? `code ${code}`}`));
      });
      give();
    });
  try {
    await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, one));
  } finally {
    for (const c of children) if (c.exitCode === null && c.connected) c.kill();
  }
  return results;
}

/**
 * The flags a ranking bench (a supernet's inherited accuracy against stand-alone training)
 * shares, with its own `defaults` (numbers by flag name) and `out` folder.
 */
export function rankingFlags(defaults, out) {
  const int = (name, min, description, max) => ({
    type: 'int',
    default: defaults[name],
    min,
    ...(max !== undefined && { max }),
    description,
  });
  return {
    'train-images': int('train-images', 10, "supernet's training images (training split)"),
    'val-images': int(
      'val-images',
      10,
      'supernet validation images: the inherited accuracy is measured on them',
    ),
    'bn-images': int('bn-images', 0, 'images of BN recalibration before each architecture is scored'),
    'sa-epochs': int('sa-epochs', 1, 'stand-alone training epochs', 1000),
    'sa-images': int('sa-images', 10, 'stand-alone training images (training split)'),
    'sa-batch': int('sa-batch', 1, 'stand-alone batch size', 4096),
    'test-images': int('test-images', 10, 'test images of the stand-alone accuracy', 10000),
    resamples: int('resamples', 10, 'bootstrap resamples', 100000),
    workers: {
      type: 'int',
      default: availableParallelism(),
      min: 1,
      max: 64,
      description: 'worker processes',
    },
    out: { type: 'string', default: out, description: 'folder of results.csv and results.json' },
  };
}

/**
 * The stand-alone `train` options a ranking bench's flags (`rankingFlags`, `seed`) make, and the
 * data set, checked to hold the supernet's training and validation images (a missing data set is
 * the library's DataError): both before any worker starts.
 */
export async function rankingTrainOptions(opts) {
  const trainOptions = parseTrainOptions({
    epochs: opts['sa-epochs'],
    'batch-size': opts['sa-batch'],
    'max-train': opts['sa-images'],
    'max-test': opts['test-images'],
    'split-seed': opts.seed,
  });
  const dataset = await loadDataset(trainOptions.dataset);
  if (opts['train-images'] + opts['val-images'] > dataset.train.count) {
    throw new Error(
      `--train-images (${opts['train-images']}) and --val-images (${opts['val-images']}) add up to more than the ${dataset.train.count} training images of ${dataset.name}`,
    );
  }
  return { trainOptions, dataset };
}

/** In a worker process: answers each job of `runJobs` with `handlers[job.kind](job)` and its time. */
export function serveJobs(handlers) {
  process.on('message', async (job) => {
    try {
      const started = performance.now();
      const result = await handlers[job.kind](job);
      process.send({ id: job.id, result, seconds: (performance.now() - started) / 1000 });
    } catch (err) {
      process.send({ id: job.id, error: err instanceof Error ? err.message : String(err) });
    }
  });
}

/** One architecture trained from scratch by the `train` estimator's code path; its metrics. */
export async function trainStandalone(space, { network, spaceOptions, key, options, seed }) {
  const { metrics } = await runTrainingTrial(
    { space, spaceOptions, network, arch: key, options, seed },
    { report() {}, signal: new AbortController().signal },
  );
  return metrics;
}

/**
 * A ranking bench's stand-alone jobs: `job(key, seed)` for every key, once per seed, seed by seed;
 * each job's `run` is its seed's index.
 */
export function seededJobs(keys, seeds, job) {
  return seeds.flatMap((seed, run) =>
    keys.map((key) => ({ ...job(key, seed), what: `${key} (seed ${seed})`, run })),
  );
}

/**
 * Runs a ranking bench's jobs (its supernet's first, then `seededJobs`) on `workers` processes of
 * `worker`, saying each as it ends (`items`: what the supernet scores, e.g. `cells`); a failed job
 * is said and the bench exits with status 1. Resolves with the results in job order.
 */
export async function runRankingJobs(worker, jobs, workers, say, items) {
  let done = 0;
  try {
    return await runJobs(worker, jobs, workers, (job, r) => {
      done++;
      const what =
        job.kind === 'supernet'
          ? `supernet trained (${r.trainSeconds.toFixed(0)} s) and ${job.keys.length} ${items} scored (${r.scoreSeconds.toFixed(0)} s)`
          : `${job.key} seed ${job.run + 1}: ${r.test_acc.toFixed(1)}%`;
      say(`${done}/${jobs.length} ${what}`);
    });
  } catch (err) {
    say(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}

/** The stand-alone test accuracies of each seed (`run`), in key order, from `runRankingJobs`'s results. */
export function accuracyBySeed(jobs, results, seeds) {
  return seeds.map((_, run) => results.filter((_, i) => jobs[i].run === run).map((m) => m.test_acc));
}

/** `stat(xs, ys)` with its seeded percentile bootstrap 95% interval: `{ value, low, high }`. */
export function withInterval(xs, ys, stat, seed, resamples) {
  const { low, high } = bootstrapInterval(xs, ys, stat, { seed, resamples });
  return { value: stat(xs, ys), low, high };
}

/**
 * A supernet job's scores: `estimator` (a weight-sharing one, made with the run's services)
 * evaluates each architecture key of `space` in order, as a run's trials are; `metric` of each, by key.
 */
export async function scoreKeys(estimator, space, keys, seed, metric) {
  await estimator.prepare?.();
  const signal = new AbortController().signal;
  const scores = {};
  for (const key of keys) {
    const m = await estimator.evaluate(space.parse(key), { seed, signal, report() {} });
    scores[key] = m[metric];
  }
  return scores;
}
