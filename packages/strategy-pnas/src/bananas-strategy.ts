import {
  InvalidOptionError,
  type OptionValues,
  type Strategy,
  type StrategyContext,
  type StrategyFactory,
  type TrialResult,
} from '@archlab/core';
import { type Acquisition, GuidedSearch } from './guided-search.js';
import { guidedSearchOptions } from './guided-search-options.js';

const options = {
  initial: {
    type: 'int',
    default: 10,
    min: 1,
    description: 'random architectures evaluated before the surrogate is first trusted',
  },
  batch: {
    type: 'int',
    default: 10,
    min: 1,
    description: 'architectures proposed from each fit of the surrogate',
  },
  candidates: {
    type: 'int',
    default: 100,
    min: 1,
    description: 'candidates scored by the acquisition function each round',
  },
  parents: {
    type: 'int',
    default: 10,
    min: 1,
    description: 'best evaluated architectures whose mutations make up the candidates',
  },
  randomCandidates: {
    type: 'int',
    default: 10,
    min: 0,
    description: 'uniformly drawn architectures added to the candidates each round',
  },
  acquisition: {
    type: 'enum',
    values: ['its', 'ucb', 'mean'],
    default: 'its',
    description:
      'its: independent Thompson sampling, a draw from N(mean, spread) per candidate; ucb: mean + kappa * spread; mean: the ensemble mean',
  },
  kappa: { type: 'number', default: 1, min: 0, description: 'weight of the spread in ucb' },
  ...guidedSearchOptions,
} as const;

export type BananasOptions = OptionValues<typeof options>;

/**
 * BANANAS-style predictor-guided search (White, Neiswanger & Savani, AAAI 2021): after
 * `initial` random evaluations, each round refits an ensemble surrogate on every result, makes
 * candidates by mutating the `parents` best architectures found (plus `randomCandidates`
 * random ones), scores them with the acquisition function (independent Thompson sampling by
 * default) and queues the `batch` best not yet proposed. No architecture is proposed twice;
 * with an `isomorphismKey`, no function either.
 *
 * Never waits: when the queue runs dry with results still in flight it refits on what it has.
 * Checkpoints hold everything (surrogate weights and Adam moments as Float32Arrays, the rng,
 * the proposed and scored sets, the queue), so a restore followed by the later events makes
 * exactly the proposals of the uninterrupted run.
 */
export class BananasStrategy<A> implements Strategy<A> {
  private readonly guided: GuidedSearch<A>;

  constructor(private readonly ctx: StrategyContext<A, BananasOptions>) {
    const o = ctx.options;
    if (o.batch > o.candidates + o.randomCandidates) {
      throw new InvalidOptionError(
        `strategy 'bananas': option 'batch' (${o.batch}) must be at most candidates + randomCandidates (${o.candidates + o.randomCandidates})`,
      );
    }
    this.guided = new GuidedSearch(ctx, 'bananas');
  }

  ask(): A | undefined {
    const g = this.guided;
    if (g.exhausted) return undefined;
    const queued = g.proposeQueued();
    if (queued !== undefined) return queued;
    if (g.proposed < this.ctx.options.initial || g.evaluated.length === 0) return g.proposeRandom();
    return g.proposeRound(() => this.choose());
  }

  tell(result: TrialResult<A>): void {
    this.guided.record(result);
  }

  snapshot(): Uint8Array {
    return this.guided.checkpoint({});
  }

  restore(bytes: Uint8Array): void {
    this.guided.restore(bytes);
  }

  /** One round: candidates from the best results, ranked by the acquisition function. */
  private choose(): A[] {
    const g = this.guided;
    const { space, options: o } = this.ctx;
    const parents = g.best(o.parents);
    const candidates: A[] = [];
    for (let i = 0; i < o.candidates; i++)
      candidates.push(space.mutate!(parents[i % parents.length]!.arch, g.rng));
    for (let i = 0; i < o.randomCandidates; i++) candidates.push(space.sample(g.rng));
    const acquisitions: Record<string, Acquisition> = {
      its: (p, i) => p.mean(i) + p.std(i) * g.rng.normal(),
      ucb: (p, i) => p.mean(i) + o.kappa * p.std(i),
      mean: (p, i) => p.mean(i),
    };
    return g.bestUnseen(candidates, o.batch, acquisitions[o.acquisition]);
  }
}

export const bananasStrategyFactory: StrategyFactory = {
  name: 'bananas',
  description:
    'BANANAS-style search: mutations of the best architectures ranked by an ensemble surrogate (Thompson sampling), a batch per refit',
  options,
  requires: ['encoding', 'mutate'],
  create: (ctx) => new BananasStrategy(ctx),
};
