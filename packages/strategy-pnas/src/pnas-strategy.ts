import {
  InvalidOptionError,
  type OptionValues,
  type Strategy,
  type StrategyContext,
  type StrategyFactory,
  type TrialResult,
} from '@archlab/core';
import { GuidedSearch } from './guided-search.js';
import { guidedSearchOptions } from './guided-search-options.js';

const options = {
  beam: {
    type: 'int',
    default: 5,
    min: 1,
    description: 'K: architectures expanded at each complexity level, and proposed per level and per refit',
  },
  initial: {
    type: 'int',
    default: 30,
    min: 1,
    description:
      'most architectures of the simplest level evaluated first (a random sample when it has more); on a space without the empty choice, random architectures evaluated before the first fit',
  },
  pool: {
    type: 'int',
    default: 100,
    min: 0,
    description:
      'random architectures ranked with the one-change neighbours of the best after the last level; on a space without the empty choice, the whole candidate set',
  },
  ...guidedSearchOptions,
} as const;

export type PnasOptions = OptionValues<typeof options>;

type Phase = 'levels' | 'refine' | 'sampling';

/**
 * PNAS (Liu et al., ECCV 2018): sequential model-based optimisation, progressive in
 * complexity. An architecture's complexity is the number of its decisions that do not hold
 * the empty choice (option `emptyChoice`, `none` on NAS-Bench-201, where it is the number of
 * edges carrying an operation); decisions without that choice are always active, take a
 * random value at the first level and change only after the last.
 *
 * 1. Evaluate the architectures with one active decision (at most `initial`, a random sample
 *    when there are more).
 * 2. Fit the surrogate on every result; expand the `beam` best architectures of the level by
 *    one more active decision, every way; rank the expansions by the surrogate's mean and
 *    propose the `beam` best not yet evaluated. An expansion whose isomorphism class was
 *    evaluated already joins the level with that score for free. Wait (`ask` returns
 *    undefined) until the level is fully told, then go up a level.
 * 3. After the level with every decision active: each round, rank the one-change neighbours
 *    of the `beam` best results and `pool` random architectures by the surrogate, propose the
 *    `beam` best, until the budget is spent.
 *
 * On a space with no empty choice in any decision there is no complexity order: it falls back
 * to surrogate-ranked sampling: `initial` random architectures, then each round the `beam`
 * best of `pool` random candidates by the surrogate's mean.
 *
 * Checkpoints hold everything (surrogate weights as Float32Arrays, rng, evaluated and proposed
 * sets, the current level, its pending proposals and the queue).
 */
export class PnasStrategy<A> implements Strategy<A> {
  private readonly guided: GuidedSearch<A>;
  private readonly emptyIndex: readonly number[];
  private readonly maxLevel: number;
  private phase: Phase;
  private level = 1;
  /** Every architecture considered at the current level: its pool, where each known score counts. */
  private members: A[] = [];
  /** Keys of the current level's proposals not told yet. */
  private readonly pending = new Set<string>();

  constructor(private readonly ctx: StrategyContext<A, PnasOptions>) {
    this.guided = new GuidedSearch(ctx, 'pnas');
    const o = ctx.options;
    this.emptyIndex = this.guided.encoding.decisions.map((d) => d.choices.indexOf(o.emptyChoice));
    this.maxLevel = this.emptyIndex.filter((i) => i >= 0).length;
    if (this.maxLevel === 0) {
      if (o.pool < 1) {
        throw new InvalidOptionError(
          `strategy 'pnas': space '${ctx.space.name}' has no '${o.emptyChoice}' choice, so pnas ranks a random pool; option 'pool' must be at least 1`,
        );
      }
      this.phase = 'sampling';
    } else {
      this.phase = 'levels';
      this.startFirstLevel();
    }
  }

  ask(): A | undefined {
    const g = this.guided;
    if (g.exhausted) return undefined;
    for (;;) {
      const queued = g.proposeQueued();
      if (queued !== undefined) {
        if (this.phase === 'levels') this.pending.add(this.ctx.space.key(queued));
        return queued;
      }
      if (this.phase !== 'levels') break;
      if (this.pending.size > 0) return undefined;
      if (this.level >= this.maxLevel) {
        this.phase = 'refine';
        break;
      }
      this.expand();
    }
    if ((this.phase === 'sampling' && g.proposed < this.ctx.options.initial) || g.evaluated.length === 0) {
      return g.proposeRandom();
    }
    return g.proposeRound(() => this.rankedRound());
  }

