import type { OptionValues } from '@archlab/core';
import { supernetDataOptionsSpec } from '@archlab/oneshot';
import { regularizedEvolutionFactory } from '@archlab/strategy-evolution';

/** The phases of progressive shrinking, in order; a phase's number in the log is its index here. */
export const OFA_PHASES = ['full', 'kernel', 'depth', 'expand'] as const;
export type OfaPhase = (typeof OFA_PHASES)[number];

const phaseEpochs = (phase: OfaPhase, def: number, what: string) =>
  ({
    type: 'int',
    default: def,
    min: phase === 'full' ? 1 : 0,
    max: 1000,
    description: `epochs of the ${phase} phase: ${what}`,
  }) as const;

/**
 * The `ofa` strategy's options: the supernet's data and optimizer (the one-shot strategies'),
 * the phases, the distillation, and the search. The defaults train on 2000 Fashion-MNIST
 * images, 6 epochs in all, a few minutes on 2 cores.
 */
export const ofaOptionsSpec = {
  ...supernetDataOptionsSpec,
  lr: {
    ...supernetDataOptionsSpec.lr,
    default: 0.05,
    description: 'peak learning rate of the full phase (SGD, cosine over the phase)',
  },
  'shrink-lr': {
    type: 'number',
    default: 0.02,
    min: 0,
    max: 10,
    description: 'peak learning rate of the kernel, depth and expand phases (each its own cosine)',
  },
  'full-epochs': phaseEpochs('full', 3, 'the largest network only (the teacher is its weights at the end)'),
  'kernel-epochs': phaseEpochs('kernel', 1, 'a kernel drawn per block'),
  'depth-epochs': phaseEpochs('depth', 1, 'a depth per stage and a kernel per block'),
  'expand-epochs': phaseEpochs('expand', 1, 'channels sorted first; depth, kernel and expand ratio drawn'),
  'subnets-per-step': {
    type: 'int',
    default: 1,
    min: 1,
    max: 16,
    description:
      "subnets drawn per training step of the kernel, depth and expand phases, at one resolution, their losses summed before the step (OFA's dynamic_batch_size; the reference uses 1, 2 and 4)",
  },
  'kd-weight': {
    type: 'number',
    default: 1,
    min: 0,
    max: 100,
    description: "weight of the distillation loss after the full phase (OFA's kd_ratio: 1)",
  },
  'kd-temperature': {
    type: 'number',
    default: 1,
    min: 0.01,
    max: 100,
    description: 'temperature T of the soft labels: the distillation loss is T²·KL(teacher ‖ student) at T',
  },
  'predictor-samples': {
    type: 'int',
    default: 40,
    min: 2,
    max: 10000,
    description: 'random subnets measured (inherited accuracy, trials) to fit the accuracy predictor',
  },
  budgets: {
    type: 'string',
    default: '',
    description:
      'latency budgets in ms, comma-separated (e.g. 5,8,12): a subnet picked under each (needs a hardware model giving latency_ms, e.g. --hardware lut); empty: one pick under the run’s constraints',
  },
  'search-steps': {
    type: 'int',
    default: 600,
    min: 1,
    max: 100000,
    description: 'subnets the evolution over the predictor looks at per budget',
  },
  population: regularizedEvolutionFactory.options.population!,
  sampleSize: regularizedEvolutionFactory.options.sampleSize!,
} as const;

export type OfaOptions = OptionValues<typeof ofaOptionsSpec>;

/** True when a strategy's options are the `ofa` strategy's (the run trains an OFA supernet). */
export function trainsOfa(strategyOptions: Readonly<Record<string, unknown>>): boolean {
  return 'full-epochs' in strategyOptions && 'kd-weight' in strategyOptions;
}
