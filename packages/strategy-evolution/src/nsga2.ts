import {
  InvalidOptionError,
  type OptionValues,
  type Strategy,
  type StrategyContext,
  type StrategyFactory,
  type TrialResult,
} from '@archlab/core';
import { DedupeSet } from './dedupe-set.js';
import {
  crowdingDistance,
  nonDominatedSort,
  type ObjectiveSpec,
  objectiveVector,
  parseObjectives,
} from './pareto.js';

const options = {
  objectives: {
    type: 'string',
    default: '',
    description:
      "metrics to optimise together, e.g. 'test_acc:max,params:min' (default: the run's objective alone)",
  },
  population: {
    type: 'int',
    default: 20,
    min: 2,
    description: 'parents per generation, and offspring per generation',
  },
  crossover: {
    type: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    description: 'probability of uniform crossover on the space encoding before mutation (needs an encoding)',
  },
} as const;

type Nsga2Options = OptionValues<typeof options>;

interface Individual<A> {
  readonly arch: A;
  readonly objectives: number[];
  rank: number;
  crowding: number;
}

/**
 * NSGA-II (Deb et al. 2002) for several objectives. Generation 0 is random; each later generation
 * is `population` children of binary tournaments on (rank, crowding distance), crossed over on
 * the space's encoding and mutated. When all of a generation's results are in, parents and
 * children are sorted into non-dominated fronts and the best `population` survive. While a
 * generation's results are outstanding, `ask` waits (returns undefined).
 */
export class Nsga2<A> implements Strategy<A> {
  private parents: Individual<A>[] = [];
  private children: Individual<A>[] = [];
  private proposed = 0;
  private told = 0;
  private readonly seen: DedupeSet<A>;

  constructor(
    private readonly ctx: StrategyContext<A, Nsga2Options>,
    private readonly specs: readonly ObjectiveSpec[],
  ) {
    this.seen = new DedupeSet(ctx.space);
  }

  ask(): A | undefined {
    const { rng, space, options: o } = this.ctx;
    if (this.proposed === o.population) return undefined; // the generation is out; wait for its results
    this.proposed++;
    if (this.parents.length === 0) return this.seen.draw(() => space.sample(rng), true);
    return this.seen.draw(() => {
      const a = this.tournament();
      const b = this.tournament();
      const child = space.encoding && rng.float() < o.crossover ? this.crossover(a.arch, b.arch) : a.arch;
      return space.mutate!(child, rng);
    }, true);
  }

  tell(result: TrialResult<A>): void {
    this.told++;
    const v = result.status === 'completed' ? objectiveVector(result.metrics, this.specs) : undefined;
    if (v) this.children.push({ arch: result.arch, objectives: v, rank: 0, crowding: 0 });
    if (this.told === this.ctx.options.population) this.nextGeneration();
  }

  /** The current parents' first front: the trade-offs found so far. */
  front(): { arch: A; objectives: number[] }[] {
    return this.parents.filter((p) => p.rank === 0).map(({ arch, objectives }) => ({ arch, objectives }));
  }

  private nextGeneration(): void {
    const pool = [...this.parents, ...this.children];
    const points = pool.map((p) => p.objectives);
    const survivors: Individual<A>[] = [];
    for (const [rank, front] of nonDominatedSort(points).entries()) {
      const distance = crowdingDistance(points, front);
      const members = front.map((i, k) => Object.assign(pool[i]!, { rank, crowding: distance[k]! }));
      if (survivors.length + members.length <= this.ctx.options.population) {
        survivors.push(...members);
      } else {
        members.sort((x, y) => y.crowding - x.crowding);
        survivors.push(...members.slice(0, this.ctx.options.population - survivors.length));
        break;
      }
    }
    this.parents = survivors;
    this.children = [];
    this.proposed = 0;
    this.told = 0;
  }

  private tournament(): Individual<A> {
    const { rng } = this.ctx;
    const a = rng.pick(this.parents);
    const b = rng.pick(this.parents);
    if (a.rank !== b.rank) return a.rank < b.rank ? a : b;
    return b.crowding > a.crowding ? b : a;
  }

  private crossover(a: A, b: A): A {
    const { encoding } = this.ctx.space;
    const x = encoding!.encode(a);
    const y = encoding!.encode(b);
    return encoding!.decode(x.map((v, i) => (this.ctx.rng.float() < 0.5 ? v : y[i]!)));
  }
}

export const nsga2Factory: StrategyFactory = {
  name: 'nsga2',
  description:
    'NSGA-II (Deb et al. 2002): non-dominated sorting and crowding distance over several objectives',
  options,
  requires: ['mutate'],
  create(ctx) {
    const o = ctx.options as Nsga2Options;
    const specs = o.objectives === '' ? [ctx.objective] : parseObjectives(o.objectives);
    if (typeof specs === 'string')
      throw new InvalidOptionError(`strategy 'nsga2': option 'objectives' ${specs}`);
    if (specs.length === 0)
      throw new InvalidOptionError("strategy 'nsga2': option 'objectives' names no metric");
    return new Nsga2(ctx as StrategyContext<unknown, Nsga2Options>, specs);
  },
};
