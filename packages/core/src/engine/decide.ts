import {
  type ArtifactRef,
  type ErrorInfo,
  type GateMeasurements,
  type GateName,
  type Metrics,
  type RunConfig,
  SCREEN_GATE_VALUE,
} from '../events/event.js';
import { violations } from '../projections/objectives.js';
import { activeMs, type RunState, screenScore, screenValue } from '../projections/run-state.js';
import { screenMetricName } from '../screening/screen.js';
import type { SearchSpace } from '../space/search-space.js';
import type { TrialResult } from '../strategy/strategy.js';
import type { NewEvent } from './run-writer.js';
import { trialResult } from './trial-result.js';

/** What a gate measured of one trial (`Gate.measure`): the metrics it gives, or why it could not. */
export type GateOutcome =
  | { readonly gate: GateName; readonly metrics: Metrics; readonly error?: undefined }
  | { readonly gate: GateName; readonly error: ErrorInfo; readonly metrics?: undefined };

/**
 * An architecture of the warm-up pool, with its screen value (`config.screen.metric`) and what
 * the gates that admitted it measured (recorded with it when it becomes a trial).
 */
export interface WarmupCandidate {
  readonly key: string;
  readonly value: number;
  readonly gates?: GateMeasurements;
}

/**
 * What an effect produced: the engine (`Search`) runs the effect, a replay reads it back from
 * the log, and both hand it to `decide`.
 */
export type Fact =
  /**
   * The gates measured trial `trialId` so far, in gate order. `key` is given for a new proposal
   * of the strategy (its TrialProposed goes in the decision's batch), absent when a recorded
   * trial is dispatched again (a warm-up trial, one a crash left unfinished). `final`: every gate
   * that applies has measured it.
   */
  | {
      readonly kind: 'gated';
      readonly trialId: number;
      readonly key?: string;
      readonly attempt: number;
      readonly gates: readonly GateOutcome[];
      readonly final: boolean;
    }
  | { readonly kind: 'propose-failed'; readonly trialId: number; readonly error: ErrorInfo }
  /** The warm-up pool, scored and admitted by the seeder, in draw order. */
  | { readonly kind: 'warm-up'; readonly pool: readonly WarmupCandidate[] }
  | {
      readonly kind: 'evaluated';
      readonly trialId: number;
      readonly metrics: Metrics;
      readonly durationMs: number;
      readonly artifacts?: Readonly<Record<string, ArtifactRef>>;
    }
  | {
      readonly kind: 'evaluation-failed';
      readonly trialId: number;
      readonly error: ErrorInfo;
      readonly durationMs: number;
    }
  /** Nothing is left to run: the budget is spent, or the strategy has nothing more (`exhausted`). */
  | { readonly kind: 'ended'; readonly exhausted: boolean };

/**
 * The engine's one decision function (a Decider): the events that record what `fact` means for a
 * run in `state`. Pure: the same state and fact give the same events, so a replay that feeds it
 * the facts of the log must get the log back. `[]` for a gated fact means "not decided yet":
 * a gate that applies has not measured the trial.
 */
export function decide(state: RunState, fact: Fact): NewEvent[] {
  switch (fact.kind) {
    case 'gated':
      return decideGated(state, fact);
    case 'propose-failed':
      return [
        {
          type: 'TrialFailed',
          data: { trialId: fact.trialId, stage: 'propose', error: fact.error, durationMs: 0 },
        },
      ];
    case 'warm-up': {
      const have = state.decision.seeded.size;
      return rankWarmup(state.config!, fact.pool)
        .slice(have)
        .map((c, i) => ({
          type: 'TrialProposed',
          data: {
            trialId: have + i,
            arch: c.key,
            gates: { ...c.gates, screen: { [SCREEN_GATE_VALUE]: c.value } },
            seeded: 'warmup',
          },
        }));
    }
    case 'evaluated': {
      const { trialId, metrics, durationMs, artifacts } = fact;
      return [
        { type: 'TrialCompleted', data: { trialId, metrics, durationMs, ...(artifacts && { artifacts }) } },
      ];
    }
    case 'evaluation-failed': {
      const { trialId, error, durationMs } = fact;
      return [{ type: 'TrialFailed', data: { trialId, stage: 'evaluate', error, durationMs } }];
    }
    case 'ended':
      return [
        {
          type: 'RunCompleted',
          data: {
            reason: endReason(state, fact.exhausted),
            trials: state.trials.length,
            best: state.best ?? null,
          },
        },
      ];
    default: {
      const unreachable: never = fact;
      return unreachable;
    }
  }
}

