import type { ErrorInfo, Metrics, Objective, RunConfig, RunEvent, TrialRef } from '../events/event.js';

export type TrialStatus = 'proposed' | 'running' | 'completed' | 'failed' | 'pruned';

export interface Trial {
  readonly trialId: number;
  /** Canonical key of the architecture; absent when the strategy failed to propose one. */
  arch?: string;
  status: TrialStatus;
  attempts: number;
  metrics?: Metrics;
  error?: ErrorInfo;
  /** Last progress report (epoch metrics) of a running trial. */
  progress?: { step: number; metrics: Metrics };
  durationMs?: number;
  /** seq of the event that ended the trial. */
  endSeq?: number;
}

export interface RunState {
  runId: string;
  status: 'empty' | 'running' | 'completed';
  config?: RunConfig;
  packages: Readonly<Record<string, string>>;
  /** Indexed by trial id. */
  trials: Trial[];
  counts: { completed: number; failed: number; pruned: number };
  best?: TrialRef;
  lastSeq: number;
  lastHash: string;
  createdAt?: number;
  lastTs?: number;
  /** Active time of the segments before the current one (a resume starts a segment). */
  activeMsBefore: number;
  segmentStart?: number;
  checkpoint?: { seq: number; blob: string; told: number };
  completion?: { reason: string; trials: number };
  pluginFailures: number;
}

export function initialRunState(runId = ''): RunState {
  return {
    runId,
    status: 'empty',
    packages: {},
    trials: [],
    counts: { completed: 0, failed: 0, pruned: 0 },
    lastSeq: -1,
    lastHash: '',
    activeMsBefore: 0,
    pluginFailures: 0,
  };
}

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

/**
 * The fold from which every view of a run derives. Deterministic: it reads no clock, does no
 * I/O and draws no random numbers. For speed over logs of 100k+ trials it updates the state it
 * is given and returns it, so a state must not be shared between two folds.
 */
export function evolve(state: RunState, e: RunEvent): RunState {
  const prevTs = state.lastTs;
  state.runId = e.runId;
  state.lastSeq = e.seq;
  state.lastHash = e.hash;
  state.lastTs = e.ts;
  switch (e.type) {
    case 'RunStarted':
      state.status = 'running';
      state.config = e.data.config;
      state.packages = e.data.packages;
      state.createdAt = e.ts;
      state.segmentStart = e.ts;
      break;
    case 'RunResumed':
      // The previous segment ended with the last event before the resume.
      state.activeMsBefore = activeMs(state, prevTs);
      state.segmentStart = e.ts;
      break;
    case 'TrialProposed':
      state.trials[e.data.trialId] = {
        trialId: e.data.trialId,
        arch: e.data.arch,
        status: 'proposed',
        attempts: 0,
      };
      break;
    case 'TrialStarted': {
      const t = trial(state, e.data.trialId);
      t.status = 'running';
      t.attempts = e.data.attempt;
      t.progress = undefined;
      break;
    }
    case 'TrialProgressed':
      trial(state, e.data.trialId).progress = { step: e.data.step, metrics: e.data.metrics };
      break;
    case 'TrialCompleted': {
      const t = trial(state, e.data.trialId);
      t.status = 'completed';
      t.metrics = e.data.metrics;
      t.durationMs = e.data.durationMs;
      t.endSeq = e.seq;
      state.counts.completed++;
      const objective = state.config?.objective;
      const s = objective ? score(objective, e.data.metrics) : Number.NaN;
      if (objective && !Number.isNaN(s) && (!state.best || s > score(objective, state.best.metrics))) {
        state.best = { trialId: t.trialId, arch: t.arch ?? '', metrics: e.data.metrics };
      }
      break;
    }
    case 'TrialFailed': {
      const t = state.trials[e.data.trialId] ?? { trialId: e.data.trialId, status: 'failed', attempts: 0 };
      state.trials[e.data.trialId] = t;
      t.status = 'failed';
      t.error = e.data.error;
      t.durationMs = e.data.durationMs;
      t.endSeq = e.seq;
      state.counts.failed++;
      break;
    }
    case 'TrialPruned': {
      const t = trial(state, e.data.trialId);
      t.status = 'pruned';
      t.metrics = e.data.metrics;
      t.endSeq = e.seq;
      state.counts.pruned++;
      break;
    }
    case 'StrategyCheckpointed':
      state.checkpoint = { seq: e.seq, blob: e.data.blob, told: e.data.told };
      break;
    case 'PluginFailed':
      state.pluginFailures++;
      break;
    case 'RunCompleted':
      state.status = 'completed';
      state.completion = { reason: e.data.reason, trials: e.data.trials };
      break;
    default: {
      const unreachable: never = e;
      return unreachable;
    }
  }
  return state;
}

export function foldRun(events: Iterable<RunEvent>, state = initialRunState()): RunState {
  for (const e of events) evolve(state, e);
  return state;
}

/** Active wall time of the run: earlier segments plus the current one up to `now` (default: the last event). */
export function activeMs(state: RunState, now = state.lastTs ?? 0): number {
  return state.activeMsBefore + Math.max(0, now - (state.segmentStart ?? now));
}

/** Trials proposed but not ended: a crash left them in flight, and resume runs them again. */
export function unfinishedTrials(state: RunState): Trial[] {
  return state.trials.filter((t) => t && (t.status === 'proposed' || t.status === 'running'));
}

export function finishedTrials(state: RunState): Trial[] {
  return state.trials.filter(
    (t) => t && (t.status === 'completed' || t.status === 'failed' || t.status === 'pruned'),
  );
}

function trial(state: RunState, trialId: number): Trial {
  const t = state.trials[trialId];
  if (!t) throw new Error(`event for trial ${trialId} before its TrialProposed`);
  return t;
}
