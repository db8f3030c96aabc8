import { nb201Cifar10Factory, nb201SpaceFactory } from '@archlab/bench-nb201';
import { PluginRegistry, type StrategyFactory } from '@archlab/core';
import { runSearch, strategyContract } from '@archlab/core/testing';
import { supernetRunService } from '@archlab/oneshot';
import { registerTinyDataset, TINY_SUPERNET } from '@archlab/oneshot/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { betaDartsStrategyFactory, dartsStrategyFactory, gdasStrategyFactory } from './darts-strategy.js';

registerTinyDataset();

// Six epochs on a tiny supernet, each derived cell looked up in the NB201 table: every resume
// point (mid-epoch progress included), verify, pruning, warm-up trials, several in flight.
// (β-DARTS with a weaker regulariser: at the default it derives cells the pruning test's latency
// bound never prunes.)
for (const [factory, own] of [
  [dartsStrategyFactory, {}],
  [gdasStrategyFactory, {}],
  [betaDartsStrategyFactory, { 'beta-weight': 1 }],
] as const) {
  strategyContract(factory, {
    space: nb201SpaceFactory,
    estimator: nb201Cifar10Factory,
    runServices: [supernetRunService],
    strategyOptions: { ...TINY_SUPERNET, epochs: 6, ...own },
    trials: 6,
    checkpointEvery: 1,
  });
}

describe('darts', () => {
  it('holds no more tensors after each epoch than after the first (memory flat)', async () => {
    const counts: number[] = [];
    // darts, counting the tensors alive after each of its asks (an epoch each).
    const counting: StrategyFactory = {
      ...dartsStrategyFactory,
      create(ctx) {
        const inner = dartsStrategyFactory.create(ctx);
        return {
          ask: async () => {
            const arch = await inner.ask();
            counts.push(tf.memory().numTensors);
            return arch;
          },
          tell: (r) => inner.tell(r),
          snapshot: () => inner.snapshot!(),
          restore: (b) => inner.restore!(b),
        };
      },
    };
    const registry = new PluginRegistry();
    registry.register('space', nb201SpaceFactory);
    registry.register('estimator', nb201Cifar10Factory);
    registry.register('strategy', counting);
    registry.registerRunService(supernetRunService);
    const run = await runSearch(registry, {
      space: 'nb201',
      estimator: 'nb201:cifar10',
      strategy: 'darts',
      strategyOptions: { ...TINY_SUPERNET, epochs: 5 },
      budget: { trials: 6 },
    });
    // Its budget of epochs spent, it proposed nothing more: the run ends exhausted.
    expect(run.state.trials).toHaveLength(5);
    expect(counts).toHaveLength(6);
    expect(counts.slice(1)).toEqual(counts.slice(1).map(() => counts[0]));
  });
});
