import { nb201Cifar10Factory, nb201SpaceFactory } from '@archlab/bench-nb201';
import { strategyContract } from '@archlab/core/testing';
import { supernetRunService } from '@archlab/oneshot';
import { registerTinyDataset, TINY_SUPERNET } from '@archlab/oneshot/testing';
import { enasStrategyFactory } from './enas-strategy.js';

registerTinyDataset();

// Six epochs on a tiny supernet with a small controller budget, each proposed cell looked up in
// the NB201 table: every resume point, verify, pruning, warm-up trials, several in flight.
strategyContract(enasStrategyFactory, {
  space: nb201SpaceFactory,
  estimator: nb201Cifar10Factory,
  runServices: [supernetRunService],
  strategyOptions: {
    ...TINY_SUPERNET,
    epochs: 6,
    'controller-steps': 2,
    'controller-batch': 3,
    candidates: 3,
  },
  trials: 6,
  checkpointEvery: 1,
});
