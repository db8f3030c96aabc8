import {
  type ArtifactRef,
  type ErrorInfo,
  type GateMeasurements,
  type Metrics,
  type PluginProvider,
  type RunConfig,
  type RunEvent,
  SCREEN_GATE_VALUE,
  type TrialRef,
} from '../events/event.js';
import { runScore, violations } from './objectives.js';
import { TopFraction } from './top-fraction.js';

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
  /**
   * The constraints the trial breaks (`latency_ms=7.2 breaks latency_ms<=5`): why it was pruned,
   * or why a completed trial is infeasible. Absent for a feasible trial.
   */
  violations?: string[];
  /** What the evaluation left beside its metrics (e.g. `weights`), as blobs of the store. */
  artifacts?: Readonly<Record<string, ArtifactRef>>;
}

export interface RunState {
  runId: string;
  status: 'empty' | 'running' | 'completed';
  /** RunStarted's config; its budget is the latest RunExtended's, when the run was extended. */
  config?: RunConfig;
  packages: Readonly<Record<string, string>>;
  /** Where each plugin of the run came from, when RunStarted recorded it. */
  providers?: readonly PluginProvider[];
  /** Indexed by trial id. */
  trials: Trial[];
  /** `infeasible`: completed trials that break a constraint (they count as completed too). */
  counts: { completed: number; failed: number; pruned: number; infeasible: number };
  /** The best feasible completed trial under `runScore` (the reward, if the run has one). */
  best?: TrialRef;
  lastSeq: number;
  lastHash: string;
  createdAt?: number;
  lastTs?: number;
  /** Active time of the segments before the current one (a resume starts a segment). */
  activeMsBefore: number;
  segmentStart?: number;
  /**
   * The latest progress of each owner of work done between trials (`Progressed`), by owner, in
   * the order owners first reported; without its `values` (vectors), which the log keeps.
   */
  readonly progress: Map<string, { seq: number; step: number; metrics: Metrics }>;
  /** The latest checkpoint (of any owner). */
  checkpoint?: { seq: number; owner: string; blob: string; told: number };
  completion?: { reason: string; trials: number };
  pluginFailures: number;
  /** What the engine's decisions read besides the trials (see `decide`). */
  decision: DecisionState;
}

/**
 * The state of the engine's decisions (`decide`), folded from the log with the rest of the run,
 * so that a run and its replay hold the same one.
 */
export interface DecisionState {
  /** Results told to the strategy: completed, pruned, and failed in evaluation. */
  told: number;
  /** Warm-up trials: chosen by the seeder from the screened pool, not proposed by the strategy. */
  readonly seeded: Set<number>;
  /** Warm-up trials told so far: the strategy is asked only once every one is. */
  seededTold: number;
  /** What the gates measured of each trial when it was proposed (`TrialProposed.gates`), where they did. */
  readonly gates: Map<number, GateMeasurements>;
  /** Proposals the pre-filter pruned (told as infeasible). */
  readonly screenedOut: Set<number>;
  /** The pre-filter's running best fraction of the screen scores of the strategy's proposals. */
  filter?: TopFraction;
}

/** Larger is better, whatever the screen metric's direction. */
export function screenScore(config: RunConfig, value: number): number {
  return config.screen?.direction === 'min' ? -value : value;
}

/** The screen value (`config.screen.metric`) the screen gate recorded for trial `trialId`, if it screened it. */
export function screenValue(state: RunState, trialId: number): number | undefined {
  return state.decision.gates.get(trialId)?.screen?.[SCREEN_GATE_VALUE];
}

export function initialRunState(runId = ''): RunState {
  return {
    runId,
    status: 'empty',
    packages: {},
    trials: [],
    counts: { completed: 0, failed: 0, pruned: 0, infeasible: 0 },
    lastSeq: -1,
    lastHash: '',
    activeMsBefore: 0,
    progress: new Map(),
    pluginFailures: 0,
    decision: { told: 0, seeded: new Set(), seededTold: 0, gates: new Map(), screenedOut: new Set() },
  };
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
      if (e.data.providers) state.providers = e.data.providers;
      state.createdAt = e.ts;
      state.segmentStart = e.ts;
      if (e.data.config.screen?.filter)
        state.decision.filter = new TopFraction(e.data.config.screen.filter.fraction);
      break;
    case 'RunResumed':
      // The previous segment ended with the last event before the resume.
      state.activeMsBefore = activeMs(state, prevTs);
      state.segmentStart = e.ts;
      break;
    case 'TrialProposed': {
      state.trials[e.data.trialId] = {
        trialId: e.data.trialId,
        arch: e.data.arch,
        status: 'proposed',
        attempts: 0,
      };
      const d = state.decision;
      if (e.data.gates) d.gates.set(e.data.trialId, e.data.gates);
      const value = screenValue(state, e.data.trialId);
      if (e.data.seeded === 'warmup') d.seeded.add(e.data.trialId);
      else if (value !== undefined && state.config) d.filter?.add(screenScore(state.config, value));
      break;
    }
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
      if (e.data.artifacts) t.artifacts = e.data.artifacts;
      state.counts.completed++;
      told(state, t.trialId);
      const config = state.config;
      if (!config) break;
      const broken = violations(config.constraints, e.data.metrics);
      if (broken.length) {
        t.violations = broken;
        state.counts.infeasible++;
        break;
      }
      const s = runScore(config, e.data.metrics);
      if (!Number.isNaN(s) && (!state.best || s > runScore(config, state.best.metrics))) {
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
      if (e.data.stage === 'evaluate') told(state, t.trialId);
      break;
    }
    case 'TrialPruned': {
      const t = trial(state, e.data.trialId);
      t.status = 'pruned';
      t.metrics = e.data.metrics;
      t.endSeq = e.seq;
      const broken = violations(state.config?.constraints, e.data.metrics);
      if (broken.length) t.violations = broken;
      state.counts.pruned++;
      if (e.data.gate === 'screen') state.decision.screenedOut.add(t.trialId);
      told(state, t.trialId);
      break;
    }
    case 'Checkpointed':
      state.checkpoint = { seq: e.seq, owner: e.data.owner, blob: e.data.blob, told: e.data.told };
      break;
    case 'Progressed':
      state.progress.set(e.data.owner, { seq: e.seq, step: e.data.step, metrics: e.data.metrics });
      break;
    case 'PluginFailed':
      state.pluginFailures++;
      break;
    case 'RunExtended':
      state.config = state.config && { ...state.config, budget: e.data.budget };
      if (state.status === 'completed') state.status = 'running';
      state.completion = undefined;
      // The time between the last event and the extension (a finished run waiting) is not active.
      state.activeMsBefore = activeMs(state, prevTs);
      state.segmentStart = e.ts;
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

/** A result reaches the strategy once it is recorded. */
function told(state: RunState, trialId: number): void {
  state.decision.told++;
  if (state.decision.seeded.has(trialId)) state.decision.seededTold++;
}

function trial(state: RunState, trialId: number): Trial {
  const t = state.trials[trialId];
  if (!t) throw new Error(`event for trial ${trialId} before its TrialProposed`);
  return t;
}
