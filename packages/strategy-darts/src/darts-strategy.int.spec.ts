import { nb201Cifar10Factory, nb201SpaceFactory } from '@archlab/bench-nb201';
import { InMemoryEventStore, PluginRegistry, replayRun, type StrategyFactory } from '@archlab/core';
import { readAll, runSearch, strategyContract } from '@archlab/core/testing';
import { SupernetDivergedError, supernetRunService } from '@archlab/oneshot';
import { registerTinyDataset, TINY_SUPERNET } from '@archlab/oneshot/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { betaDartsStrategyFactory, dartsStrategyFactory, gdasStrategyFactory } from './darts-strategy.js';

registerTinyDataset();
registerTinyDataset('tiny-nan', 0);

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
  it('stops the run when the supernet diverges, with the reason; the log verifies, and a resume meets the same divergence', async () => {
    const registry = new PluginRegistry();
    registry.register('space', nb201SpaceFactory);
    registry.register('estimator', nb201Cifar10Factory);
    registry.register('strategy', dartsStrategyFactory);
    registry.registerRunService(supernetRunService);
    const store = new InMemoryEventStore();
    const input = {
      space: 'nb201',
      estimator: 'nb201:cifar10',
      strategy: 'darts',
      strategyOptions: { ...TINY_SUPERNET, dataset: 'tiny-nan', epochs: 4 },
      budget: { trials: 4 },
    };
    const failed = runSearch(registry, input, store);
    await expect(failed).rejects.toThrow(SupernetDivergedError);
    await expect(failed).rejects.toThrow(
      /^the supernet diverged: (.* loss (NaN|-?Infinity)|α is not finite) at epoch 1, batch 0; /,
    );
    const log = await readAll(store, 'test-run');
    expect(log.map((e) => e.type)).not.toContain('TrialFailed');
    expect(log.map((e) => e.type)).not.toContain('RunCompleted');
    // The log verifies as far as it goes, and a resume diverges again at the same place.
    await replayRun(store, registry, 'test-run', { mode: 'verify' });
    await expect(runSearch(registry, { resume: 'test-run' }, store)).rejects.toThrow(
      (await failed.catch((e: Error) => e)).message,
    );
  });

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
