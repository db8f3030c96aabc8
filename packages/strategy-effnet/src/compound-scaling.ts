import {
  ConfigError,
  InvalidOptionError,
  type OptionValues,
  RunHaltedError,
  type Strategy,
  type StrategyContext,
  type StrategyFactory,
  type TrialResult,
} from '@archlab/core';
import { isScalable, type ScalableSpace } from './scalable-space.js';
import {
  type Coefficients,
  compoundMultipliers,
  DIMENSIONS,
  flopsFactor,
  formatCoefficients,
  MAX_MULTIPLIER,
  type Multipliers,
  matchFlops,
  parseMultiplier,
  parseMultiplierList,
  quantize,
  scalingGrid,
  UNSCALED,
} from './scaling.js';

export const COMPOUND_SCALING = 'compound-scaling';

const ONLY = ['none', ...DIMENSIONS] as const;

export const COMPOUND_SCALING_OPTIONS = {
  base: {
    type: 'string',
    default: '',
    description: "key of the base architecture (of the unscaled space); empty: the space's default base",
  },
  alphas: { type: 'string', default: '1,1.1,1.2,1.3', description: 'depth coefficients α of the grid' },
  betas: { type: 'string', default: '1,1.1,1.2', description: 'width coefficients β of the grid' },
  gammas: { type: 'string', default: '1,1.1,1.2,1.3', description: 'resolution coefficients γ of the grid' },
  tolerance: {
    type: 'number',
    default: 0.1,
    min: 0,
    max: 1,
    description: 'the grid keeps the (α, β, γ) with |α·β²·γ² − 2| ≤ this',
  },
  coefficients: {
    type: 'string',
    default: '',
    description: "'α,β,γ' to scale with, skipping the grid search (phase 1); empty: search the grid",
  },
  'phi-max': { type: 'int', default: 3, min: 1, max: 8, description: 'scale to φ = 1 … this' },
  only: {
    type: 'enum',
    default: 'none',
    values: ONLY,
    description:
      "'none': compound scaling; 'depth', 'width' or 'resolution': scale that dimension alone to the FLOPs of compound φ (the baselines)",
  },
} as const;

type Options = OptionValues<typeof COMPOUND_SCALING_OPTIONS>;

/** One architecture a phase trains. */
interface Planned<A> {
  readonly arch: A;
  readonly key: string;
}

type Phase = 'grid' | 'scale' | 'done';

interface Saved {
  readonly phase: Phase;
  readonly best: Coefficients | null;
  readonly halted: string | null;
  readonly next: number;
  readonly pending: readonly string[];
  /** Every result told, by key; null for NaN. */
  readonly known: readonly (readonly [string, number | null])[];
}

/**
 * EfficientNet's compound scaling (Tan & Le 2019) as a strategy. Phase 1 trains the base
 * scaled by each (α, β, γ) of the grid at φ = 1 and keeps the best by the run's objective (the
 * `train` estimator's validation accuracy; a tie goes to the first in grid order); phase 2
 * trains φ = 1 … `phi-max` with d = α^φ, w = β^φ, r = γ^φ, or, with `only`, one dimension
 * alone scaled to the FLOPs (counted on the rounded network) of compound φ. Then it is done.
 *
 * It never proposes an architecture twice: a result it was told (its own, or a screened run's
 * warm-up trial) stands for any later proposal of the same key. Phase 2 waits (`ask` returns
 * undefined) until every trial of phase 1 is told. Its whole state is a small JSON snapshot; it
 * uses no randomness.
 */
export class CompoundScaling<A> implements Strategy<A> {
  private readonly space: ScalableSpace<A>;
  private readonly base: string;
  private readonly grid: readonly Coefficients[];
  private phase: Phase;
  private best: Coefficients | undefined;
  /** The current phase's trials; undefined until phase 2's are worked out (it counts FLOPs). */
  private plan: Planned<A>[] | undefined;
  private next = 0;
  private readonly pending = new Set<string>();
  private readonly known = new Map<string, number>();
  /** Why phase 2 cannot start: `ask` stops the run with it. */
  private halted: string | undefined;

