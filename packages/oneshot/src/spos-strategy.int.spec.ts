import { nb201SpaceFactory } from '@archlab/bench-nb201';
import { strategyContract } from '@archlab/core/testing';
import { oneshotEstimatorFactory } from './oneshot-estimator.js';
import { sposStrategyFactory } from './spos-strategy.js';
import { supernetRunService } from './supernet-service.js';
import { registerTinyDataset, TINY_SUPERNET } from './testing.js';

registerTinyDataset();

// Two epochs of training (random proposals), then ten evolution proposals scored with the
// supernet's weights: every resume point, verify, pruning and warm-up trials on a real supernet.
strategyContract(sposStrategyFactory, {
  space: nb201SpaceFactory,
  estimator: oneshotEstimatorFactory,
  runServices: [supernetRunService],
  strategyOptions: { ...TINY_SUPERNET, epochs: 2, population: 2, sampleSize: 2 },
  trials: 12,
  checkpointEvery: 1,
  oneAtATime: 'the oneshot estimator scores with the supernet the strategy trains between trials',
});
