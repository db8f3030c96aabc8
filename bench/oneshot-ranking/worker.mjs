// A worker process of `bench oneshot-ranking` (forked by main.mjs, jobs over IPC), so that the
// supernet and the stand-alone trainings share the cores. Two kinds of job, each the library's
// own code path:
//   supernet: a SPOS run of `epochs` trials (the `spos` strategy's asks: one epoch of uniform
//     single-path training each, on the run's `supernet` service), then every cell scored by the
//     `oneshot` estimator (BN recalibrated on a fixed seeded image set, accuracy on the
//     validation split);
//   standalone: one cell trained from scratch by runTrainingTrial (the `train` estimator's code
//     path) at the supernet's size (the nb201 space's options), test accuracy on the test split.

import { nb201Space } from '../../packages/bench-nb201/dist/index.js';
import { InMemoryEventStore, loadPlugins, PluginRegistry, Search } from '../../packages/core/dist/index.js';
import { oneshotEstimatorFactory, SupernetRun } from '../../packages/oneshot/dist/index.js';
import { scoreKeys, serveJobs, trainStandalone } from '../bench-jobs.mjs';

const say = (line) => process.stderr.write(`oneshot-ranking: ${line}\n`);
const cliDir = new URL('../../packages/cli/', import.meta.url).pathname;

async function supernet({ strategyOptions, oneshotOptions, seed, keys }) {
  const started = performance.now();
  // The run `archlab search --space nb201 --strategy spos --estimator oneshot --trials EPOCHS`
  // makes, in memory: the engine builds its scope and `supernet` service. Each of SPOS's first
  // `epochs` trials trains the supernet one epoch (its random proposal, scored, is not used).
  const { container } = await loadPlugins(['@archlab/bench-nb201', '@archlab/oneshot'], [cliDir]);
  const search = await Search.start(
    { store: new InMemoryEventStore(), plugins: new PluginRegistry(container) },
    {
      space: 'nb201',
      estimator: 'oneshot',
      estimatorOptions: oneshotOptions,
      strategy: 'spos',
      strategyOptions,
      seed,
      budget: { trials: strategyOptions.epochs },
    },
    'oneshot-ranking',
  );
  const epochs = search.events$.subscribe((e) => {
    if (e.type !== 'Progressed') return;
    const { step, metrics: m } = e.data;
    say(
      `supernet epoch ${step}/${strategyOptions.epochs}: loss ${m.loss.toFixed(3)}, train acc ${m.train_acc.toFixed(1)}%`,
    );
  });
  try {
    await search.run();
  } finally {
    epochs.unsubscribe();
  }
  const trained = performance.now();
  // The cells are scored by the estimator with the run's services, as the run's own trials are.
  const { services } = search.plugins;
  const estimator = oneshotEstimatorFactory.create(nb201Space, oneshotOptions, { services });
  const oneshot = await scoreKeys(estimator, nb201Space, keys, seed, 'oneshot_acc');
  const service = services.get(SupernetRun);
  return {
    oneshot,
    images: service.images,
    backend: service.backend,
    trainSeconds: (trained - started) / 1000,
    scoreSeconds: (performance.now() - trained) / 1000,
  };
}

serveJobs({ supernet, standalone: (job) => trainStandalone(nb201Space.name, job) });
