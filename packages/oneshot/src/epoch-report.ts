import type { StrategyContext } from '@archlab/core';
import type { EpochStats } from './supernet-service.js';

/** Named vectors of a progress report (e.g. `alpha`). */
type ProgressValues = Parameters<NonNullable<StrategyContext['progress']>['report']>[2];

/**
 * Records a one-shot strategy's epoch as its `Progressed` step `epoch`: the supernet's training
 * loss, training accuracy and images so far, plus `metrics` and `values` of the method's own
 * (DARTS's softmax(α) as `alpha`). Checked, not written again, when a resume or verify re-does it.
 */
export async function reportEpoch(
  ctx: Pick<StrategyContext, 'progress'>,
  epoch: number,
  stats: EpochStats,
  metrics: Readonly<Record<string, number>> = {},
  values?: ProgressValues,
): Promise<void> {
  await ctx.progress?.report(
    epoch,
    { loss: stats.loss, train_acc: stats.train_acc, images: stats.images, ...metrics },
    values,
  );
}
