import { type OptionValues, parseOptions } from '@archlab/core';
import { BACKENDS } from '@archlab/nn';

/** Options of every `zc:*` estimator and of `scoreArchitectures` (`--estimator-option NAME=VALUE`). */
export const zeroCostOptionsSpec = {
  'batch-size': {
    type: 'int',
    // The reference code uses 64; cost grows about linearly with it (see the README), and 16
    // keeps all eight proxies near 2 s per NAS-Bench-201 architecture on one core.
    default: 16,
    min: 2,
    max: 1024,
    description:
      'training images in the minibatch of the data-dependent proxies (snip, grasp, fisher, grad_norm, jacob_cov)',
  },
  dataset: { type: 'string', default: 'fashion-mnist', description: 'data set the minibatch is drawn from' },
  'data-dir': {
    type: 'string',
    default: '',
    description:
      "directory of the data set's files (empty: its environment variable, then its default location)",
  },
  backend: {
    type: 'enum',
    values: ['auto', ...BACKENDS],
    default: 'auto',
    description: 'tfjs backend; auto takes the first that loads of tensorflow-gpu, tensorflow, wasm, cpu',
  },
  'init-seed': {
    type: 'int',
    default: 0,
    min: 0,
    description:
      'seeds the initial weights and the minibatch, the same for every architecture and trial so that scores compare',
  },
} as const;

export type ZeroCostOptions = OptionValues<typeof zeroCostOptionsSpec>;

/** Validates raw options (unknown names and out-of-range values are InvalidOptionErrors) and fills defaults. */
export function parseZeroCostOptions(
  raw: Readonly<Record<string, unknown>> = {},
  owner = 'zero-cost proxies',
): ZeroCostOptions {
  return parseOptions(owner, zeroCostOptionsSpec, raw);
}
