import { nb201Cifar10Factory, nb201SpaceFactory } from '@archlab/bench-nb201';
import {
  bestSoFar,
  type EstimatorFactory,
  InMemoryEventStore,
  InvalidOptionError,
  MissingCapabilityError,
  PluginRegistry,
  randomStrategyFactory,
  Search,
  type StrategyFactory,
} from '@archlab/core';
import {
  digitsSpace,
  digitsSpaceFactory,
  hashScore,
  runSearch,
  strategyContract,
} from '@archlab/core/testing';
import { describe, expect, it } from 'vitest';
import { localSearchFactory } from './local-search.js';
import { nsga2Factory } from './nsga2.js';
import { paretoFront } from './pareto.js';
import { regularizedEvolutionFactory } from './regularized-evolution.js';

const nb201 = { space: nb201SpaceFactory, estimator: nb201Cifar10Factory, trials: 60 };

strategyContract(regularizedEvolutionFactory);
strategyContract(regularizedEvolutionFactory, { ...nb201, strategyOptions: { dedupe: true } });
strategyContract(localSearchFactory);
strategyContract(localSearchFactory, { ...nb201, strategyOptions: { move: 'best', initial: 3 } });
strategyContract(nsga2Factory, { strategyOptions: { population: 6 } });
strategyContract(nsga2Factory, { ...nb201, strategyOptions: { population: 8 } });

/** Two conflicting objectives on the digits space: a hash score to maximise, the digit sum to minimise. */
const twoObjectives: EstimatorFactory = {
  name: 'two',
  description: 'test: score (max) and cost (min)',
  create: (space) => ({
    name: 'two',
    metrics: [
      { name: 'score', direction: 'max' },
      { name: 'cost', direction: 'min' },
    ],
    deterministic: true,
    evaluate: async (arch) => {
      const key = space.key(arch);
      return { score: hashScore(key), cost: key.split('-').reduce((a, d) => a + Number(d), 0) };
    },
  }),
};

function registry(...strategies: StrategyFactory[]): PluginRegistry {
  const r = new PluginRegistry();
  for (const s of [nb201SpaceFactory, digitsSpaceFactory]) r.register('space', s);
  for (const e of [nb201Cifar10Factory, twoObjectives]) r.register('estimator', e);
  for (const s of [randomStrategyFactory, ...strategies]) r.register('strategy', s);
  return r;
}

strategyContract(nsga2Factory, {
  estimator: twoObjectives,
  strategyOptions: { objectives: 'score:max,cost:min', population: 6 },
});

describe('option checks', () => {
  const start = (strategy: string, strategyOptions: Record<string, unknown>, space = 'nb201') =>
    Search.start(
      {
        store: new InMemoryEventStore(),
        plugins: registry(regularizedEvolutionFactory, nsga2Factory, localSearchFactory),
      },
      {
        space,
        estimator: space === 'nb201' ? 'nb201:cifar10' : 'two',
        strategy,
        strategyOptions,
        budget: { trials: 10 },
      },
    );

  it('rejects a tournament larger than the population, naming both', async () => {
    await expect(start('evolution', { population: 5, sampleSize: 6 })).rejects.toThrow(
      new InvalidOptionError("strategy 'evolution': sampleSize (6) cannot be larger than population (5)"),
    );
    await expect(start('evolution', { population: 0 })).rejects.toThrow(
      /'population' must be at least 2, got 0/,
    );
    await expect(start('evolution', { tournament: 3 })).rejects.toThrow(
      /unknown option 'tournament'; known options: population, sampleSize, dedupe/,
    );
  });

  it('rejects malformed objectives and unknown moves', async () => {
    await expect(start('nsga2', { objectives: 'test_acc:up' })).rejects.toThrow(
      /option 'objectives' 'test_acc:up' is not METRIC:max or METRIC:min/,
    );
    await expect(start('local-search', { move: 'random' })).rejects.toThrow(
      /'move' must be one of first, best/,
    );
  });

  it('names the operation a space lacks', async () => {
    const r = registry(regularizedEvolutionFactory, localSearchFactory);
    const { mutate: _m, neighbours: _n, ...bare } = digitsSpace();
    r.register('space', { name: 'bare', description: '', create: () => ({ ...bare, name: 'bare' }) });
    const deps = { store: new InMemoryEventStore(), plugins: r };
    const config = { space: 'bare', estimator: 'two', budget: { trials: 5 } };
    await expect(Search.start(deps, { ...config, strategy: 'evolution' })).rejects.toThrow(
      MissingCapabilityError,
    );
    await expect(Search.start(deps, { ...config, strategy: 'local-search' })).rejects.toThrow(
      /needs the space to provide 'neighbours'/,
    );
  });
});

describe('on NAS-Bench-201 CIFAR-10 (5 seeds × 100 trials)', () => {
  const meanBestAt100 = async (strategy: string) => {
    const r = registry(regularizedEvolutionFactory, localSearchFactory, nsga2Factory);
    let sum = 0;
    for (let seed = 0; seed < 5; seed++) {
      const out = await runSearch(r, {
        space: 'nb201',
        estimator: 'nb201:cifar10',
        strategy,
        seed,
        budget: { trials: 100 },
      });
      sum += bestSoFar(out.state).at(-1)!;
    }
    return sum / 5;
  };

  it('evolution, local search and NSGA-II each beat random search', async () => {
    const random = await meanBestAt100('random');
    for (const s of ['evolution', 'local-search', 'nsga2'])
      expect(await meanBestAt100(s), s).toBeGreaterThan(random);
  });
});

describe('NSGA-II with two objectives', () => {
  it('finds most of the true Pareto front of a small space, and nothing dominated', async () => {
    const r = registry(nsga2Factory);
    const out = await runSearch(r, {
      space: 'digits',
      estimator: 'two',
      strategy: 'nsga2',
      strategyOptions: { objectives: 'score:max,cost:min', population: 20 },
      seed: 1,
      budget: { trials: 300 },
    });
    const space = digitsSpace();
    const all: { key: string; v: number[] }[] = [];
    for (let i = 0; i < 625; i++) {
      const key = space.key([0, 1, 2, 3].map((d) => Math.floor(i / 5 ** d) % 5));
      all.push({ key, v: [hashScore(key), -key.split('-').reduce((a, d) => a + Number(d), 0)] });
    }
    const truth = new Set(paretoFront(all.map((p) => p.v)).map((i) => all[i]!.key));
    const evaluated = out.state.trials.filter((t) => t.status === 'completed');
    const found = paretoFront(evaluated.map((t) => [t.metrics!.score!, -t.metrics!.cost!])).map(
      (i) => evaluated[i]!.arch!,
    );
    const hits = found.filter((k) => truth.has(k));
    expect(hits.length / truth.size).toBeGreaterThanOrEqual(0.6);
  });
});
