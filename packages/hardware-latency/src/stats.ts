import { quantile } from '@archlab/core';

/** Summary of repeated timings, in milliseconds. */
export interface TimingStats {
  readonly median: number;
  /** 10th and 90th percentiles (linear interpolation between order statistics). */
  readonly p10: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function timingStats(times: readonly number[]): TimingStats {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    runs: sorted.length,
  };
}
