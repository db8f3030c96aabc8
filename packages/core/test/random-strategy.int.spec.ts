import { describe, expect, it } from 'vitest';
import { PluginRegistry, randomStrategyFactory } from '../src/index.js';
import {
  digitsSpace,
  digitsSpaceFactory,
  runSearch,
  strategyContract,
  syntheticEstimatorFactory,
} from '../src/testing/index.js';

strategyContract(randomStrategyFactory);
strategyContract(randomStrategyFactory, { strategyOptions: { dedupe: false }, trials: 30 });

describe('random strategy', () => {
  it('proposes each architecture once and stops when the space is exhausted', async () => {
    const registry = new PluginRegistry();
    const small = {
      ...digitsSpaceFactory,
      name: 'tiny',
      create: () => ({ ...digitsSpace(2, 3), name: 'tiny' }),
    };
    registry.register('space', small);
    registry.register('estimator', syntheticEstimatorFactory);
    registry.register('strategy', randomStrategyFactory);
    const r = await runSearch(registry, { space: 'tiny', estimator: 'synthetic', budget: { trials: 100 } });
    expect(r.reason).toBe('exhausted');
    expect(r.state.trials).toHaveLength(9);
    expect(new Set(r.state.trials.map((t) => t.arch)).size).toBe(9);
  });
});
