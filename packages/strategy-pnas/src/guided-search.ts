import {
  InvalidOptionError,
  Rng,
  type RngState,
  type SearchSpace,
  type SpaceEncoding,
  type StrategyContext,
  type TrialResult,
} from '@archlab/core';
import type { FeatureKind } from './arch-features.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec.js';
import type { EnsemblePredictions } from './ensemble-mlp.js';
import { Surrogate, type SurrogateSettings, type SurrogateState } from './surrogate.js';

/** A completed trial with a finite score, as the surrogate trains on it. */
export interface Evaluated<A> {
  readonly arch: A;
  readonly key: string;
  readonly code: readonly number[];
  readonly score: number;
}

/** The options `GuidedSearch` reads (`guidedSearchOptions`), as parsed: an enum arrives as a string. */
export interface GuidedSearchOptions extends Omit<SurrogateSettings, 'features'> {
  readonly features: string;
  readonly maxRetries: number;
}

/** What `GuidedSearch` puts in a checkpoint: plain data, Float32Arrays included. */
export interface GuidedSearchState {
  readonly rng: RngState;
  readonly seen: readonly string[];
  readonly known: readonly (readonly [string, number])[];
  readonly evaluated: readonly (readonly [string, number])[];
  readonly queue: readonly string[];
  readonly proposed: number;
  readonly exhausted: boolean;
  readonly surrogate: SurrogateState;
}

const CHECKPOINT_VERSION = 1;

/** Scores the candidate at index `i` from the surrogate's predictions; larger is proposed first. */
export type Acquisition = (predictions: EnsemblePredictions, i: number) => number;

/**
 * The bookkeeping both strategies of this package share: which architectures were proposed
 * (by isomorphism class where the space has one, so no function is evaluated twice), what
 * each class scored, the results the surrogate learns from, the queue of proposals chosen
 * ahead, and the rng. Everything a decision depends on lives here or in the strategy's own
 * few fields, and `checkpoint()`/`restore()` carry all of it.
 */
export class GuidedSearch<A> {
  readonly space: SearchSpace<A>;
  readonly encoding: SpaceEncoding<A>;
  readonly surrogate: Surrogate;
  /** Results with a finite score, in the order they were told. */
  readonly evaluated: Evaluated<A>[] = [];
  /** Chosen ahead, proposed first-in first-out (each checked again against `seen` when its turn comes). */
  queue: A[] = [];
  /** Set when no unseen architecture could be found: every later `ask` proposes nothing. */
  exhausted = false;
  /** Architectures proposed so far, and warm-up trials told (they stand for initial samples). */
  proposed = 0;
  private rngNow: Rng;
  private readonly seen = new Set<string>();
  private readonly known = new Map<string, number>();
  private readonly maxRetries: number;

  constructor(
    ctx: StrategyContext<A, GuidedSearchOptions>,
    private readonly strategyName: string,
  ) {
    const { space, options } = ctx;
    if (!space.encoding) {
      throw new InvalidOptionError(`strategy '${strategyName}' needs a space with an encoding`);
    }
    this.space = space;
    this.encoding = space.encoding;
    // A copy, so `restore` can put the stream back where a checkpoint left it.
    this.rngNow = Rng.fromState(ctx.rng.state());
    this.maxRetries = options.maxRetries;
    // parseOptions has checked `features` against FEATURE_KINDS.
    const settings = { ...options, features: options.features as FeatureKind };
    this.surrogate = new Surrogate(space.encoding as SpaceEncoding<unknown>, settings, this.rngNow);
  }

  get rng(): Rng {
    return this.rngNow;
  }

  /** What makes two architectures "the same" here: the isomorphism class where the space knows it. */
  identity(arch: A): string {
    return this.space.isomorphismKey ? this.space.isomorphismKey(arch) : this.space.key(arch);
  }

  /** Records `arch` as proposed and returns it. */
  propose(arch: A): A {
    this.seen.add(this.identity(arch));
    this.proposed++;
    return arch;
  }

  /** The first queued architecture not proposed meanwhile, now proposed; undefined when the queue runs dry. */
  proposeQueued(): A | undefined {
    while (this.queue.length) {
      const arch = this.queue.shift()!;
      if (!this.seen.has(this.identity(arch))) return this.propose(arch);
    }
    return undefined;
  }

  /** A uniformly drawn architecture not proposed yet, now proposed; undefined (and `exhausted`) after `maxRetries` misses. */
  proposeRandom(): A | undefined {
    for (let i = 0; i < this.maxRetries; i++) {
      const arch = this.space.sample(this.rngNow);
      if (!this.seen.has(this.identity(arch))) return this.propose(arch);
    }
    // Like the core's random strategy, it stays given up, so an empty ask never draws twice.
    this.exhausted = true;
    return undefined;
  }

