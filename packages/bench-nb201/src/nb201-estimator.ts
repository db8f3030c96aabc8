import { type Estimator, type EstimatorFactory, MalformedArchitectureError } from '@archlab/core';
import type { Nb201Arch } from './nb201-arch.js';
import { type Nb201Dataset, nb201Table } from './nb201-table.js';

const DATASETS: Readonly<Record<Nb201Dataset, { readonly name: string; readonly label: string }>> = {
  cifar10: { name: 'nb201:cifar10', label: 'CIFAR-10' },
  cifar100: { name: 'nb201:cifar100', label: 'CIFAR-100' },
  imagenet16_120: { name: 'nb201:imagenet16-120', label: 'ImageNet16-120' },
};

/**
 * Looks an architecture up in the NAS-Bench-201 table: `test_acc` is the test accuracy (%) on
 * `dataset` after the benchmark's 200-epoch training, averaged over its seeds. The table is
 * loaded here, not on the first trial, so a missing data file stops the run before it starts.
 */
export function nb201Estimator(dataset: Nb201Dataset): Estimator<Nb201Arch> {
  const { name, label } = DATASETS[dataset];
  const table = nb201Table();
  return {
    name,
    metrics: [
      {
        name: 'test_acc',
        direction: 'max',
        description: `${label} test accuracy (%) after 200 epochs, mean over the NAS-Bench-201 seeds`,
      },
    ],
    deterministic: true,
    optimum: { test_acc: table.best(dataset) },
    async evaluate(arch) {
      // The table has a row for every valid architecture (its loader checks), so no record means a bad input.
      const record = table.record(arch);
      if (!record)
        throw new MalformedArchitectureError('nb201', describe(arch), 'not 6 op indices in [0, 5)');
      return { test_acc: record[dataset] };
    },
  };
}

function describe(arch: unknown): string {
  return Array.isArray(arch) ? `[${arch.join(',')}]` : String(arch);
}

function factory(dataset: Nb201Dataset): EstimatorFactory {
  const { name, label } = DATASETS[dataset];
  return {
    name,
    description: `NAS-Bench-201 table lookup: ${label} test accuracy after 200 epochs`,
    spaces: ['nb201'],
    options: {},
    create: () => nb201Estimator(dataset),
  };
}

/** `--estimator nb201:cifar10` */
export const nb201Cifar10Factory = factory('cifar10');
/** `--estimator nb201:cifar100` */
export const nb201Cifar100Factory = factory('cifar100');
/** `--estimator nb201:imagenet16-120` */
export const nb201ImageNet16Factory = factory('imagenet16_120');
