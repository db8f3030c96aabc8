import { ConfigError, errorInfo } from '../errors.js';
import type { Estimator } from '../estimator/estimator.js';
import type { Budget, ScreenConfig } from '../events/event.js';
import { Rng } from '../rng/rng.js';
import type { SearchSpace } from '../space/search-space.js';

/** How many of the strategy's proposals the pre-filter lets through unjudged by default. */
export const DEFAULT_SCREEN_MIN = 10;
/** Warm-up trials by default (or the whole pool, when it is smaller). */
export const DEFAULT_WARMUP_TOP = 10;

/** What a caller gives to screen a run (`SearchConfigInput.screen`); see ScreenConfig. */
export interface ScreenInput {
  estimator: string;
  options?: Record<string, unknown>;
  /** Defaults to the screen estimator's first metric. */
  metric?: string;
  /** Score `pool` sampled architectures; evaluate the `top` best first (default 10, at most the pool). */
  warmup?: { pool: number; top?: number };
  /** Evaluate a proposal only if its score is in the best `fraction` so far, once `min` (default 10) were scored. */
  filter?: { fraction: number; min?: number };
}

/** A screen value that cannot rank an architecture (the estimator threw, or gave no finite number). */
export class ScreenError extends Error {
  override readonly name = 'ScreenError';
}

/**
 * The warm-up and filter schedule of a screened run, checked and with defaults filled.
 * ConfigError for a pool smaller than its top, a top beyond the trial budget, a fraction
 * outside (0, 1], or neither a warm-up nor a filter.
 */
export function screenSchedule(
  input: Pick<ScreenInput, 'warmup' | 'filter'>,
  budget: Budget,
): Pick<ScreenConfig, 'warmup' | 'filter'> {
  const whole = (what: string, v: unknown, min: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new ConfigError(`screen ${what} must be a whole number of at least ${min}, got ${v}`);
    }
    return v;
  };
  if (!input.warmup && !input.filter) {
    throw new ConfigError(
      'screening needs a warm-up, a pre-filter or both (--warmup POOL[:TOP], --prefilter FRACTION[:MIN])',
    );
  }
  let warmup: ScreenConfig['warmup'];
  if (input.warmup) {
    const pool = whole('warm-up pool', input.warmup.pool, 1);
    const top = whole('warm-up top', input.warmup.top ?? Math.min(DEFAULT_WARMUP_TOP, pool), 1);
    if (pool < top) {
      throw new ConfigError(
        `the warm-up pool (${pool}) must be at least its top (${top}): it evaluates the top of the pool`,
      );
    }
    if (budget.trials !== undefined && top > budget.trials) {
      throw new ConfigError(`the warm-up top (${top}) is more than the trial budget (${budget.trials})`);
    }
    warmup = { pool, top };
  }
  let filter: ScreenConfig['filter'];
  if (input.filter) {
    const { fraction } = input.filter;
    if (typeof fraction !== 'number' || !(fraction > 0 && fraction <= 1)) {
      throw new ConfigError(
        `the pre-filter fraction must be in (0, 1], e.g. 0.5 keeps the best half, got ${fraction}`,
      );
    }
    filter = { fraction, min: whole('pre-filter min', input.filter.min ?? DEFAULT_SCREEN_MIN, 0) };
  }
  return { ...(warmup && { warmup }), ...(filter && { filter }) };
}

/** The screen's metric in a trial's metrics: `screen.synflow`, apart from the estimator's own names. */
export function screenMetricName(config: ScreenConfig): string {
  return `screen.${config.metric}`;
}

/** The seed a screen evaluation gets: a function of the run and the architecture only. */
export function screenSeed(runSeed: number, key: string): number {
  return Rng.fromSeed(`${runSeed}/screen/${key}`).nextUint32();
}

/**
 * The screening state of one run: the screen value of every screened trial, the warm-up
 * trials, and the pre-filter's running threshold over the strategy's proposals. A run builds it
 * as it goes; a replay rebuilds it from the log in the same order, so both make the same
 * decisions.
 */
export class Screening {
  readonly metricName: string;
  /** Screen value (of `config.metric`) of every screened trial, by trial id. */
  readonly values = new Map<number, number>();
  /** Warm-up trials: seeded by the engine, not proposed by the strategy. */
  readonly seeded = new Set<number>();
  /** Proposals the pre-filter pruned, with the reason. */
  readonly screenedOut = new Map<number, string>();
  private readonly best: TopFraction | undefined;

  constructor(
    readonly config: ScreenConfig,
    readonly estimator: Estimator,
    private readonly runSeed: number,
  ) {
    this.metricName = screenMetricName(config);
    this.best = config.filter && new TopFraction(config.filter.fraction);
  }

  /** Proposals the pre-filter has judged or let through so far. */
  get screened(): number {
    return this.best?.size ?? 0;
  }

  /** Larger is better, whatever the metric's direction. */
  score(value: number): number {
    return this.config.direction === 'max' ? value : -value;
  }

