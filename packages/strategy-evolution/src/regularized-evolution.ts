import {
  InvalidOptionError,
  type OptionValues,
  type Strategy,
  type StrategyContext,
  type StrategyFactory,
  type TrialResult,
} from '@archlab/core';
import { DedupeSet } from './dedupe-set.js';

const options = {
  population: {
    type: 'int',
    default: 10,
    min: 2,
    description: 'members kept alive (the oldest dies when a child is born)',
  },
  sampleSize: {
    type: 'int',
    default: 3,
    min: 1,
    description: 'tournament size: members sampled to pick the parent',
  },
  dedupe: {
    type: 'boolean',
    default: false,
    description:
      'redraw a child already evaluated in this run (by isomorphism key where the space has one), up to 100 times',
  },
} as const;

type EvolutionOptions = OptionValues<typeof options>;

interface Member<A> {
  readonly arch: A;
  readonly score: number;
}

/**
 * Regularized (aging) evolution, Real et al. 2019 (AmoebaNet). The first `population` proposals
 * are random; then each proposal mutates the best of `sampleSize` members drawn from the living
 * population, and each completed result joins the population while the oldest member leaves.
 * Failed trials never join (they cannot be parents), so they do not age anyone out.
 */
export class RegularizedEvolution<A> implements Strategy<A> {
  private readonly population: Member<A>[] = [];
  private randomProposed = 0;
  private readonly seen: DedupeSet<A>;

  constructor(private readonly ctx: StrategyContext<A, EvolutionOptions>) {
    this.seen = new DedupeSet(ctx.space);
  }

  ask(): A | undefined {
    const { rng, space, options: o } = this.ctx;
    if (this.randomProposed < o.population) {
      this.randomProposed++;
      return this.seen.draw(() => space.sample(rng), o.dedupe);
    }
    // Every random proposal is still in flight: nothing to breed from yet.
    if (this.population.length === 0) return undefined;
    const contenders = rng.sample(this.population, Math.min(o.sampleSize, this.population.length));
    const parent = contenders.reduce((best, m) => (m.score > best.score ? m : best));
    return this.seen.draw(() => space.mutate!(parent.arch, rng), o.dedupe);
  }

  tell(result: TrialResult<A>): void {
    if (result.status !== 'completed' || Number.isNaN(result.score)) return;
    this.population.push({ arch: result.arch, score: result.score });
    if (this.population.length > this.ctx.options.population) this.population.shift();
  }
}

export const regularizedEvolutionFactory: StrategyFactory = {
  name: 'evolution',
  description:
    'regularized (aging) evolution, Real et al. 2019: tournament selection, mutation, the oldest dies',
  options,
  requires: ['mutate'],
  create(ctx) {
    const o = ctx.options as EvolutionOptions;
    if (o.sampleSize > o.population) {
      throw new InvalidOptionError(
        `strategy 'evolution': sampleSize (${o.sampleSize}) cannot be larger than population (${o.population})`,
      );
    }
    return new RegularizedEvolution(ctx as StrategyContext<unknown, EvolutionOptions>);
  },
};
