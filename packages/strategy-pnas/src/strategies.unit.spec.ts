import {
  type Nb201Arch,
  nb201Cifar10Factory,
  nb201Space,
  nb201SpaceFactory,
  nb201Table,
} from '@archlab/bench-nb201';
import {
  type EstimatorFactory,
  InvalidOptionError,
  MissingCapabilityError,
  PluginRegistry,
  parseOptions,
  Rng,
  type SearchSpace,
  type SearchSpaceFactory,
  type Strategy,
  type StrategyFactory,
} from '@archlab/core';
import {
  digitsSpace,
  digitsSpaceFactory,
  runSearch,
  syntheticEstimator,
  syntheticEstimatorFactory,
} from '@archlab/core/testing';
import { tf } from '@archlab/tfjs-cpu';
import { describe, expect, it } from 'vitest';
import { bananasStrategyFactory } from './bananas-strategy.js';
import { pnasStrategyFactory } from './pnas-strategy.js';

function create<A>(factory: StrategyFactory, space: SearchSpace<A>, options = {}, seed = 1): Strategy<A> {
  return factory.create({
    space,
    rng: Rng.fromSeed(seed),
    options: parseOptions(factory.name, factory.options, options),
    objective: { metric: 'score', direction: 'max' },
    budget: { trials: 100 },
    concurrency: 1,
  }) as Strategy<A>;
}

let trialId = 0;
function tell<A>(s: Strategy<A>, space: SearchSpace<A>, arch: A, score: number): void {
  void s.tell({ trialId: trialId++, arch, key: space.key(arch), status: 'completed', score });
}

const cifar10 = (a: Nb201Arch) => nb201Table().record(a)!.cifar10;
const active = (a: Nb201Arch) => a.filter((op) => op !== 0).length;
const digitSum = (a: number[]) => a.reduce((s, d) => s + d, 0);

const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;

/**
 * Runs `trials` proposals on 6 digits of base 5 scored by their sum (random ones average 12,
 * the best is 24), checking that none repeats; returns the scores in order.
 */
function digitSumSearch(
  factory: StrategyFactory,
  options: Record<string, unknown>,
  trials: number,
): number[] {
  const space = digitsSpace(6, 5);
  const s = create(factory, space, options);
  const seen = new Set<string>();
  const scores: number[] = [];
  for (let i = 0; i < trials; i++) {
    const a = s.ask() as number[];
    expect(seen.has(space.key(a))).toBe(false);
    seen.add(space.key(a));
    scores.push(digitSum(a));
    tell(s, space, a, digitSum(a));
  }
  return scores;
}

/** Asks until the strategy has nothing to propose (or `max` proposals). */
function drain<A>(s: Strategy<A>, max = 1000): A[] {
  const out: A[] = [];
  for (let a = s.ask() as A | undefined; a !== undefined && out.length < max; ) {
    out.push(a);
    if (out.length < max) a = s.ask() as A | undefined;
  }
  return out;
}

function registry(extra: { space?: SearchSpaceFactory; estimator?: EstimatorFactory } = {}): PluginRegistry {
  const r = new PluginRegistry();
  for (const space of [nb201SpaceFactory, digitsSpaceFactory, extra.space])
    if (space) r.register('space', space);
  for (const est of [nb201Cifar10Factory, syntheticEstimatorFactory, extra.estimator])
    if (est) r.register('estimator', est);
  r.register('strategy', pnasStrategyFactory);
  r.register('strategy', bananasStrategyFactory);
  return r;
}

const nb201Run = (strategy: string, strategyOptions: Record<string, unknown>) => ({
  space: 'nb201',
  estimator: 'nb201:cifar10',
  strategy,
  strategyOptions,
  budget: { trials: 10 },
});

describe('option errors', () => {
  it('names an unknown option and lists the known ones', async () => {
    for (const name of ['pnas', 'bananas']) {
      await expect(runSearch(registry(), nb201Run(name, { beems: 3 }))).rejects.toThrow(
        new RegExp(`strategy '${name}': unknown option 'beems'; known options: .*learningRate`),
      );
    }
  });

  it('rejects out-of-range and mistyped values', async () => {
    await expect(runSearch(registry(), nb201Run('pnas', { beam: 0 }))).rejects.toThrow(
      "strategy 'pnas': option 'beam' must be at least 1, got 0",
    );
    await expect(runSearch(registry(), nb201Run('bananas', { members: 100 }))).rejects.toThrow(
      "strategy 'bananas': option 'members' must be at most 32, got 100",
    );
    await expect(runSearch(registry(), nb201Run('bananas', { acquisition: 'ei' }))).rejects.toThrow(
      "option 'acquisition' must be one of its, ucb, mean",
    );
    await expect(runSearch(registry(), nb201Run('pnas', { features: 'graph' }))).rejects.toBeInstanceOf(
      InvalidOptionError,
    );
  });

  it('checks options against each other and against the space', async () => {
    await expect(
      runSearch(registry(), nb201Run('bananas', { batch: 20, candidates: 10, randomCandidates: 5 })),
    ).rejects.toThrow("option 'batch' (20) must be at most candidates + randomCandidates (15)");
    await expect(
      runSearch(registry(), { ...nb201Run('pnas', { pool: 0 }), space: 'digits', estimator: 'synthetic' }),
    ).rejects.toThrow(/space 'digits' has no 'none' choice.*option 'pool' must be at least 1/);
    // On NAS-Bench-201 the levels need no pool.
    await expect(runSearch(registry(), nb201Run('pnas', { pool: 0 }))).resolves.toBeDefined();
  });

  it('refuses a space without an encoding before the run starts', async () => {
    const bare: SearchSpaceFactory = {
      name: 'bare',
      description: 'digits without an encoding',
      create: () => ({ ...digitsSpace(), encoding: undefined }),
    };
    const run = { space: 'bare', estimator: 'synthetic', strategy: 'pnas', budget: { trials: 5 } };
    await expect(runSearch(registry({ space: bare }), run)).rejects.toBeInstanceOf(MissingCapabilityError);
  });
});

