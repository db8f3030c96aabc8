import type { Objective } from '../events/event.js';
import type { RunState } from './run-state.js';

/**
 * The best objective value after each trial, in trial order (`undefined` before the first
 * feasible completed trial). `curve[i]` is the best over trials 0..i: the quantity NAS papers
 * plot. Trials that break a constraint of the run do not count.
 */
export function bestSoFar(
  state: RunState,
  objective: Objective = state.config!.objective,
): (number | undefined)[] {
  let best: number | undefined;
  return state.trials.map((t) => {
    const v = t?.status === 'completed' && !t.violations ? t.metrics?.[objective.metric] : undefined;
    if (
      v !== undefined &&
      Number.isFinite(v) &&
      (best === undefined || (objective.direction === 'max' ? v > best : v < best))
    ) {
      best = v;
    }
    return best;
  });
}

export interface MeanWithError {
  readonly mean: number;
  /** Standard error of the mean (sample standard deviation / √n); 0 for a single value. */
  readonly se: number;
  readonly n: number;
}

export function meanWithError(values: readonly number[]): MeanWithError {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, se: Number.NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, se: 0, n };
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(variance / n), n };
}