function decideGated(state: RunState, fact: Extract<Fact, { kind: 'gated' }>): NewEvent[] {
  const { trialId, key, attempt, gates } = fact;
  const config = state.config!;
  const isNew = key !== undefined;
  const measured = measurements(gates);
  const proposed: NewEvent[] = isNew
    ? [{ type: 'TrialProposed', data: { trialId, arch: key, ...(measured && { gates: measured }) } }]
    : [];
  let metrics: Metrics = {};
  for (const g of gates) {
    if (g.error) {
      return [
        ...proposed,
        { type: 'TrialFailed', data: { trialId, stage: 'evaluate', error: g.error, durationMs: 0 } },
      ];
    }
    metrics = { ...metrics, ...trialMetrics(config, { [g.gate]: g.metrics }) };
    const reason = gateVerdict(state, g.gate, g.metrics);
    if (reason !== undefined) {
      return [...proposed, { type: 'TrialPruned', data: { trialId, reason, metrics, gate: g.gate } }];
    }
  }
  if (!fact.final) return [];
  // A proposal whose decision a crash cut from its batch: its score is folded in already.
  const cut = isNew ? undefined : undecidedScreenValue(state, trialId);
  if (cut !== undefined) {
    const screen = { [SCREEN_GATE_VALUE]: cut };
    const reason = gateVerdict(state, 'screen', screen, true);
    if (reason !== undefined) {
      return [
        {
          type: 'TrialPruned',
          data: {
            trialId,
            reason,
            metrics: { ...metrics, ...trialMetrics(config, { screen }) },
            gate: 'screen',
          },
        },
      ];
    }
  }
  const screenMissing = isNew && config.screen?.filter !== undefined && measured?.screen === undefined;
  if (screenMissing) return [];
  return [...proposed, { type: 'TrialStarted', data: { trialId, attempt } }];
}

/** The measurements of the gates that measured a trial, by gate; undefined when none did. */
function measurements(gates: readonly GateOutcome[]): GateMeasurements | undefined {
  const out: Record<string, Metrics> = {};
  for (const g of gates) if (g.metrics) out[g.gate] = g.metrics;
  return Object.keys(out).length ? out : undefined;
}

/**
 * The gates' measurements as the trial's metrics, in gate order: the hardware gate's costs as
 * they are, the screen gate's value as `screen.METRIC`.
 */
export function trialMetrics(config: RunConfig, gates: GateMeasurements): Metrics {
  const out: Record<string, number> = {};
  for (const [gate, metrics] of Object.entries(gates)) {
    if (gate === 'screen') out[screenMetricName(config.screen!)] = metrics[SCREEN_GATE_VALUE]!;
    else Object.assign(out, metrics);
  }
  return out;
}

/**
 * Why `gate` prunes a trial it measured as `metrics`, or undefined when it lets it through. The
 * hardware gate prunes a trial whose cheap costs break a constraint. The screen gate (the
 * pre-filter) judges a new proposal by the scores of the strategy's proposals before it: it
 * passes while at most `min` were scored (itself included), then when its score is in the best
 * `fraction` of them, ties with the threshold included.
 */
