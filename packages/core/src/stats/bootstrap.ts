import { Rng } from '../rng/rng.js';
import { quantile } from './rank-stats.js';

/** What `bootstrapInterval` returns: the percentile interval and how many resamples gave a number. */
export interface BootstrapInterval {
  readonly low: number;
  readonly high: number;
  /** Resamples whose statistic was not NaN (a resample with one value repeated has no rank correlation). */
  readonly valid: number;
}

export interface BootstrapOptions {
  /** Resamples drawn; default 1000. */
  readonly resamples?: number;
  /** Coverage of the interval, in (0, 1); default 0.95. */
  readonly level?: number;
  /** Seeds the resampling: the same seed gives the same interval. */
  readonly seed: number | string;
}

/**
 * The percentile bootstrap interval of a statistic of paired samples (Efron's percentile
 * method): `resamples` times, draw `xs.length` pairs with replacement (seeded), compute
 * `stat` on them; the interval is the (1 − level)/2 and (1 + level)/2 quantiles of the results.
 * Resamples where `stat` is NaN are left out (`valid` counts the others); NaN bounds when all are.
 */
export function bootstrapInterval(
  xs: readonly number[],
  ys: readonly number[],
  stat: (xs: readonly number[], ys: readonly number[]) => number,
  options: BootstrapOptions,
): BootstrapInterval {
  const { resamples = 1000, level = 0.95, seed } = options;
  if (xs.length !== ys.length) throw new RangeError(`bootstrap: ${xs.length} values against ${ys.length}`);
  if (xs.length === 0) throw new RangeError('bootstrap of no values');
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`bootstrap: resamples must be a whole number ≥ 1, got ${resamples}`);
  }
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap: level must be in (0, 1), got ${level}`);
  const rng = Rng.fromSeed(`${seed}/bootstrap`);
  const n = xs.length;
  const values: number[] = [];
  const rx = new Array<number>(n);
  const ry = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const k = rng.int(n);
      rx[i] = xs[k]!;
      ry[i] = ys[k]!;
    }
    const v = stat(rx, ry);
    if (!Number.isNaN(v)) values.push(v);
  }
  if (values.length === 0) return { low: Number.NaN, high: Number.NaN, valid: 0 };
  values.sort((a, b) => a - b);
  return {
    low: quantile(values, (1 - level) / 2),
    high: quantile(values, (1 + level) / 2),
    valid: values.length,
  };
}
