import type { Constraint, Metrics, Objective, RewardConfig, RunConfig } from '../events/event.js';

/** `a` is better than `b` under the objective. Ties are not better, so the earlier trial keeps the lead. */
export function isBetter(objective: Objective, a: number, b: number): boolean {
  return objective.direction === 'max' ? a > b : a < b;
}

/** The objective as a number where larger is better (NaN when the metric is missing). */
export function score(objective: Objective, metrics: Metrics | undefined): number {
  const v = metrics?.[objective.metric];
  if (typeof v !== 'number' || Number.isNaN(v)) return Number.NaN;
  return objective.direction === 'max' ? v : -v;
}

/** Every objective of a run, the primary one first (a run recorded before v2 has only `objective`). */
export function runObjectives(config: RunConfig): readonly Objective[] {
  return config.objectives ?? [config.objective];
}

/** `latency_ms<=5`: how a constraint is written in the CLI, the config file and messages. */
export function constraintText(c: Constraint): string {
  return `${c.metric}${c.op}${c.bound}`;
}

/** Whether `value` keeps the constraint. NaN keeps none. */
export function satisfies(c: Constraint, value: number): boolean {
  switch (c.op) {
    case '<=':
      return value <= c.bound;
    case '<':
      return value < c.bound;
    case '>=':
      return value >= c.bound;
    case '>':
      return value > c.bound;
    default: {
      const unreachable: never = c.op;
      return unreachable;
    }
  }
}

/**
 * The constraints `metrics` break, each as `latency_ms=7.2 breaks latency_ms<=5`. A constraint
 * on a metric absent from `metrics` is not judged: before evaluation only the cheap hardware
 * costs are known, and the engine fails a trial that lacks a constrained metric afterwards.
 */
export function violations(
  constraints: readonly Constraint[] | undefined,
  metrics: Metrics | undefined,
): string[] {
  const out: string[] = [];
  for (const c of constraints ?? []) {
    const v = metrics?.[c.metric];
    if (typeof v === 'number' && !satisfies(c, v)) out.push(`${c.metric}=${v} breaks ${constraintText(c)}`);
  }
  return out;
}

/**
 * MnasNet's reward (Tan et al. 2019, eq. 2): `acc × (m / target)^w` with `w = alpha` when
 * `m <= target`, else `beta`. NaN when either value is missing or `m` is not positive (the
 * power is undefined at 0 for negative weights).
 */
export function mnasReward(
  reward: RewardConfig,
  accuracy: number | undefined,
  m: number | undefined,
): number {
  if (typeof accuracy !== 'number' || typeof m !== 'number' || !(m > 0)) return Number.NaN;
  return accuracy * (m / reward.target) ** (m <= reward.target ? reward.alpha : reward.beta);
}

/**
 * What a run optimises, as one number where larger is better: the MnasNet reward when the run
 * has one, else the primary objective. NaN for a trial that breaks a constraint (infeasible
 * results are not results to climb towards) or lacks the metrics: strategies skip NaN scores,
 * as they skip failed trials.
 */
export function runScore(config: RunConfig, metrics: Metrics | undefined): number {
  if (violations(config.constraints, metrics).length) return Number.NaN;
  if (config.reward)
    return mnasReward(config.reward, metrics?.[config.objective.metric], metrics?.[config.reward.metric]);
  return score(config.objective, metrics);
}