export function gateVerdict(
  state: RunState,
  gate: GateName,
  metrics: Metrics,
  folded = false,
): string | undefined {
  const config = state.config!;
  if (gate === 'hardware') {
    const broken = violations(config.constraints, metrics);
    return broken.length ? broken.join('; ') : undefined;
  }
  const screen = config.screen;
  const best = state.decision.filter;
  if (!screen?.filter || !best) return undefined;
  const value = metrics[SCREEN_GATE_VALUE]!;
  const score = screenScore(config, value);
  // `folded`: the proposal's score is among those of the fold already.
  const threshold = folded ? best.threshold : best.thresholdWith(score);
  const n = folded ? best.size : best.size + 1;
  if (n <= screen.filter.min || score >= threshold) return undefined;
  const percent = Number((screen.filter.fraction * 100).toFixed(6));
  const bar = screen.direction === 'max' ? threshold : -threshold;
  return `screen: ${screen.metric}=${short(value)} is not in the best ${percent}% of the ${n} proposals screened so far (threshold ${short(bar)})`;
}

/** The screen value of a strategy's proposal that was screened but not decided on, if `trialId` is one. */
function undecidedScreenValue(state: RunState, trialId: number): number | undefined {
  const d = state.decision;
  if (state.trials[trialId]?.status !== 'proposed' || d.seeded.has(trialId)) return undefined;
  return screenValue(state, trialId);
}

/** The warm-up trials a pool gives: the `top` best by screen score, best first (the earlier draw first among equals). */
export function rankWarmup(config: RunConfig, pool: readonly WarmupCandidate[]): WarmupCandidate[] {
  const top = config.screen?.warmup?.top ?? 0;
  return pool
    .map((c, i) => ({ c, i, score: screenScore(config, c.value) }))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, top)
    .map(({ c }) => c);
}

/** What the strategy is told about a recorded result of trial `trialId`: the same in a run and its replay. */
export function toldResult(state: RunState, space: SearchSpace, trialId: number): TrialResult {
  const t = state.trials[trialId]!;
  const d = state.decision;
  const status = t.status as TrialResult['status'];
  return trialResult(
    state.config!,
    space,
    trialId,
    t.arch!,
    status,
    status === 'failed' ? undefined : t.metrics,
    {
      ...(d.seeded.has(trialId) && { seeded: true }),
      ...(d.screenedOut.has(trialId) && { screenedOut: true }),
    },
  );
}

/** Whether the strategy may be asked: every warm-up trial was told first. */
export function strategyMayAsk(state: RunState): boolean {
  return state.decision.seededTold === state.decision.seeded.size;
}

/** Whether the budget allows another proposal at `now` (trials, pruned proposals, active wall time). */
export function budgetLeft(state: RunState, now: number): boolean {
  const limit = state.config!.budget.wallTimeMs;
  return trialsLeft(state) && prunedLeft(state) && (limit === undefined || activeMs(state, now) < limit);
}

/** Whether the owners' checkpoints are due after the latest result told. */
export function checkpointDue(state: RunState): boolean {
  const every = state.config!.checkpointEvery;
  return every > 0 && state.decision.told % every === 0;
}

/**
 * How many pruned proposals end a run: 100 per budgeted trial, at least 10,000 (10,000 with no
 * trial budget). Pruning is cheap, but a strategy that keeps proposing what the constraints
 * forbid would otherwise never stop.
 */
export function prunedLimit(trialBudget: number | undefined): number {
  return Math.max(10_000, 100 * (trialBudget ?? 0));
}

/** Trials that used the budget: all but the pruned ones. */
function trialsLeft(state: RunState): boolean {
  const limit = state.config!.budget.trials;
  return limit === undefined || state.trials.length - state.counts.pruned < limit;
}

function prunedLeft(state: RunState): boolean {
  return state.counts.pruned < prunedLimit(state.config!.budget.trials);
}

function endReason(state: RunState, exhausted: boolean): 'trials' | 'wall-time' | 'exhausted' | 'pruned' {
  if (exhausted) return 'exhausted';
  if (!prunedLeft(state)) return 'pruned';
  return trialsLeft(state) ? 'wall-time' : 'trials';
}

/** Four significant digits, for messages (the exact value is in the metrics). */
function short(v: number): string {
  return String(Number(v.toPrecision(4)));
}