  constructor(private readonly ctx: StrategyContext<A, Options>) {
    const { space, options: o } = ctx;
    if (!isScalable(space)) {
      throw new ConfigError(
        `${COMPOUND_SCALING}: space '${space.name}' does not scale a base architecture; use a scalable space such as --space mbv3-scaled`,
      );
    }
    this.space = space as ScalableSpace<A>;
    this.base = o.base === '' ? this.space.defaultBase : o.base;
    // A malformed base fails here, before the run is recorded.
    this.space.scale(this.base, UNSCALED);
    const parse = (name: 'alphas' | 'betas' | 'gammas') =>
      parseMultiplierList(COMPOUND_SCALING, name, o[name]);
    this.grid = scalingGrid(COMPOUND_SCALING, parse('alphas'), parse('betas'), parse('gammas'), o.tolerance);
    const given = o.coefficients === '' ? undefined : parseCoefficients(o.coefficients);
    const largest = Math.max(...(given ? [given] : this.grid).flatMap((c) => [c.alpha, c.beta, c.gamma]));
    if (quantize(largest ** o['phi-max']) > MAX_MULTIPLIER) {
      throw new InvalidOptionError(
        `${COMPOUND_SCALING}: φ=${o['phi-max']} would scale by ${largest}^${o['phi-max']} = ${quantize(largest ** o['phi-max'])}, beyond ×${MAX_MULTIPLIER}; lower 'phi-max' or the coefficients`,
      );
    }
    if (!given) {
      this.phase = 'grid';
      this.plan = this.gridPlan();
    } else {
      this.best = given;
      this.phase = 'scale';
    }
  }

  /** The coefficients phase 1 found (or the run was given); undefined while the grid is searched. */
  get coefficients(): Coefficients | undefined {
    return this.best;
  }

  async ask(): Promise<A | undefined> {
    const plan = this.plan ?? (await this.scalePlan());
    if (this.halted) throw new RunHaltedError(this.halted);
    while (this.next < plan.length) {
      const item = plan[this.next++]!;
      if (this.known.has(item.key) || this.pending.has(item.key)) continue;
      this.pending.add(item.key);
      return item.arch;
    }
    return undefined;
  }

  async tell(result: TrialResult<A>): Promise<void> {
    if (!result.seeded) this.pending.delete(result.key);
    if (!this.known.has(result.key))
      this.known.set(result.key, result.status === 'completed' ? result.score : Number.NaN);
    await this.advance();
  }

  snapshot(): Uint8Array {
    const saved: Saved = {
      phase: this.phase,
      best: this.best ?? null,
      halted: this.halted ?? null,
      next: this.next,
      pending: [...this.pending],
      known: [...this.known].map(([k, s]) => [k, Number.isNaN(s) ? null : s] as const),
    };
    return new TextEncoder().encode(JSON.stringify(saved));
  }

  async restore(bytes: Uint8Array): Promise<void> {
    const saved = JSON.parse(new TextDecoder().decode(bytes)) as Saved;
    this.phase = saved.phase;
    this.best = saved.best ?? undefined;
    this.halted = saved.halted ?? undefined;
    this.plan = saved.phase === 'grid' ? this.gridPlan() : undefined;
    if (this.plan === undefined) await this.scalePlan();
    this.next = saved.next;
    this.pending.clear();
    for (const k of saved.pending) this.pending.add(k);
    this.known.clear();
    for (const [k, s] of saved.known) this.known.set(k, s ?? Number.NaN);
  }

