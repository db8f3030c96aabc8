import type { Metrics, RunConfig } from '../events/event.js';
import { runScore, violations } from '../projections/objectives.js';
import type { SearchSpace } from '../space/search-space.js';
import type { TrialResult } from '../strategy/strategy.js';

/**
 * What a strategy is told about a trial: built the same way by a run and by its replay, so the
 * strategy makes the same decisions. `feasible` and `violations` appear only in runs with
 * constraints, so a run without them tells exactly what it told before constraints existed. In a
 * screened run, `screening` says whether the trial was a warm-up trial (`seeded`) or a proposal
 * the pre-filter pruned, which is told as infeasible.
 */
export function trialResult(
  config: RunConfig,
  space: SearchSpace,
  trialId: number,
  key: string,
  status: TrialResult['status'],
  metrics: Metrics | undefined,
  screening: { seeded?: true; screenedOut?: true } = {},
): TrialResult {
  const broken = status === 'failed' ? [] : violations(config.constraints, metrics);
  const feasible = !screening.screenedOut && broken.length === 0;
  return {
    trialId,
    arch: space.parse(key),
    key,
    status,
    ...(metrics && { metrics }),
    score: screening.screenedOut ? Number.NaN : runScore(config, metrics),
    ...((config.constraints || screening.screenedOut) && status !== 'failed' && { feasible }),
    ...(broken.length > 0 && { violations: broken }),
    ...(screening.seeded && { seeded: true }),
  };
}