describe('pnas', () => {
  it('goes up one level of complexity at a time, waiting for each level to be told', () => {
    const s = create(pnasStrategyFactory, nb201Space);
    const levels: number[] = [];
    for (;;) {
      const batch = drain(s);
      // An empty ask changes nothing: the checkpoint is byte for byte the same.
      const before = Buffer.from(s.snapshot!() as Uint8Array);
      expect(s.ask()).toBeUndefined();
      expect(before.equals(s.snapshot!() as Uint8Array)).toBe(true);
      const level = active(batch[0]!);
      expect(batch.every((a) => active(a) === level)).toBe(true);
      levels.push(level);
      if (level === 6) break;
      for (const a of batch.slice(0, -1)) tell(s, nb201Space, a, cifar10(a));
      // One result missing: still waiting.
      expect(s.ask()).toBeUndefined();
      tell(s, nb201Space, batch.at(-1)!, cifar10(batch.at(-1)!));
    }
    expect(levels[0]).toBe(1);
    for (const [i, l] of levels.entries()) if (i > 0) expect(l).toBeGreaterThan(levels[i - 1]!);
  });

  it('evaluates every isomorphism class of the first level, then at most `beam` per level', () => {
    const s = create(pnasStrategyFactory, nb201Space, { beam: 3 });
    const first = drain(s);
    const classes = new Set<string>();
    for (let e = 0; e < 6; e++) {
      for (let op = 1; op < 5; op++) {
        const a: [number, number, number, number, number, number] = [0, 0, 0, 0, 0, 0];
        a[e] = op;
        classes.add(nb201Space.isomorphismKey!(a));
      }
    }
    expect(first.length).toBe(classes.size);
    for (const a of first) tell(s, nb201Space, a, cifar10(a));
    const second = drain(s);
    expect(second.length).toBeGreaterThan(0);
    expect(second.length).toBeLessThanOrEqual(3);
  });

  it("falls back to surrogate-ranked sampling on a space without a 'none' choice", () => {
    expect(pnasStrategyFactory.description).toMatch(/without an empty choice/);
    const scores = digitSumSearch(pnasStrategyFactory, { initial: 20 }, 70);
    // Random digits sum to 12 on average; the surrogate's picks after the first 20 do far better.
    expect(mean(scores.slice(0, 20))).toBeLessThan(14);
    expect(mean(scores.slice(30))).toBeGreaterThan(18);
  });
});

describe('bananas', () => {
  it('explores randomly first, then proposes what the surrogate ranks high, never twice', () => {
    const scores = digitSumSearch(bananasStrategyFactory, { initial: 10 }, 60);
    expect(mean(scores.slice(0, 10))).toBeLessThan(14);
    expect(mean(scores.slice(30))).toBeGreaterThan(18);
  });

  it('proposes one cell per isomorphism class on NAS-Bench-201', () => {
    const s = create(bananasStrategyFactory, nb201Space);
    const classes = new Set<string>();
    for (let i = 0; i < 80; i++) {
      const a = s.ask() as Nb201Arch;
      const iso = nb201Space.isomorphismKey!(a);
      expect(classes.has(iso)).toBe(false);
      classes.add(iso);
      tell(s, nb201Space, a, cifar10(a));
    }
  });

  it('learns nothing from failed trials and does not propose them again', async () => {
    const flaky: EstimatorFactory = {
      name: 'flaky',
      description: 'synthetic scores; every architecture starting with 0 fails',
      create: (space) => syntheticEstimator({ space, failWhen: (key) => key.startsWith('0') }),
    };
    const r = registry({ estimator: flaky });
    for (const strategy of ['bananas', 'pnas']) {
      const out = await runSearch(r, {
        space: 'digits',
        estimator: 'flaky',
        strategy,
        budget: { trials: 80 },
      });
      const trials = out.state.trials;
      expect(trials.length).toBe(80);
      expect(trials.some((t) => t.status === 'failed')).toBe(true);
      expect(new Set(trials.map((t) => t.arch)).size).toBe(80);
    }
  });

  it('leaves no tensor behind after whole searches', async () => {
    const before = tf.memory().numTensors;
    for (const strategy of ['bananas', 'pnas']) {
      await runSearch(registry(), { ...nb201Run(strategy, {}), budget: { trials: 80 } });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
