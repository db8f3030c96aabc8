import {
  type Nb201Arch,
  nb201Cifar10Factory,
  nb201Cifar100Factory,
  nb201ImageNet16Factory,
  nb201SpaceFactory,
  nb201Table,
} from '@archlab/bench-nb201';
import {
  bestSoFar,
  type EstimatorFactory,
  hypervolume,
  InMemoryEventStore,
  type Metrics,
  PluginRegistry,
  parseOptions,
  Rng,
  randomStrategyFactory,
  Search,
  type SearchConfigInput,
  type SearchSpace,
  type Strategy,
  type StrategyFactory,
} from '@archlab/core';
import {
  digitsSpace,
  digitsSpaceFactory,
  hashScore,
  runSearch,
  syntheticEstimator,
  syntheticEstimatorFactory,
} from '@archlab/core/testing';
import { localSearchFactory } from '../src/local-search.js';
import { nsga2Factory } from '../src/nsga2.js';
import { regularizedEvolutionFactory } from '../src/regularized-evolution.js';

/**
 * Two conflicting objectives on the digits space: `score` (a hash, max) and `cost` (the digit sum,
 * min); with `failWhen`, trials of matching keys fail.
 */
export function twoObjectiveDigitsFactory(
  name: string,
  failWhen?: (key: string) => boolean,
): EstimatorFactory {
  return {
    name,
    description: 'test: score (max) and cost (min) on the digits space',
    create: (space) => ({
      name,
      metrics: [
        { name: 'score', direction: 'max' },
        { name: 'cost', direction: 'min' },
      ],
      deterministic: true,
      evaluate: async (arch) => {
        const key = space.key(arch);
        if (failWhen?.(key)) throw new Error(`test failure on ${key}`);
        return twoObjectives(key);
      },
    }),
  };
}

const failsOneInFive = (key: string) => hashScore(`fail:${key}`) < 20;

export function twoObjectives(key: string): Metrics {
  return { score: hashScore(key), cost: key.split('-').reduce((a, d) => a + Number(d), 0) };
}

// Weights per C² of each NB201 op (none, skip, 1×1 conv, 3×3 conv, avg pool): BN and the fixed stem and head left out.
const WEIGHTS_PER_C2 = [0, 0, 1, 9, 0];

/** Thousands of conv weights in the NB201 network's 15 cells (5 each at C = 16, 32, 64): a real second objective. */
export function nb201Params(arch: Nb201Arch): number {
  const perC2 = arch.reduce((s, op) => s + WEIGHTS_PER_C2[op]!, 0);
  return (5 * perC2 * (16 ** 2 + 32 ** 2 + 64 ** 2)) / 1000;
}

/** NB201 CIFAR-10 `test_acc` (max) with `params` (min) computed here, for NSGA-II. */
export const nb201AccuracyParamsFactory: EstimatorFactory = {
  name: 'nb201:cifar10+params',
  description: 'test: NB201 CIFAR-10 test accuracy and conv weights',
  create: () => ({
    name: 'nb201:cifar10+params',
    metrics: [
      { name: 'test_acc', direction: 'max' },
      { name: 'params', direction: 'min' },
    ],
    deterministic: true,
    evaluate: async (arch) => nb201AccuracyParams(arch as Nb201Arch),
  }),
};

export function nb201AccuracyParams(arch: Nb201Arch): Metrics {
  return { test_acc: nb201Table().record(arch)!.cifar10, params: nb201Params(arch) };
}

/** The synthetic `score` estimator, failing on about a fifth of the architectures: runs with failures mid-way. */
export const flakySyntheticFactory: EstimatorFactory = {
  name: 'flaky',
  description: 'test: synthetic score, failing on about 20% of keys',
  create: (space) => syntheticEstimator({ space, failWhen: failsOneInFive }),
};