  tell(result: TrialResult<A>): void {
    this.guided.record(result);
    this.pending.delete(result.key);
  }

  snapshot(): Uint8Array {
    const { space } = this.ctx;
    return this.guided.checkpoint({
      phase: this.phase,
      level: this.level,
      members: this.members.map((a) => space.key(a)),
      pending: [...this.pending],
    });
  }

  restore(bytes: Uint8Array): void {
    const extra = this.guided.restore(bytes);
    this.phase = extra.phase as Phase;
    this.level = extra.level as number;
    this.members = (extra.members as string[]).map((k) => this.ctx.space.parse(k));
    this.pending.clear();
    for (const k of extra.pending as string[]) this.pending.add(k);
  }

  /** Level 1: one active decision, every way (at most `initial` of them), the others empty or random. */
  private startFirstLevel(): void {
    const g = this.guided;
    const { decisions } = g.encoding;
    const codes: number[][] = [];
    for (const [d, empty] of this.emptyIndex.entries()) {
      if (empty < 0) continue;
      for (let c = 0; c < decisions[d]!.choices.length; c++) {
        if (c === empty) continue;
        const code = this.emptyIndex.map((e, j) => (e >= 0 ? e : g.rng.int(decisions[j]!.choices.length)));
        code[d] = c;
        codes.push(code);
      }
    }
    const chosen =
      codes.length > this.ctx.options.initial ? g.rng.sample(codes, this.ctx.options.initial) : codes;
    this.members = this.decodeAll(chosen);
    g.queue = g.unseen(this.members);
  }

  /** Goes up a level: expands the best of this one, queues the `beam` expansions the surrogate ranks highest. */
  private expand(): void {
    const g = this.guided;
    const { beam } = this.ctx.options;
    const scored = this.members
      .map((arch) => ({ arch, score: g.knownScore(arch) }))
      .filter((m): m is { arch: A; score: number } => m.score !== undefined && Number.isFinite(m.score));
    const parents = GuidedSearch.top(
      scored.map((m) => m.arch),
      scored.map((m) => m.score),
      beam,
    );
    const codes: number[][] = [];
    for (const parent of parents) {
      const code = g.encoding.encode(parent);
      for (const [d, empty] of this.emptyIndex.entries()) {
        if (empty < 0 || code[d] !== empty) continue;
        for (let c = 0; c < g.encoding.decisions[d]!.choices.length; c++) {
          if (c !== empty) codes.push(code.map((x, j) => (j === d ? c : x)));
        }
      }
    }
    this.level++;
    this.members = this.decodeAll(codes);
    g.refit();
    g.queue = g.bestUnseen(this.members, beam);
  }

  /** After the levels (or without them): the best of the candidates by the surrogate's mean. */
  private rankedRound(): A[] {
    const g = this.guided;
    const { beam, pool } = this.ctx.options;
    const codes: number[][] = [];
    if (this.phase === 'refine') {
      for (const parent of g.best(beam)) {
        for (const [d, decision] of g.encoding.decisions.entries()) {
          for (let c = 0; c < decision.choices.length; c++) {
            if (c !== parent.code[d]) codes.push(parent.code.map((x, j) => (j === d ? c : x)));
          }
        }
      }
    }
    const candidates = this.decodeAll(codes);
    for (let i = 0; i < pool; i++) candidates.push(this.ctx.space.sample(g.rng));
    return g.bestUnseen(candidates, beam);
  }

  /** The distinct (by key) architectures the codes spell, skipping combinations the space rejects. */
  private decodeAll(codes: readonly (readonly number[])[]): A[] {
    const keys = new Set<string>();
    const out: A[] = [];
    for (const code of codes) {
      const arch = this.guided.tryDecode(code);
      if (arch === undefined) continue;
      const key = this.ctx.space.key(arch);
      if (keys.has(key)) continue;
      keys.add(key);
      out.push(arch);
    }
    return out;
  }
}

export const pnasStrategyFactory: StrategyFactory = {
  name: 'pnas',
  description:
    "PNAS: surrogate-guided search progressive in complexity (active decisions, 'none' = empty), beam K per level, then surrogate-ranked local changes; surrogate-ranked random sampling on a space without an empty choice",
  options,
  requires: ['encoding'],
  create: (ctx) => new PnasStrategy(ctx),
};
