import { nb201Cifar10Factory, nb201SpaceFactory } from '@archlab/bench-nb201';
import { strategyContract } from '@archlab/core/testing';
import { pnasStrategyFactory } from './pnas-strategy.js';

// The synthetic digits space has no 'none' choice: this runs the fallback (surrogate-ranked sampling).
strategyContract(pnasStrategyFactory);

// With '0' as the empty choice the digits space has complexity levels: the progressive path, waits included.
strategyContract(pnasStrategyFactory, { strategyOptions: { emptyChoice: '0' } });

// 45 trials take NAS-Bench-201 through all six levels (about 35 trials) and into the refinement rounds.
strategyContract(pnasStrategyFactory, {
  space: nb201SpaceFactory,
  estimator: nb201Cifar10Factory,
  trials: 45,
});
