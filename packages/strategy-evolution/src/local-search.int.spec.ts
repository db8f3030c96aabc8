import { type Nb201Arch, nb201Cifar10Factory, nb201Space, nb201SpaceFactory } from '@archlab/bench-nb201';
import { InMemoryEventStore, MissingCapabilityError, Search } from '@archlab/core';
import { runSearch, strategyContract } from '@archlab/core/testing';
import { describe, expect, it } from 'vitest';
import { flakySyntheticFactory, mean, nb201BestAt, startWithout, testRegistry } from '../test/fixtures.js';
import { localSearchFactory } from './local-search.js';

const nb201 = { space: nb201SpaceFactory, estimator: nb201Cifar10Factory, trials: 60 };

strategyContract(localSearchFactory);
strategyContract(localSearchFactory, { estimator: flakySyntheticFactory, strategyOptions: { initial: 2 } });
strategyContract(localSearchFactory, nb201);
strategyContract(localSearchFactory, { ...nb201, strategyOptions: { move: 'best', initial: 3 } });

describe('local-search options', () => {
  const start = (strategyOptions: Record<string, unknown>, space = 'nb201') =>
    Search.start(
      { store: new InMemoryEventStore(), plugins: testRegistry() },
      {
        space,
        estimator: space === 'nb201' ? 'nb201:cifar10' : 'synthetic',
        strategy: 'local-search',
        strategyOptions,
        budget: { trials: 10 },
      },
    );

  it('rejects unknown moves, out-of-range values and unknown names', async () => {
    await expect(start({ move: 'random' })).rejects.toThrow(/'move' must be one of first, best/);
    await expect(start({ initial: 0 })).rejects.toThrow(/'initial' must be at least 1, got 0/);
    await expect(start({ restarts: 3 })).rejects.toThrow(
      /unknown option 'restarts'; known options: initial, move/,
    );
  });

  it('needs a space with neighbours', async () => {
    const run = startWithout('neighbours', 'local-search');
    await expect(run).rejects.toThrow(MissingCapabilityError);
    await expect(run).rejects.toThrow(/needs the space to provide 'neighbours'/);
  });
});

describe('local search on NAS-Bench-201 CIFAR-10', () => {
  const run = (seed: number, strategyOptions: Record<string, unknown> = {}, concurrency = 1) =>
    runSearch(testRegistry(), {
      space: 'nb201',
      estimator: 'nb201:cifar10',
      strategy: 'local-search',
      strategyOptions,
      seed,
      concurrency,
      budget: { trials: 300 },
    });

  it('never proposes an architecture isomorphic to one already proposed', async () => {
    for (const concurrency of [1, 4]) {
      const { state } = await run(3, {}, concurrency);
      const iso = state.trials.map((t) => nb201Space.isomorphismKey!(nb201Space.parse(t.arch!)));
      expect(new Set(iso).size, `concurrency ${concurrency}`).toBe(300);
    }
  });

  it('climbs: after the initial samples, each proposal is a neighbour of the best trial before it', async () => {
    const { state } = await run(0, { initial: 5 });
    const archs = state.trials.map((t) => nb201Space.parse(t.arch!));
    const acc = state.trials.map((t) => t.metrics!.test_acc!);
    const edgesApart = (a: Nb201Arch, b: Nb201Arch) => a.filter((op, i) => op !== b[i]).length;
    // Until its first local optimum and restart (trial 53 for this seed), the climb only moves uphill.
    for (let i = 5; i < 53; i++) {
      const best = acc.slice(0, i).reduce((b, v, j) => (v > acc[b]! ? j : b), 0);
      expect(edgesApart(archs[i]!, archs[best]!), `trial ${i}`).toBe(1);
    }
  });

  it('beats random search at 100 trials and finds the optimum within 300 in nearly every seed', async () => {
    const local100 = await nb201BestAt('local-search', {}, { seeds: 10, trials: 100 });
    const random100 = await nb201BestAt('random', {}, { seeds: 10, trials: 100 });
    expect(mean(local100)).toBeGreaterThan(mean(random100) + 0.3);
    expect(mean(local100)).toBeGreaterThanOrEqual(94.3);
    const optimum = nb201Cifar10Factory.create(nb201Space, {}).optimum!.test_acc!;
    const local300 = await nb201BestAt('local-search', {}, { seeds: 10, trials: 300 });
    expect(local300.filter((v) => v === optimum).length).toBeGreaterThanOrEqual(9);
  });
});
