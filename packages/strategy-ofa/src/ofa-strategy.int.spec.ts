import { strategyContract } from '@archlab/core/testing';
import { registerTinyDataset } from '@archlab/oneshot/testing';
import { ofaEstimatorFactory } from './ofa-estimator.js';
import { ofaRunService } from './ofa-service.js';
import { ofaStrategyFactory } from './ofa-strategy.js';
import { TINY_OFA, tinyMbv3SpaceFactory } from './testing.js';

registerTinyDataset();

// Four phases of one epoch each (training asks), three measured subnets, one pick by the
// predictor: every resume point (in each phase, in the measurements, at the pick), verify,
// pruning and warm-up trials on a real supernet.
strategyContract(ofaStrategyFactory, {
  space: tinyMbv3SpaceFactory,
  estimator: ofaEstimatorFactory,
  runServices: [ofaRunService],
  strategyOptions: TINY_OFA,
  trials: 8,
  checkpointEvery: 1,
  oneAtATime: 'the ofa-subnet estimator scores with the supernet the strategy trains between trials',
});