  /** Moves to phase 2 once every grid point is told, to done once every planned trial is. */
  private async advance(): Promise<void> {
    const plan = this.plan;
    if (!plan || this.pending.size > 0 || plan.some((p) => !this.known.has(p.key))) return;
    if (this.phase === 'grid') {
      const best = this.bestOfGrid(plan);
      this.best = best?.c;
      this.phase = 'scale';
      this.next = 0;
      if (best) {
        // The coefficients found, in the log (`archlab show` prints them) before phase 2 starts.
        const { alpha, beta, gamma } = best.c;
        await this.ctx.progress?.report(1, {
          alpha,
          beta,
          gamma,
          flops_factor: flopsFactor(best.c),
          best_score: best.score,
        });
      } else {
        this.halted = `${COMPOUND_SCALING}: every trial of the grid failed or was pruned, so there are no coefficients to scale with; see why with 'archlab show'`;
      }
      await this.scalePlan();
      await this.advance();
    } else {
      this.phase = 'done';
    }
  }

  /** The grid point with the highest score; the first in grid order on a tie; none if every one failed. */
  private bestOfGrid(plan: readonly Planned<A>[]): { c: Coefficients; score: number } | undefined {
    let best: { c: Coefficients; score: number } | undefined;
    plan.forEach((p, i) => {
      const score = this.known.get(p.key)!;
      if (!Number.isNaN(score) && (!best || score > best.score)) best = { c: this.grid[i]!, score };
    });
    return best;
  }

  private gridPlan(): Planned<A>[] {
    return this.grid.map((c) => this.planned(compoundMultipliers(c, 1)));
  }

  /**
   * Works out phase 2 (compound φ = 1 … phi-max, or the one dimension `only` names at their
   * FLOPs) into `plan`; what stops it (no coefficients, FLOPs out of reach) into `halted`.
   */
  private async scalePlan(): Promise<Planned<A>[]> {
    this.plan = [];
    const c = this.best;
    if (this.halted || !c) return this.plan;
    const phis = Array.from({ length: this.ctx.options['phi-max'] }, (_, i) => i + 1);
    const only = this.ctx.options.only as (typeof ONLY)[number];
    if (only === 'none') {
      this.plan = phis.map((phi) => this.planned(compoundMultipliers(c, phi)));
      return this.plan;
    }
    const flops = await this.space.flopsCounter();
    const alone = (m: number): Multipliers => ({ ...UNSCALED, [only]: m });
    const plan: Planned<A>[] = [];
    for (const phi of phis) {
      const target = flops(this.space.scale(this.base, compoundMultipliers(c, phi)));
      const m = matchFlops((x) => flops(this.space.scale(this.base, alone(x))), target, MAX_MULTIPLIER);
      if (m === undefined) {
        this.halted = `${COMPOUND_SCALING}: scaling ${only} alone up to ×${MAX_MULTIPLIER} does not reach the ${target} FLOPs of compound φ=${phi} (${formatCoefficients(c)}); lower 'phi-max'`;
        return this.plan;
      }
      plan.push(this.planned(alone(m)));
    }
    this.plan = plan;
    return plan;
  }

  private planned(m: Multipliers): Planned<A> {
    const arch = this.space.scale(this.base, m);
    return { arch, key: this.space.key(arch) };
  }
}

/** `coefficients=α,β,γ`: three multipliers. */
function parseCoefficients(text: string): Coefficients {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 3) {
    throw new InvalidOptionError(
      `${COMPOUND_SCALING}: option 'coefficients' is 'alpha,beta,gamma', like '1.2,1.1,1.15'; got '${text}'`,
    );
  }
  const [alpha, beta, gamma] = parts.map((p) => parseMultiplier(COMPOUND_SCALING, 'coefficients', p)) as [
    number,
    number,
    number,
  ];
  return { alpha, beta, gamma };
}

/** `--strategy compound-scaling`: EfficientNet's grid search of (α, β, γ), then φ = 1 … phi-max. */
export const compoundScalingFactory: StrategyFactory = {
  name: COMPOUND_SCALING,
  description:
    'EfficientNet compound scaling: grid of (α, β, γ) with α·β²·γ² ≈ 2 at φ=1, then φ=1..phi-max with the best (or one dimension alone at matched FLOPs: only=depth|width|resolution)',
  options: COMPOUND_SCALING_OPTIONS,
  create: (ctx) => new CompoundScaling(ctx as StrategyContext<unknown, Options>),
};
