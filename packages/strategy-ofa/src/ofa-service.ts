import { ConfigError, type RunScope, type RunService, type SearchSpace } from '@archlab/core';
import type { Network } from '@archlab/nn';
import { optionsOf, supernetDataOptionsSpec, WeightSharingService } from '@archlab/oneshot';
import type { Mbv3Arch, Mbv3SpaceConfig } from '@archlab/space-mbv3';
import { inheritedAccuracy } from '@archlab/supernet';
import { type Dataset, resizeTrainingData, type Samples, type TrainingData } from '@archlab/trainer-tfjs';
import { trainsOfa } from './ofa-options.js';
import { OfaSupernet } from './ofa-supernet.js';

/** The token of the run's OFA supernet service (`ctx.services.get(OfaRun)`). */
export const OfaRun: unique symbol = Symbol.for('archlab.OfaRun');

/** The estimator that scores subnets with the run's OFA supernet. */
export const OFA_ESTIMATOR = 'ofa-subnet';

export interface SubnetScoreOptions {
  /** Training images (a fixed seeded set) BN statistics are recomputed on. */
  readonly bnImages: number;
  /** Validation images scored (a fixed seeded subset); 0: all. */
  readonly evalImages: number;
  /** Sees the scored network (inherited weights, BN recalibrated) before it is disposed: to keep its weights. */
  readonly scored?: (net: Network) => void;
}

/**
 * The run's OFA supernet (`RunService` `ofa-supernet`): the elastic supernet of the run's mbv3
 * space, its optimizer, data split and position, checkpointed (the frozen teacher too). The
 * `ofa` strategy trains it; the `ofa-subnet` estimator scores subnets with it. Its options are
 * the strategy's.
 */
export class OfaService extends WeightSharingService<OfaSupernet> {
  /** The space's shape: what the supernet holds at its largest. */
  readonly shape: Mbv3SpaceConfig;
  /** Keys of the subnets the strategy picked under a budget. */
  private readonly picks = new Set<string>();

  constructor(scope: RunScope) {
    const { config } = scope;
    if (!trainsOfa(config.strategyOptions)) {
      throw new ConfigError(
        `the ${OFA_ESTIMATOR} estimator scores with the supernet the ofa strategy trains; strategy '${config.strategy}' trains none (use --strategy ofa)`,
      );
    }
    if (config.estimator === OFA_ESTIMATOR && config.concurrency !== 1) {
      throw new ConfigError(
        `the ${OFA_ESTIMATOR} estimator scores with the supernet the strategy trains between trials, one trial at a time; drop --concurrency ${config.concurrency}`,
      );
    }
    const shape = elasticShape(scope.space);
    super(scope, optionsOf('ofa', supernetDataOptionsSpec, config.strategyOptions));
    this.shape = shape;
  }

  /** The training data with every image resized to `resolution` (how a subnet sees them). */
  at(resolution: number): TrainingData {
    const data = this.data;
    return resizeTrainingData(data, [resolution, resolution, data.dataset.imageShape[2]]);
  }

  /**
   * Records that the strategy picked subnet `key` under a budget (as it proposes it): the
   * `ofa-subnet` estimator keeps a pick's weights. A replayed ask records it again, so a pick a
   * crash left unscored keeps them when it is scored on resume.
   */
  markPicked(key: string): void {
    this.picks.add(key);
  }

  /** True once the strategy has picked subnet `key` under a budget. */
  isPicked(key: string): boolean {
    return this.picks.has(key);
  }

  /**
   * Inherited accuracy (%) of one subnet: its BN statistics recalibrated on a fixed seeded set of
   * training images, then its stand-alone network with the supernet's weights scored on a fixed
   * seeded subset of the validation images, all at its resolution. The supernet's statistics are
   * put back afterwards (a checkpoint never holds a scoring's).
   */
  async score(arch: Mbv3Arch, options: SubnetScoreOptions): Promise<number> {
    return this.scoreOn(
      arch,
      options.bnImages,
      (data) => this.fixedImages(data.val, options.evalImages, 'eval'),
      options.scored,
    );
  }

  /**
   * `score` on other images: those `samples` picks from the data at the subnet's resolution
   * (e.g. test images a stand-alone network is tested on, for a comparison on the same images).
   */
  async scoreOn(
    arch: Mbv3Arch,
    bnImages: number,
    samples: (data: TrainingData) => Samples,
    scored?: (net: Network) => void,
  ): Promise<number> {
    await this.ready();
    const data = this.at(arch.resolution);
    return this.keepingBatchNorm((trainer) =>
      inheritedAccuracy(
        trainer,
        arch,
        data,
        {
          recalibrationImages: bnImages,
          batchSize: this.options['batch-size'],
          seed: this.seed,
          ...(scored && { scored }),
        },
        samples(data),
      ),
    );
  }

  protected build(dataset: Dataset, seed: number): OfaSupernet {
    const [, , inputChannels] = dataset.imageShape;
    return new OfaSupernet({ ...this.shape, inputChannels, numClasses: dataset.numClasses, seed });
  }
}

/**
 * The elastic shape of a space: an mbv3-style space carries its config (widths, strides, the
 * depth, kernel, expand and resolution choices). Any other space is a ConfigError before the run.
 */
export function elasticShape(space: SearchSpace): Mbv3SpaceConfig {
  const config = (space as { config?: Partial<Mbv3SpaceConfig> }).config;
  const lists = ['widths', 'strides', 'depths', 'kernels', 'expands', 'resolutions'] as const;
  if (!config || !lists.every((k) => Array.isArray(config[k])) || typeof config.stem !== 'number') {
    throw new ConfigError(
      `OFA trains an elastic MobileNetV3 supernet: space '${space.name}' has no elastic depths, kernels, expand ratios and resolutions (use --space mbv3)`,
    );
  }
  return config as Mbv3SpaceConfig;
}

/**
 * `ofa-supernet`: the run's OFA supernet, made when the strategy is `ofa` (or the estimator is
 * `ofa-subnet`, which then refuses another strategy); none otherwise.
 */
export const ofaRunService: RunService<OfaService | undefined> = {
  token: OfaRun,
  name: 'ofa-supernet',
  create: (scope) =>
    trainsOfa(scope.config.strategyOptions) || scope.config.estimator === OFA_ESTIMATOR
      ? new OfaService(scope)
      : undefined,
};
