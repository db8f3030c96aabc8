import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Estimator,
  type EstimatorFactory,
  inPoolWorker,
  type MetricSpec,
  type Metrics,
  type SearchSpace,
  type ThreadRunner,
  threadRunner,
} from '@archlab/core';
import {
  type BackendChoice,
  initBackend,
  SAFETENSORS_FORMAT,
  type SpaceNetworks,
  type TfjsSpaceNetwork,
} from '@archlab/nn';
import { loadDataset } from '../data/registry.js';
import { parseTrainOptions, trainOptionsSpec } from './train-options.js';
import { runTrainingTrial } from './trial.js';

/** This package's folder, which the runner's workers load the `train` estimator from. */
const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** What `train` returns for every trial; accuracies in percent, as in the NAS-Bench-201 table. */
export const TRAIN_METRICS: readonly MetricSpec[] = [
  { name: 'val_acc', direction: 'max', description: 'accuracy on the held-out validation split (%)' },
  { name: 'test_acc', direction: 'max', description: 'accuracy on the test split (%)' },
  { name: 'train_acc', direction: 'max', description: 'accuracy on the training images, last epoch (%)' },
  { name: 'loss', direction: 'min', description: 'training loss, last epoch' },
  { name: 'params', direction: 'min', description: 'trainable parameters' },
  { name: 'flops', direction: 'min', description: 'multiply-adds per image' },
  { name: 'train_ms', direction: 'min', description: 'training time, validation included' },
  { name: 'epochs_run', direction: 'max', description: 'epochs trained (fewer when stopped early)' },
];

/**
 * `train`: trains each candidate from scratch on a real data set, on a `threadRunner` of its
 * own (one worker thread per trial, one tfjs backend instance each; in a worker it trains in
 * that thread), and reports one TrialProgressed per epoch. With `save-weights`, each trial's
 * trained weights are kept with its result (`weights`, safetensors). It trains the spaces of
 * `networks` (those whose package binds a SpaceNetwork).
 */
export function trainEstimatorFactory(networks: SpaceNetworks): EstimatorFactory {
  return {
    ...trainEstimator,
    spaces: networks.spaces(),
    create: (space, options) =>
      trainEstimator.create(space, options, networks.get(space.name, 'the train estimator')),
  };
}

/** The `train` estimator of `space`, whose networks `network` builds. */
const trainEstimator = {
  name: 'train',
  description: 'train the network on a data set (Fashion-MNIST by default) and report its accuracy',
  options: trainOptionsSpec,
  create(
    space: SearchSpace,
    options: Readonly<Record<string, unknown>>,
    network: TfjsSpaceNetwork,
  ): Estimator {
    const o = parseTrainOptions(options);
    const workers = o.workers || availableParallelism();
    let runner: ThreadRunner | undefined;
    const estimator: Estimator = {
      name: 'train',
      metrics: TRAIN_METRICS,
      // Seeded init and shuffling give the same numbers on one backend, but float rounding differs
      // between backends and thread counts, so replay does not re-train.
      deterministic: false,
      parallelism: workers,
      async prepare() {
        // Fails before the run starts when the data set is missing or the backend cannot load,
        // and records which backend the workers (which choose the same way) train on.
        const [backend] = await Promise.all([
          initBackend(o.backend as BackendChoice),
          loadDataset(o.dataset, { dataDir: o['data-dir'] }),
        ]);
        return { backend: backend.name, workers: String(workers) };
      },
      async evaluate(arch, ctx): Promise<Metrics> {
        if (!inPoolWorker()) {
          runner ??= threadRunner({
            size: workers,
            space,
            recipe: {
              // The workers need this package and the one that binds the space and its network.
              packages: [...new Set([PACKAGE_DIR, packageDirOf(network.module)])],
              from: [PACKAGE_DIR],
              space: space.name,
              spaceOptions: space.options ?? {},
              estimator: 'train',
              estimatorOptions: options,
            },
          });
          return runner.run({ arch, ...ctx });
        }
        const { metrics, weights } = await runTrainingTrial(
          {
            space: space.name,
            spaceOptions: space.options ?? {},
            network: network.module,
            arch: space.key(arch),
            options: o,
            seed: ctx.seed,
          },
          ctx,
        );
        if (weights) ctx.saveArtifact?.('weights', weights, SAFETENSORS_FORMAT);
        return metrics;
      },
      async dispose() {
        await runner?.dispose();
      },
    };
    return estimator;
  },
};

/** The folder of the package a `file:` module URL lies in (its nearest package.json). */
function packageDirOf(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let d = start; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return start;
  }
}
