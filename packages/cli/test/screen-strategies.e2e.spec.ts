import { nb201Cifar10Factory, nb201Cifar100Factory, nb201SpaceFactory } from '@archlab/bench-nb201';
import {
  InMemoryEventStore,
  PluginRegistry,
  Rng,
  randomStrategyFactory,
  replayRun,
  type SearchConfigInput,
  type StrategyFactory,
} from '@archlab/core';
import { copyLogPrefix, runSearch, syntheticCostFactory, trialsOf } from '@archlab/core/testing';
import { localSearchFactory, nsga2Factory, regularizedEvolutionFactory } from '@archlab/strategy-evolution';
import { bananasStrategyFactory, pnasStrategyFactory } from '@archlab/strategy-pnas';
import { rlStrategyFactory } from '@archlab/strategy-rl';
import { describe, expect, it } from 'vitest';

/**
 * Every built-in strategy under screening, on NAS-Bench-201 with the CIFAR-100 table as the
 * screen of a CIFAR-10 search (cheap and deterministic): the warm-up tells each strategy results
 * it never proposed, the pre-filter prunes some of its proposals; each must carry on, never
 * propose a warm-up architecture again, resume from a cut log into the same trials, and verify.
 */
const STRATEGIES: [StrategyFactory, Partial<SearchConfigInput>][] = [
  [randomStrategyFactory, {}],
  [regularizedEvolutionFactory, { strategyOptions: { population: 10, sampleSize: 3 } }],
  [localSearchFactory, { strategyOptions: { initial: 5 } }],
  [
    nsga2Factory,
    {
      strategyOptions: { population: 8 },
      objectives: [
        { metric: 'test_acc', direction: 'max' },
        { metric: 'latency_ms', direction: 'min' },
      ],
      hardware: [{ name: 'synthetic-cost', options: { cheap: false } }],
    },
  ],
  [pnasStrategyFactory, { strategyOptions: { beam: 3, initial: 6, pool: 20 } }],
  [bananasStrategyFactory, { strategyOptions: { initial: 5, batch: 3, candidates: 20 } }],
  [rlStrategyFactory, { strategyOptions: { hidden: 8, batchSize: 3 } }],
];

function registry(): PluginRegistry {
  const r = new PluginRegistry();
  r.register('space', nb201SpaceFactory);
  r.register('estimator', nb201Cifar10Factory);
  r.register('estimator', nb201Cifar100Factory);
  r.register('hardware model', syntheticCostFactory);
  for (const [f] of STRATEGIES) r.register('strategy', f);
  return r;
}

const TOP = 8;

describe('screening with every built-in strategy', () => {
  for (const [factory, over] of STRATEGIES) {
    it(`${factory.name}: uses the warm-up, is pre-filtered, resumes from cuts and verifies`, async () => {
      const config: SearchConfigInput = {
        space: 'nb201',
        estimator: 'nb201:cifar10',
        strategy: factory.name,
        seed: 2,
        budget: { trials: 30 },
        checkpointEvery: 7,
        screen: {
          estimator: 'nb201:cifar100',
          warmup: { pool: 100, top: TOP },
          filter: { fraction: 0.5, min: 5 },
        },
        ...over,
      };
      const full = await runSearch(registry(), config);
      const s = full.state;
      expect(full.reason).toBe('trials');
      expect(s.counts.completed).toBe(30);
      expect(s.counts.pruned).toBeGreaterThan(0);
      const space = nb201SpaceFactory.create({});
      const classOf = (key: string) => space.isomorphismKey!(space.parse(key));
      const warm = new Set(s.trials.slice(0, TOP).map((t) => classOf(t.arch!)));
      expect(warm.size).toBe(TOP);
      for (const t of s.trials.slice(TOP))
        expect(warm.has(classOf(t.arch!)), `trial ${t.trialId}`).toBe(false);

      const events = s.lastSeq + 1;
      const rng = Rng.fromSeed(`cuts/${factory.name}`);
      const cuts = new Set([
        1,
        3,
        TOP + 2,
        events - 1,
        ...Array.from({ length: 5 }, () => 1 + rng.int(events - 1)),
      ]);
      for (const cut of cuts) {
        const store = new InMemoryEventStore();
        await copyLogPrefix(full.store, store, full.runId, cut);
        const resumed = await runSearch(registry(), { resume: full.runId }, store);
        expect(trialsOf(resumed.state), `cut after ${cut} events`).toEqual(trialsOf(s));
      }
      const verified = await replayRun(full.store, registry(), full.runId, { mode: 'verify' });
      // Every recorded screen score (the warm-up's against the pool screened again) recomputed.
      expect(verified.rescreened).toBe(
        s.trials.filter((t) => t.metrics?.['screen.test_acc'] !== undefined).length,
      );
    });
  }

  it('evolution breeds from the warm-up at once: it replaces as many random initial members', async () => {
    const out = await runSearch(registry(), {
      space: 'nb201',
      estimator: 'nb201:cifar10',
      strategy: 'evolution',
      strategyOptions: { population: 10, sampleSize: 3 },
      seed: 3,
      budget: { trials: 30 },
      screen: { estimator: 'nb201:cifar100', warmup: { pool: 100, top: TOP } },
    });
    const archs = out.state.trials.map((t) => nb201SpaceFactory.create({}).parse(t.arch!) as number[]);
    const oneEditFromEarlier = (i: number) =>
      archs.slice(0, i).some((a) => a.filter((op, e) => op !== archs[i]![e]).length === 1);
    // 10 members: 8 from the warm-up, 2 random; every later proposal mutates one of them.
    for (let i = TOP + 2; i < archs.length; i++) expect(oneEditFromEarlier(i), `trial ${i}`).toBe(true);
  });
});
