import { nb201Cifar10Factory, nb201SpaceFactory } from '@archlab/bench-nb201';
import { strategyContract } from '@archlab/core/testing';
import { bananasStrategyFactory } from './bananas-strategy.js';

strategyContract(bananasStrategyFactory);

// 40 trials (the suite's default): 10 random, then three model-guided batches of 10.
strategyContract(bananasStrategyFactory, { space: nb201SpaceFactory, estimator: nb201Cifar10Factory });
