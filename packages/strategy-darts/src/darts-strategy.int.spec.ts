import { nb201Cifar10Factory, nb201SpaceFactory } from '@archlab/bench-nb201';
import {
  InMemoryEventStore,
  InvalidOptionError,
  PluginRegistry,
  replayRun,
  type StrategyFactory,
} from '@archlab/core';
import { copyLogPrefix, readAll, runSearch, strategyContract, trialsOf } from '@archlab/core/testing';
import { SupernetDivergedError, supernetRunService } from '@archlab/oneshot';
import { registerTinyDataset, TINY_SUPERNET } from '@archlab/oneshot/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { betaDartsStrategyFactory, dartsStrategyFactory, gdasStrategyFactory } from './darts-strategy.js';

registerTinyDataset();
registerTinyDataset('tiny-nan', 0);

/** The NB201 space and table, the supernet service, and `strategy`. */
function registryWith(strategy: StrategyFactory): PluginRegistry {
  const registry = new PluginRegistry();
  registry.register('space', nb201SpaceFactory);
  registry.register('estimator', nb201Cifar10Factory);
  registry.register('strategy', strategy);
  registry.registerRunService(supernetRunService);
  return registry;
}

// Six epochs on a tiny supernet, each derived cell looked up in the NB201 table: every resume
// point (mid-epoch progress included), verify, pruning, warm-up trials, several in flight.
// beta-darts is darts with another α loss (its own test below): the cells it derives on this
// data never meet the pruning test's latency bound, so the contract runs on the other two.
for (const factory of [dartsStrategyFactory, gdasStrategyFactory]) {
  strategyContract(factory, {
    space: nb201SpaceFactory,
    estimator: nb201Cifar10Factory,
    runServices: [supernetRunService],
    strategyOptions: { ...TINY_SUPERNET, epochs: 6 },
    trials: 6,
    checkpointEvery: 1,
  });
}

// Second order: the same contract (determinism, every resume point, verify) on two epochs, as
// few as have every kind of resume point: from no checkpoint (a cut in epoch 1), from a
// checkpoint with an epoch left to train, and after that epoch's progress, before its proposal.
describe('darts, order 2', () => {
  strategyContract(dartsStrategyFactory, {
    space: nb201SpaceFactory,
    estimator: nb201Cifar10Factory,
    runServices: [supernetRunService],
    strategyOptions: { ...TINY_SUPERNET, epochs: 2, order: 2 },
    trials: 2,
    checkpointEvery: 1,
  });

  it.each([0, 3, 1.5])('refuses order %s before the run, with a typed one-line error', async (order) => {
    const registry = registryWith(dartsStrategyFactory);
    const store = new InMemoryEventStore();
    const run = runSearch(
      registry,
      {
        space: 'nb201',
        estimator: 'nb201:cifar10',
        strategy: 'darts',
        strategyOptions: { ...TINY_SUPERNET, epochs: 2, order },
        budget: { trials: 2 },
      },
      store,
    );
    await expect(run).rejects.toThrow(InvalidOptionError);
    const message = (await run.catch((e: Error) => e)).message;
    expect(message).toMatch(/order/);
    expect(message).not.toContain('\n');
    expect(await readAll(store, 'test-run')).toEqual([]);
  });
});

describe('beta-darts', () => {
  it('raises λ linearly from 0 to beta-weight over the epochs, deterministically, and resumes the same', async () => {
    const registry = registryWith(betaDartsStrategyFactory);
    const input = {
      space: 'nb201',
      estimator: 'nb201:cifar10',
      strategy: 'beta-darts',
      strategyOptions: { ...TINY_SUPERNET, epochs: 3, 'beta-weight': 8 },
      budget: { trials: 3 },
    };
    const full = await runSearch(registry, input);
    const progress = (await readAll(full.store, full.runId)).filter((e) => e.type === 'Progressed');
    expect(progress.map((e) => (e.data as { metrics: { beta_weight: number } }).metrics.beta_weight)).toEqual(
      [0, 4, 8],
    );
    expect(trialsOf((await runSearch(registry, input)).state)).toEqual(trialsOf(full.state));
    const cut = new InMemoryEventStore();
    await copyLogPrefix(full.store, cut, full.runId, progress[1]!.seq + 1);
    const resumed = await runSearch(registry, { resume: full.runId }, cut);
    expect(trialsOf(resumed.state)).toEqual(trialsOf(full.state));
    const again = (await readAll(cut, full.runId)).filter((e) => e.type === 'Progressed');
    expect(again.map((e) => e.data)).toEqual(progress.map((e) => e.data));
  });
});

describe('darts', () => {
  it('stops the run when the supernet diverges, with the reason; the log verifies, and a resume meets the same divergence', async () => {
    const registry = registryWith(dartsStrategyFactory);
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

  it.each([1, 2])(
    'holds no more tensors after each epoch than after the first (memory flat), order %s',
    async (order) => {
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
      const registry = registryWith(counting);
      const run = await runSearch(registry, {
        space: 'nb201',
        estimator: 'nb201:cifar10',
        strategy: 'darts',
        strategyOptions: { ...TINY_SUPERNET, epochs: 5, order },
        budget: { trials: 6 },
      });
      // Its budget of epochs spent, it proposed nothing more: the run ends exhausted.
      expect(run.state.trials).toHaveLength(5);
      expect(counts).toHaveLength(6);
      expect(counts.slice(1)).toEqual(counts.slice(1).map(() => counts[0]));
    },
  );
});
