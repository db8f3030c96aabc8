import {
  type Estimator,
  type EstimatorFactory,
  type MetricSpec,
  type OptionValues,
  parseOptions,
} from '@archlab/core';
import { EVAL_IMAGES_OPTION, weightSharingEstimator } from '@archlab/oneshot';
import type { Mbv3Arch } from '@archlab/space-mbv3';
import { OFA_ESTIMATOR, OfaRun, type OfaService } from './ofa-service.js';

/** What `ofa-subnet` returns for every trial. */
export const OFA_METRICS: readonly MetricSpec[] = [
  {
    name: 'ofa_acc',
    direction: 'max',
    description:
      "accuracy (%) on the validation images of the subnet with the run's OFA supernet weights, batch norm recalibrated",
  },
  {
    name: 'supernet_images',
    direction: 'min',
    description: 'images the supernet had been trained and scored on when the subnet was scored',
  },
];

const options = {
  'bn-images': {
    type: 'int',
    default: 512,
    min: 1,
    max: 60000,
    description:
      "training images batch norm's running statistics are recomputed on before scoring (a fixed seeded set, at the subnet's resolution)",
  },
  'eval-images': EVAL_IMAGES_OPTION,
} as const;

/**
 * `ofa-subnet`: scores an mbv3 subnet with the weights it inherits from the run's OFA supernet
 * (transformed kernels, first channels, first blocks), its BN statistics recalibrated, as OFA
 * does. Deterministic on one backend; in-process only (it shares the run's supernet).
 */
export const ofaEstimatorFactory: EstimatorFactory = {
  name: OFA_ESTIMATOR,
  description:
    "accuracy of an mbv3 subnet with weights inherited from the run's OFA supernet (BN recalibrated)",
  options,
  create(_space, raw, ctx): Estimator {
    const o = parseOptions(OFA_ESTIMATOR, options, raw) as OptionValues<typeof options>;
    return weightSharingEstimator(
      OFA_ESTIMATOR,
      OFA_METRICS,
      ctx?.services.get<OfaService>(OfaRun),
      `the ${OFA_ESTIMATOR} estimator scores with a run's OFA supernet; use it in a search`,
      async (s, arch) => {
        const acc = await s.score(arch as Mbv3Arch, {
          bnImages: o['bn-images'],
          evalImages: o['eval-images'],
        });
        return { ofa_acc: acc, supernet_images: s.images };
      },
    );
  },
};
