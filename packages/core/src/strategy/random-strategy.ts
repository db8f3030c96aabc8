import type { OptionValues } from '../options/options.js';
import type { SearchSpace } from '../space/search-space.js';
import type { Strategy, StrategyContext, StrategyFactory, TrialResult } from './strategy.js';

const options = {
  dedupe: {
    type: 'boolean',
    default: true,
    description: 'skip architectures already proposed in this run (sampling without replacement)',
  },
  maxRetries: {
    type: 'int',
    default: 1000,
    min: 1,
    description: 'draws per proposal before giving up on finding an unseen architecture',
  },
} as const;

type RandomOptions = OptionValues<typeof options>;

/** Uniform random search: the baseline every other strategy must beat. */
export class RandomStrategy<A> implements Strategy<A> {
  private readonly seen = new Set<string>();
  // Once it gives up it stays given up, so an empty `ask` never consumes randomness twice.
  private exhausted = false;
  private readonly space: SearchSpace<A>;

  constructor(private readonly ctx: StrategyContext<A, RandomOptions>) {
    this.space = ctx.space;
  }

  ask(): A | undefined {
    const { rng, options: o } = this.ctx;
    if (!o.dedupe) return this.space.sample(rng);
    if (this.exhausted || (this.space.size !== undefined && this.seen.size >= this.space.size))
      return undefined;
    for (let i = 0; i < o.maxRetries; i++) {
      const arch = this.space.sample(rng);
      const key = this.space.key(arch);
      if (!this.seen.has(key)) {
        this.seen.add(key);
        return arch;
      }
    }
    this.exhausted = true;
    return undefined;
  }

  // Its own proposals are in `seen` already; this adds the warm-up trials of a screened run.
  tell(result: TrialResult<A>): void {
    if (this.ctx.options.dedupe) this.seen.add(result.key);
  }
}

export const randomStrategyFactory: StrategyFactory = {
  name: 'random',
  description: 'uniform random sampling from the space, without repeats by default',
  options,
  requires: [],
  create: (ctx) => new RandomStrategy(ctx),
};
