import { FEATURE_KINDS } from './arch-features.js';

/** The options both strategies take for their surrogate and bookkeeping, with defaults tuned on NAS-Bench-201. */
export const guidedSearchOptions = {
  features: {
    type: 'enum',
    values: FEATURE_KINDS,
    default: 'onehot',
    description:
      "surrogate inputs: one-hot choices, BANANAS path encoding (DAG spaces with 'from->to' decisions; one-hot elsewhere), or both",
  },
  emptyChoice: {
    type: 'string',
    default: 'none',
    description:
      "label of a decision's empty choice (NAS-Bench-201: none); it cuts paths in the path features",
  },
  members: { type: 'int', default: 5, min: 1, max: 32, description: 'networks in the surrogate ensemble' },
  hidden: { type: 'int', default: 16, min: 1, max: 512, description: 'width of each hidden layer' },
  layers: { type: 'int', default: 2, min: 1, max: 8, description: 'hidden layers of each network' },
  epochs: {
    type: 'int',
    default: 2,
    min: 1,
    max: 10_000,
    description:
      'passes over all results each time the surrogate is refitted (it continues from its weights)',
  },
  minSteps: {
    type: 'int',
    default: 10,
    min: 0,
    max: 100_000,
    description: 'fewest minibatch steps of a refit, so the first fits on a handful of results still learn',
  },
  batchSize: { type: 'int', default: 32, min: 1, max: 4096, description: 'minibatch size' },
  learningRate: { type: 'number', default: 0.01, min: 1e-6, max: 1, description: "Adam's step size" },
  maxRetries: {
    type: 'int',
    default: 1000,
    min: 1,
    description: 'random draws per proposal before giving up on finding an unseen architecture',
  },
} as const;
