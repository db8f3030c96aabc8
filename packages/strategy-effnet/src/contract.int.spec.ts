import { strategyContract } from '@archlab/core/testing';
import { compoundScalingFactory } from './compound-scaling.js';
import { toyScaledSpaceFactory } from './test-fixtures.js';

// The default grid has 8 points; φ = 2 and 3 of the best follow: 10 trials in all.
strategyContract(compoundScalingFactory, { space: toyScaledSpaceFactory, trials: 10 });
