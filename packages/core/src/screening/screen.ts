import { ConfigError, errorInfo } from '../errors.js';
import type { Estimator } from '../estimator/estimator.js';
import type { Budget, ScreenConfig } from '../events/event.js';
import { Rng } from '../rng/rng.js';

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
 * The screen of a run: its estimator scoring one architecture, seeded by the run and the
 * architecture only, so the same architecture gets the same value in a run and its replay.
 */
export class ScreenEstimator {
  readonly metricName: string;

  constructor(
    readonly config: ScreenConfig,
    readonly estimator: Estimator,
    private readonly runSeed: number,
  ) {
    this.metricName = screenMetricName(config);
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
}