  /** The screen value of `arch`; ScreenError when the estimator throws or gives no finite value. */
  async value(arch: unknown, key: string, trialId: number, signal: AbortSignal): Promise<number> {
    const { estimator, metric } = this.config;
    let metrics: Readonly<Record<string, number>>;
    try {
      const seed = screenSeed(this.runSeed, key);
      metrics = await this.estimator.evaluate(arch, { trialId, seed, signal, report: () => {} });
    } catch (err) {
      throw new ScreenError(`screen estimator '${estimator}' failed: ${errorInfo(err).message}`);
    }
    const v = metrics?.[metric];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ScreenError(
        `screen estimator '${estimator}' returned ${v === undefined ? `no '${metric}'` : `${metric}=${v}`}`,
      );
    }
    return v;
  }

  /** Records a warm-up trial. */
  seed(trialId: number, value: number): void {
    this.values.set(trialId, value);
    this.seeded.add(trialId);
  }

  /**
   * Records the screen value of a proposal of the strategy and judges it: it passes while fewer
   * than `min` proposals were scored, then when its score is in the best `fraction` of the
   * scores of every proposal so far, itself included (ties with the threshold pass). Otherwise
   * returns the reason it is pruned.
   */
  judge(trialId: number, value: number): { pass: true } | { pass: false; reason: string } {
    const { filter, metric } = this.config;
    if (!filter || !this.best) throw new Error('judge() needs a pre-filter');
    this.values.set(trialId, value);
    const threshold = this.best.add(this.score(value));
    const n = this.best.size;
    if (n <= filter.min || this.score(value) >= threshold) return { pass: true };
    const percent = Number((filter.fraction * 100).toFixed(6));
    const bar = this.config.direction === 'max' ? threshold : -threshold;
    const reason = `screen: ${metric}=${short(value)} is not in the best ${percent}% of the ${n} proposals screened so far (threshold ${short(bar)})`;
    this.screenedOut.set(trialId, reason);
    return { pass: false, reason };
  }

  /** What a strategy is told besides the result, for trial `trialId`. */
  told(trialId: number): { seeded?: true; screenedOut?: true } {
    return {
      ...(this.seeded.has(trialId) && { seeded: true }),
      ...(this.screenedOut.has(trialId) && { screenedOut: true }),
    };
  }

  /**
   * The warm-up trials: `pool` distinct architectures (by isomorphism class where the space
   * has one) drawn from the run's seed, without those `admit` rejects (cheap costs that break a
   * constraint) or the screen cannot score, ranked by screen score; the `top` best, best first
   * (the earlier draw first among equals). Returns [] once `signal` is aborted.
   */
  async warmupTrials(
    space: SearchSpace,
    admit: (arch: unknown) => Promise<boolean>,
    signal: AbortSignal,
  ): Promise<{ arch: unknown; key: string; value: number }[]> {
    const { warmup } = this.config;
    if (!warmup) return [];
    const rng = Rng.fromSeed(`${this.runSeed}/screen/pool`);
    const classes = new Set<string>();
    const pool: { arch: unknown; key: string }[] = [];
    for (let draws = 0; pool.length < warmup.pool && draws < 100 * warmup.pool; draws++) {
      const arch = space.sample(rng);
      const id = space.isomorphismKey ? space.isomorphismKey(arch) : space.key(arch);
      if (classes.has(id)) continue;
      classes.add(id);
      pool.push({ arch, key: space.key(arch) });
    }
    const scored: { arch: unknown; key: string; value: number; score: number; i: number }[] = [];
    for (const [i, { arch, key }] of pool.entries()) {
      if (signal.aborted) return [];
      if (!(await admit(arch))) continue;
      try {
        const value = await this.value(arch, key, -1, signal);
        scored.push({ arch, key, value, score: this.score(value), i });
      } catch {
        // An architecture the screen cannot score is not a warm-up candidate.
      }
    }
    if (signal.aborted) return [];
    return scored
      .sort((a, b) => b.score - a.score || a.i - b.i)
      .slice(0, warmup.top)
      .map(({ arch, key, value }) => ({ arch, key, value }));
  }
}

/** Four significant digits, for messages (the exact value is in the metrics). */
function short(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/**
 * The best `fraction` of a stream of scores (larger is better), kept as a min-heap of the best
 * ceil(fraction · n) and a max-heap of the rest: O(log n) per score, for runs with 100k proposals.
 */
export class TopFraction {
  private readonly top = new Heap((a, b) => a < b);
  private readonly rest = new Heap((a, b) => a > b);

  constructor(readonly fraction: number) {}

  get size(): number {
    return this.top.size + this.rest.size;
  }

  /** Adds `score`; returns the threshold: the smallest score in the best ceil(fraction · n). */
  add(score: number): number {
    if (this.top.size > 0 && score >= this.top.peek()) this.top.push(score);
    else this.rest.push(score);
    // The epsilon keeps 0.1 · 30 = 3.0000000000000004 at 3.
    const k = Math.max(1, Math.ceil(this.fraction * this.size - 1e-9));
    while (this.top.size > k) this.rest.push(this.top.pop());
    while (this.top.size < k) this.top.push(this.rest.pop());
    return this.top.peek();
  }
}

/** A binary heap of numbers; `before(a, b)` puts a nearer the root. */
class Heap {
  private readonly items: number[] = [];

  constructor(private readonly before: (a: number, b: number) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): number {
    return this.items[0]!;
  }

  push(x: number): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): number {
    const a = this.items;
    const root = a[0]!;
    const last = a.pop()!;
    if (a.length === 0) return root;
    a[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.before(a[l]!, a[m]!)) m = l;
      if (r < a.length && this.before(a[r]!, a[m]!)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
    return root;
  }
}