  /**
   * One model-guided round: refits the surrogate on any new results, queues what `choose`
   * picks, and proposes the first of it (a random architecture when it picked nothing new).
   */
  proposeRound(choose: () => A[]): A | undefined {
    this.refit();
    this.queue = choose();
    return this.proposeQueued() ?? this.proposeRandom();
  }

  record(result: TrialResult<A>): void {
    if (result.seeded) {
      // A warm-up trial of a screened run: never proposed again, and one of the initial samples.
      this.seen.add(this.identity(result.arch));
      this.proposed++;
    }
    this.known.set(this.identity(result.arch), result.score);
    if (result.status === 'completed' && Number.isFinite(result.score)) {
      this.evaluated.push({
        arch: result.arch,
        key: result.key,
        code: this.encoding.encode(result.arch),
        score: result.score,
      });
    }
  }

  /** The score of `arch`'s class when some member of it was evaluated (NaN when that failed). */
  knownScore(arch: A): number | undefined {
    return this.known.get(this.identity(arch));
  }

  /** The `k` best results, best first (earlier results first among equals). */
  best(k: number): Evaluated<A>[] {
    return GuidedSearch.top(
      this.evaluated,
      this.evaluated.map((e) => e.score),
      k,
    );
  }

  /** Refits the surrogate when results arrived since its last fit. */
  refit(): void {
    if (this.evaluated.length === this.surrogate.trainedOn) return;
    this.surrogate.fit(
      this.evaluated.map((e) => e.code),
      this.evaluated.map((e) => e.score),
      this.rngNow,
    );
  }

  /** The distinct candidates not proposed yet, in candidate order (so decisions made from them are reproducible). */
  unseen(candidates: readonly A[]): A[] {
    const ids = new Set<string>();
    return candidates.filter((a) => {
      const id = this.identity(a);
      if (this.seen.has(id) || ids.has(id)) return false;
      ids.add(id);
      return true;
    });
  }

  /** The `k` unseen candidates that `acquisition` values most under the surrogate, best first. */
  bestUnseen(candidates: readonly A[], k: number, acquisition: Acquisition = (p, i) => p.mean(i)): A[] {
    const archs = this.unseen(candidates);
    const predictions = this.surrogate.predict(archs.map((a) => this.encoding.encode(a)));
    return GuidedSearch.top(
      archs,
      archs.map((_, i) => acquisition(predictions, i)),
      k,
    );
  }

  /** The `k` items with the highest `values`, best first (earlier first among equals). */
  static top<T>(items: readonly T[], values: ArrayLike<number>, k: number): T[] {
    return items
      .map((_, i) => i)
      .sort((i, j) => values[j]! - values[i]! || i - j)
      .slice(0, k)
      .map((i) => items[i]!);
  }

  /** `decode(code)`, or undefined when the space rejects that combination of choices. */
  tryDecode(code: readonly number[]): A | undefined {
    try {
      return this.encoding.decode(code);
    } catch {
      return undefined;
    }
  }

  /** Checkpoint bytes: this state plus the strategy's own fields in `extra`. */
  checkpoint(extra: Record<string, unknown>): Uint8Array {
    const state: GuidedSearchState = {
      rng: this.rngNow.state(),
      seen: [...this.seen],
      known: [...this.known],
      evaluated: this.evaluated.map((e) => [e.key, e.score] as const),
      queue: this.queue.map((a) => this.space.key(a)),
      proposed: this.proposed,
      exhausted: this.exhausted,
      surrogate: this.surrogate.state(),
    };
    return encodeCheckpoint({ strategy: this.strategyName, v: CHECKPOINT_VERSION, guided: state, extra });
  }

  /** Loads a `checkpoint()` and returns the strategy's `extra` fields from it. */
  restore(bytes: Uint8Array): Record<string, unknown> {
    const body = decodeCheckpoint(bytes) as {
      strategy?: unknown;
      v?: unknown;
      guided: GuidedSearchState;
      extra: Record<string, unknown>;
    } | null;
    if (body?.strategy !== this.strategyName || body.v !== CHECKPOINT_VERSION) {
      throw new TypeError(
        `not a checkpoint of strategy '${this.strategyName}' version ${CHECKPOINT_VERSION}; resume with the archlab version that wrote it`,
      );
    }
    const s = body.guided;
    this.rngNow = Rng.fromState(s.rng);
    this.seen.clear();
    for (const id of s.seen) this.seen.add(id);
    this.known.clear();
    for (const [id, score] of s.known) this.known.set(id, score);
    this.evaluated.length = 0;
    for (const [key, score] of s.evaluated) {
      const arch = this.space.parse(key);
      this.evaluated.push({ arch, key, code: this.encoding.encode(arch), score });
    }
    this.queue = s.queue.map((k) => this.space.parse(k));
    this.proposed = s.proposed;
    this.exhausted = s.exhausted;
    this.surrogate.load(s.surrogate);
    return body.extra;
  }
}