/** Both spaces, every estimator above and NB201's three, random search and this package's strategies. */
export function testRegistry(...extra: StrategyFactory[]): PluginRegistry {
  const r = new PluginRegistry();
  for (const s of [nb201SpaceFactory, digitsSpaceFactory]) r.register('space', s);
  for (const e of [
    nb201Cifar10Factory,
    nb201Cifar100Factory,
    nb201ImageNet16Factory,
    nb201AccuracyParamsFactory,
    twoObjectiveDigitsFactory('two'),
    twoObjectiveDigitsFactory('two-flaky', failsOneInFive),
    flakySyntheticFactory,
    syntheticEstimatorFactory,
  ])
    r.register('estimator', e);
  for (const s of [
    randomStrategyFactory,
    regularizedEvolutionFactory,
    localSearchFactory,
    nsga2Factory,
    ...extra,
  ])
    r.register('strategy', s);
  return r;
}

/** Best-so-far test accuracy after `trials` on NB201 CIFAR-10, for each seed in 0..seeds-1. */
export async function nb201BestAt(
  strategy: string,
  strategyOptions: Record<string, unknown>,
  { seeds, trials }: { seeds: number; trials: number },
): Promise<number[]> {
  const registry = testRegistry();
  const out: number[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    const config: SearchConfigInput = {
      space: 'nb201',
      estimator: 'nb201:cifar10',
      strategy,
      strategyOptions,
      seed,
      budget: { trials },
    };
    out.push(bestSoFar((await runSearch(registry, config)).state).at(-1)!);
  }
  return out;
}

export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Area dominated by `points` ([to maximise, to minimise]) and bounded by `ref` (worse in both):
 * the 2-objective hypervolume, to say how close a found front is to the true one.
 */
export function hypervolume2d(
  points: readonly (readonly [number, number])[],
  ref: readonly [number, number],
): number {
  return hypervolume(
    points.map(([x, y]) => [x, -y]),
    [ref[0], -ref[1]],
  );
}

/**
 * Starts a run of `strategy` on the digits space without `capability`: the start must fail with
 * MissingCapabilityError.
 */
export function startWithout(
  capability: 'mutate' | 'neighbours',
  strategy: string,
  strategyOptions: Record<string, unknown> = {},
  estimator = 'synthetic',
): Promise<Search> {
  const r = testRegistry();
  const { [capability]: _, ...bare } = digitsSpace();
  r.register('space', {
    name: 'bare',
    description: `no ${capability}`,
    create: () => ({ ...bare, name: 'bare' }),
  });
  return Search.start(
    { store: new InMemoryEventStore(), plugins: r },
    { space: 'bare', estimator, strategy, strategyOptions, budget: { trials: 5 } },
  );
}

/**
 * A strategy created directly (no engine) on the digits space, whose `mutate` records the key of
 * each parent in `parents`; `options` are validated and defaulted as the engine would.
 */
export function directStrategy<S extends Strategy<number[]>>(
  factory: StrategyFactory,
  options: Record<string, unknown>,
  seed = 1,
): { strategy: S; parents: string[]; rng: Rng; key: (a: number[]) => string } {
  const base = digitsSpace();
  const parents: string[] = [];
  const space: SearchSpace<number[]> = {
    ...base,
    mutate: (a, rng) => {
      parents.push(base.key(a));
      return base.mutate!(a, rng);
    },
  };
  const rng = Rng.fromSeed(seed);
  const strategy = factory.create({
    space,
    rng,
    options: parseOptions(factory.name, factory.options, options),
    objective: { metric: 'score', direction: 'max' },
    budget: { trials: 100 },
    concurrency: 4,
  }) as S;
  return { strategy, parents, rng, key: base.key };
}

/** Every architecture of a space that has an encoding, in encoding order. */
export function everyArchitecture<A>(space: SearchSpace<A>): A[] {
  const { decisions, decode } = space.encoding!;
  const sizes = decisions.map((d) => d.choices.length);
  const total = sizes.reduce((a, b) => a * b, 1);
  return Array.from({ length: total }, (_, i) => {
    let rest = i;
    return decode(
      sizes.map((n) => {
        const c = rest % n;
        rest = Math.floor(rest / n);
        return c;
      }),
    );
  });
}
