import type { RunState } from './run-state.js';

/**
 * Images a run put through a training step, from what its plugins reported: the last `images`
 * of every owner's `Progressed` (a one-shot method's cumulative supernet images) plus each
 * trial's last `TrialProgressed` `images` (the `train` estimator's images so far). `undefined`
 * when the run reported none (a table estimator trains nothing), so that "unknown" never reads
 * as 0. A retried trial counts its last attempt only: the fold keeps that attempt's progress.
 */
export function imagesProcessed(state: RunState): number | undefined {
  let total: number | undefined;
  const add = (n: unknown) => {
    if (typeof n === 'number' && Number.isFinite(n)) total = (total ?? 0) + n;
  };
  for (const p of state.progress.values()) add(p.metrics.images);
  for (const t of state.trials) add(t?.progress?.metrics.images);
  return total;
}
