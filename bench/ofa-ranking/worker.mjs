// A worker process of `bench ofa-ranking` (forked by main.mjs, jobs over IPC), so that the
// supernet and the stand-alone trainings share the cores. Two kinds of job, each the library's
// own code path:
//   supernet: progressive shrinking (the `ofa` strategy's training asks, one epoch each, on the
//     run's `ofa-supernet` service), then every subnet scored by the `ofa-subnet` estimator;
//   standalone: one subnet trained from scratch by runTrainingTrial (the `train` estimator's
//     code path, images resized to its resolution), test accuracy on the test split.

import { Rng } from '../../packages/core/dist/index.js';
import { mbv3Space } from '../../packages/space-mbv3/dist/index.js';
import {
  OFA_ESTIMATOR,
  OFA_PHASES,
  OfaRun,
  ofaEstimatorFactory,
  ofaStrategyFactory,
} from '../../packages/strategy-ofa/dist/index.js';
import { ofaRunScope } from '../../packages/strategy-ofa/dist/testing.js';
import { scoreKeys, serveJobs, trainStandalone } from '../bench-jobs.mjs';

const say = (line) => process.stderr.write(`ofa-ranking: ${line}\n`);

const reporter = {
  async report(_step, m) {
    if (m.phase_start) return say(`phase ${m.phase} begins (${m.phase_epochs} epochs)`);
    say(
      `supernet epoch ${m.epoch} (phase ${m.phase}): loss ${m.loss.toFixed(3)}, train acc ${m.train_acc.toFixed(1)}%${m.kd === undefined ? '' : `, kd ${m.kd.toFixed(3)}`}`,
    );
  },
};

async function supernet({ spaceOptions, strategyOptions, estimatorOptions, seed, keys }) {
  const started = performance.now();
  const space = mbv3Space(spaceOptions);
  const scope = ofaRunScope(
    { strategy: 'ofa', estimator: OFA_ESTIMATOR, seed, concurrency: 1, strategyOptions },
    space,
    { reporter },
  );
  const epochs = OFA_PHASES.reduce((n, p) => n + strategyOptions[`${p}-epochs`], 0);
  const ofa = ofaStrategyFactory.create({
    space,
    rng: Rng.fromSeed(`${seed}/strategy`),
    options: strategyOptions,
    objective: { metric: 'ofa_acc', direction: 'max' },
    budget: { trials: epochs },
    concurrency: 1,
    services: scope,
    progress: scope.reporter,
  });
  // Each of the first `epochs` asks trains the supernet one epoch (its proposal is not used).
  for (let e = 0; e < epochs; e++) await ofa.ask();
  const trained = performance.now();
  const estimator = ofaEstimatorFactory.create(space, estimatorOptions, { services: scope });
  const inherited = await scoreKeys(estimator, space, keys, seed, 'ofa_acc');
  const service = scope.get(OfaRun);
  return {
    inherited,
    images: service.images,
    backend: service.backend,
    trainSeconds: (trained - started) / 1000,
    scoreSeconds: (performance.now() - trained) / 1000,
  };
}

serveJobs({ supernet, standalone: (job) => trainStandalone('mbv3', job) });
