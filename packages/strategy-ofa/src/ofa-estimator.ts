import {
  type Estimator,
  type EstimatorFactory,
  type MetricSpec,
  type OptionValues,
  parseOptions,
} from '@archlab/core';
import { type Network, networkWeights, SAFETENSORS_FORMAT } from '@archlab/nn';
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
  'save-weights': {
    type: 'enum',
    values: ['picks', 'all', 'none'],
    default: 'picks',
    description:
      "which trials keep the scored subnet's weights (safetensors, BN recalibrated) for archlab export-model: picks, the subnets picked per budget; all, every trial; none",
  },
} as const;

/**
 * `ofa-subnet`: scores an mbv3 subnet with the weights it inherits from the run's OFA supernet
 * (transformed kernels, first channels, first blocks), its BN statistics recalibrated, as OFA
 * does. Deterministic on one backend; in-process only (it shares the run's supernet). The scored
 * network's weights are the trial's `weights` artifact (safetensors, as `train` keeps them) for
 * the subnets the strategy picks per budget (`save-weights`), so `archlab export-model` exports
 * a pick as it exports a trained trial.
 */
export const ofaEstimatorFactory: EstimatorFactory = {
  name: OFA_ESTIMATOR,
  description:
    "accuracy of an mbv3 subnet with weights inherited from the run's OFA supernet (BN recalibrated)",
  options,
  create(space, raw, ctx): Estimator {
    const o = parseOptions(OFA_ESTIMATOR, options, raw) as OptionValues<typeof options>;
    return weightSharingEstimator(
      OFA_ESTIMATOR,
      OFA_METRICS,
      ctx?.services.get<OfaService>(OfaRun),
      `the ${OFA_ESTIMATOR} estimator scores with a run's OFA supernet; use it in a search`,
      async (s, arch, trial) => {
        const key = space.key(arch);
        const save = o['save-weights'];
        // Weights only where they are recorded (not in a verify's re-scoring), as `train` keeps them.
        const keep = trial.saveArtifact && (save === 'all' || (save === 'picks' && s.isPicked(key)));
        const acc = await s.score(arch as Mbv3Arch, {
          bnImages: o['bn-images'],
          evalImages: o['eval-images'],
          ...(keep && {
            scored: (net: Network) =>
              trial.saveArtifact!(
                'weights',
                networkWeights(net, { space: space.name, arch: key }),
                SAFETENSORS_FORMAT,
              ),
          }),
        });
        return { ofa_acc: acc, supernet_images: s.images };
      },
    );
  },
};
