import {
  InvalidOptionError,
  type Objective,
  type OptionValues,
  type Strategy,
  type StrategyContext,
  type StrategyFactory,
  type TrialResult,
} from '@archlab/core';
import { DedupeSet } from './dedupe-set.js';
import { crowdingDistance, nonDominatedSort, objectiveVector, parseObjectives } from './pareto.js';

const options = {
  objectives: {
    type: 'string',
    default: '',
    description:
      "two or more metrics optimised together, e.g. 'test_acc:max,params:min' (default: the run's objectives)",
  },
  population: {
    type: 'int',
    default: 20,
    min: 2,
    description: 'parents kept, and children proposed, per generation',
  },
  crossover: {
    type: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    description:
      'probability that a child starts as a uniform crossover of two parents (on the space encoding; ignored without one); every child is then mutated',
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
 * NSGA-II (Deb et al. 2002) for several objectives. Generation 0 is `population` random
 * architectures; each later generation is `population` children, each from binary tournaments
 * on (rank, crowding distance), optionally crossed over on the space's encoding, then mutated.
 * No architecture is proposed twice where a redraw (up to 100) avoids it.
 *
 * Generational: once a generation is proposed, `ask` returns undefined until all of its results
 * are told; then parents ∪ children are sorted into non-dominated fronts and the best
 * `population` (by rank, then crowding distance) become the parents. A failed or pruned trial,
 * one that breaks a constraint of the run, or one missing an objective metric, counts towards
 * its generation but never becomes a parent (constraints as a death penalty).
 */
export class Nsga2<A> implements Strategy<A> {
  private parents: Individual<A>[] = [];
  private children: Individual<A>[] = [];
  private proposed = 0;
  private told = 0;
  private warnedMissing = false;
  private readonly seen: DedupeSet<A>;

  constructor(
    private readonly ctx: StrategyContext<A, Nsga2Options>,
    private readonly objectives: readonly Objective[],
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
    // A warm-up trial of a screened run joins generation 0 on top of its `population` proposals.
    if (result.seeded) this.seen.add(result.arch);
    else this.told++;
    const usable = result.status === 'completed' && result.feasible !== false;
    const v = usable ? objectiveVector(result.metrics, this.objectives) : undefined;
    if (v) this.children.push({ arch: result.arch, objectives: v, rank: 0, crowding: 0 });
    if (this.told === this.ctx.options.population) this.nextGeneration();
    // Thrown after the state is updated, so the run goes on (as a PluginFailed event) and replays the same.
    if (!v && usable && !this.warnedMissing) {
      this.warnedMissing = true;
      const missing = this.objectives.filter((o) => !Number.isFinite(result.metrics?.[o.metric]));
      throw new InvalidOptionError(
        `strategy 'nsga2': trial ${result.trialId} has no finite ${missing.map((o) => `'${o.metric}'`).join(', ')} (its metrics: ${Object.keys(result.metrics ?? {}).join(', ') || 'none'}); name metrics the estimator reports in 'objectives'`,
      );
    }
  }

  /** The current parents' first front: the trade-offs kept so far, as vectors to maximise. */
  front(): { arch: A; objectives: number[] }[] {
    return this.parents.filter((p) => p.rank === 0).map(({ arch, objectives }) => ({ arch, objectives }));
  }

  private nextGeneration(): void {
    const pool = [...this.parents, ...this.children];
    const points = pool.map((p) => p.objectives);
    const size = this.ctx.options.population;
    const survivors: Individual<A>[] = [];
    for (const [rank, front] of nonDominatedSort(points).entries()) {
      const distance = crowdingDistance(points, front);
      const members = front.map((i, k) => Object.assign(pool[i]!, { rank, crowding: distance[k]! }));
      if (survivors.length + members.length <= size) {
        survivors.push(...members);
        continue;
      }
      // Stable sort: equal crowding keeps pool order, so the cut is deterministic.
      members.sort((x, y) => y.crowding - x.crowding);
      survivors.push(...members.slice(0, size - survivors.length));
      break;
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
    const encoding = this.ctx.space.encoding!;
    const y = encoding.encode(b);
    return encoding.decode(encoding.encode(a).map((v, i) => (this.ctx.rng.float() < 0.5 ? v : y[i]!)));
  }
}

export const nsga2Factory: StrategyFactory = {
  name: 'nsga2',
  description:
    'NSGA-II (Deb et al. 2002): generations selected by non-dominated sorting and crowding distance over several objectives',
  options,
  requires: ['mutate'],
  /** Its own `objectives` option when given (a different trade-off than the run reports), else the run's objectives. */
  create(ctx) {
    const o = ctx.options as Nsga2Options;
    const where = "strategy 'nsga2': option 'objectives'";
    if (o.objectives.trim() === '') {
      const run = ctx.objectives ?? [ctx.objective];
      if (run.length < 2) {
        throw new InvalidOptionError(
          `strategy 'nsga2' needs two or more objectives: give the run several (--objective test_acc:max --objective params:min) or the option objectives=test_acc:max,params:min`,
        );
      }
      return new Nsga2(ctx as StrategyContext<unknown, Nsga2Options>, run);
    }
    const objectives = parseObjectives(o.objectives, where);
    if (objectives.length < 2) {
      throw new InvalidOptionError(
        `${where} names one metric ('${o.objectives}'); NSGA-II needs two or more (for one objective use 'evolution')`,
      );
    }
    return new Nsga2(ctx as StrategyContext<unknown, Nsga2Options>, objectives);
  },
};
