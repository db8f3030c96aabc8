// A worker process of `bench oneshot-ranking` (forked by main.mjs, jobs over IPC), so that the
// supernet and the stand-alone trainings share the cores. Two kinds of job, each the library's
// own code path:
//   supernet: SPOS (the `spos` strategy's asks: one epoch of uniform single-path training each,
//     on the run's `supernet` service) for `epochs`, then every cell scored by the `oneshot`
//     estimator (BN recalibrated on a fixed seeded image set, accuracy on the validation split);
//   standalone: one cell trained from scratch by runTrainingTrial (the `train` estimator's code
//     path) at the supernet's size (the nb201 space's options), test accuracy on the test split.

import { nb201Space } from '../../packages/bench-nb201/dist/index.js';
import { Rng } from '../../packages/core/dist/index.js';
import {
  oneshotEstimatorFactory,
  SupernetRun,
  sposStrategyFactory,
  supernetRunService,
} from '../../packages/oneshot/dist/index.js';
import { serveJobs, trainStandalone } from '../bench-jobs.mjs';

const say = (line) => process.stderr.write(`oneshot-ranking: ${line}\n`);

/** A hand-made run scope of one service, what the engine gives a run of `--strategy spos --estimator oneshot`. */
function runScope(config) {
  const services = new Map();
  const reporter = {
    async report(step, m) {
      say(
        `supernet epoch ${step}/${config.strategyOptions.epochs}: loss ${m.loss.toFixed(3)}, train acc ${m.train_acc.toFixed(1)}%`,
      );
    },
  };
  const scope = {
    config,
    space: nb201Space,
    get: (token) => services.get(token),
    has: (token) => services.has(token),
    progress: () => reporter,
    reporter,
  };
  services.set(SupernetRun, supernetRunService.create(scope));
  return scope;
}

async function supernet({ strategyOptions, oneshotOptions, seed, keys }) {
  const started = performance.now();
  const scope = runScope({ strategy: 'spos', estimator: 'oneshot', seed, concurrency: 1, strategyOptions });
  const spos = sposStrategyFactory.create({
    space: nb201Space,
    rng: Rng.fromSeed(`${seed}/strategy`),
    options: strategyOptions,
    objective: { metric: 'oneshot_acc', direction: 'max' },
    budget: { trials: strategyOptions.epochs },
    concurrency: 1,
    services: scope,
    progress: scope.reporter,
  });
  // Each of SPOS's first `epochs` asks trains the supernet one epoch (its proposal is not used).
  for (let e = 0; e < strategyOptions.epochs; e++) await spos.ask();
  const trained = performance.now();
  const estimator = oneshotEstimatorFactory.create(nb201Space, oneshotOptions, { services: scope });
  await estimator.prepare?.();
  const signal = new AbortController().signal;
  const oneshot = {};
  for (const key of keys) {
    const m = await estimator.evaluate(nb201Space.parse(key), { seed, signal, report() {} });
    oneshot[key] = m.oneshot_acc;
  }
  const service = scope.get(SupernetRun);
  return {
    oneshot,
    images: service.images,
    backend: service.backend,
    trainSeconds: (trained - started) / 1000,
    scoreSeconds: (performance.now() - trained) / 1000,
  };
}

serveJobs({ supernet, standalone: (job) => trainStandalone(nb201Space.name, job) });
