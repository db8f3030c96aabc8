import {
  ConfigError,
  type Estimator,
  type EstimatorFactory,
  type EvaluationContext,
  type MetricSpec,
  type Metrics,
  type OptionValues,
  parseOptions,
} from '@archlab/core';
import { inheritedAccuracy, type TrainableSupernet } from '@archlab/supernet';
import { SupernetRun, type SupernetService, type WeightSharingService } from './supernet-service.js';

/** What `oneshot` returns for every trial. */
export const ONESHOT_METRICS: readonly MetricSpec[] = [
  {
    name: 'oneshot_acc',
    direction: 'max',
    description:
      "accuracy (%) on the validation images with the run's supernet weights, batch norm recalibrated",
  },
  {
    name: 'supernet_images',
    direction: 'min',
    description: 'images the supernet had been trained and scored on when the architecture was scored',
  },
];

/** An inherited-accuracy estimator's `eval-images` option (`oneshot`, `ofa-subnet`). */
export const EVAL_IMAGES_OPTION = {
  type: 'int',
  default: 0,
  min: 0,
  description: 'score on this many validation images, a fixed seeded subset (0: all of val-images)',
} as const;

const options = {
  'bn-images': {
    type: 'int',
    default: 256,
    min: 1,
    max: 60000,
    description:
      "training images batch norm's running statistics are recomputed on before scoring (a fixed seeded set)",
  },
  'eval-images': EVAL_IMAGES_OPTION,
} as const;

type OneshotOptions = OptionValues<typeof options>;

/**
 * `oneshot`: scores an architecture with the weights it inherits from the run's supernet (the
 * `supernet` service its one-shot strategy trains), as SPOS does: the path's batch-norm running
 * statistics recomputed on a fixed seeded set of training images, then accuracy on a fixed
 * seeded subset of the validation images, in inference mode. Deterministic on one backend, so
 * `replay --verify` scores every trial again (the strategy's replayed asks retrain the supernet
 * to where it was). In-process only: it shares the run's supernet.
 */
export const oneshotEstimatorFactory: EstimatorFactory = {
  name: 'oneshot',
  description: "accuracy with weights inherited from the run's supernet (SPOS-style, BN recalibrated)",
  options,
  create(_space, raw, ctx): Estimator {
    const o = parseOptions('oneshot', options, raw) as OneshotOptions;
    // Outside a run (its metrics asked for) there is no supernet; in one, its checks run now.
    return weightSharingEstimator(
      'oneshot',
      ONESHOT_METRICS,
      ctx?.services.get<SupernetService>(SupernetRun),
      "the oneshot estimator scores with a run's supernet; use it in a search",
      async (s, arch) => {
        const { data } = await s.ready();
        const scored = s.fixedImages(data.val, o['eval-images'], 'eval');
        const acc = await s.keepingBatchNorm((trainer) =>
          inheritedAccuracy(
            trainer,
            s.cells.toPath(arch),
            data,
            { recalibrationImages: o['bn-images'], batchSize: s.options['batch-size'], seed: s.seed },
            scored,
          ),
        );
        return { oneshot_acc: acc, supernet_images: s.images };
      },
    );
  },
};

/**
 * An estimator that scores with a run's weight-sharing service (`oneshot`, `ofa-subnet`):
 * deterministic on one backend, one trial at a time, in-process; outside a run (`service`
 * undefined) it still names its metrics, and evaluating is a ConfigError saying `missing`.
 */
export function weightSharingEstimator<S extends WeightSharingService<TrainableSupernet>>(
  name: string,
  metrics: readonly MetricSpec[],
  service: S | undefined,
  missing: string,
  evaluate: (service: S, arch: unknown, ctx: EvaluationContext) => Promise<Metrics>,
): Estimator {
  const need = (): S => {
    if (!service) throw new ConfigError(missing);
    return service;
  };
  return {
    name,
    metrics,
    deterministic: true,
    parallelism: 1,
    async prepare() {
      const s = await need().ready();
      return { backend: s.backend };
    },
    evaluate: (arch, ctx) => evaluate(need(), arch, ctx),
  };
}
