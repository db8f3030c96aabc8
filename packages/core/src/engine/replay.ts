import type { PluginRegistry } from '../di/plugin-registry.js';
import { ReplayDivergenceError, StoreError, UnknownRunError } from '../errors.js';
import type { EventData, Metrics, RunConfig } from '../events/event.js';
import { canonicalJson, sha256Hex } from '../events/hash-chain.js';
import { DamagedLogError, foldStoredEvent, LogChecker } from '../events/log-check.js';
import { upcast } from '../events/upcast.js';
import type { HardwareModel } from '../hardware/hardware-model.js';
import { violations } from '../projections/objectives.js';
import { initialRunState, type RunState, unfinishedTrials } from '../projections/run-state.js';
import type { EventStore } from '../store/event-store.js';
import type { Strategy } from '../strategy/strategy.js';
import { hardwareCost } from './hardware-cost.js';
import { estimatorSeed, instantiateRecorded, type RunPlugins } from './plugin-instances.js';
import { Screening } from './screen.js';
import { trialResult } from './trial-result.js';

/** What the strategy did at one point of the log; the replay repeats these calls. */
type Step =
  | { kind: 'propose'; seq: number; trialId: number; key: string; seeded: boolean }
  | { kind: 'propose-failed'; seq: number; trialId: number }
  | {
      kind: 'result';
      seq: number;
      trialId: number;
      status: 'completed' | 'failed' | 'pruned';
      metrics?: Metrics;
    };

export interface ReplayOptions {
  /**
   * 'resume': restore the latest strategy checkpoint and replay only what follows it.
   * 'verify': replay every decision from the first event, check that each pruned trial breaks
   * a constraint and no evaluated one breaks a constraint on cheap costs, and recompute what
   * is deterministic: the estimator's results, the hardware costs (of completed and of
   * pruned trials) of models that declare themselves deterministic, and in a screened run
   * every screen score and the warm-up pool.
   * Both modes recompute every screening decision of a screened run from the recorded scores.
   */
  readonly mode: 'resume' | 'verify';
  /** In verify mode, recompute the results of a deterministic estimator and hardware models (default true). */
  readonly reevaluate?: boolean;
  /** Called every `progressEvery` events read, for progress bars on long logs. */
  readonly onProgress?: (eventsRead: number) => void;
  /**
   * A head recorded earlier (e.g. printed by a verify and pinned in a paper): the event at
   * `seq` must have this `hash` (or a hash starting with it). Only a pinned head detects a
   * truncation by someone who also rewrote the store's index of runs.
   */
  readonly expectHead?: { readonly seq: number; readonly hash: string };
  /** A one-line warning for the user: resume falling back to an earlier checkpoint. */
  readonly onWarning?: (message: string) => void;
}

export interface ReplayResult {
  readonly state: RunState;
  readonly plugins: RunPlugins;
  readonly strategy: Strategy;
  /** Results told to the strategy, as it was left. */
  readonly told: number;
  /** Events read. */
  readonly events: number;
  /** Trials whose recorded metrics (or costs, for pruned ones) were recomputed and matched (verify mode). */
  readonly reevaluated: number;
  /** Recorded screen scores recomputed and equal (verify mode, screened runs). */
  readonly rescreened: number;
  /** Artifact blobs (e.g. trained weights) found and matching their sha256 (verify mode). */
  readonly artifacts: number;
  /** The screening state the log implies, in a screened run. */
  readonly screening?: Screening;
  /** The last event: pin it to detect a later truncation (see `expectHead`). */
  readonly head: { readonly seq: number; readonly hash: string };
}

/**
 * Reads a run and brings a fresh strategy to the state the log implies, checking on the way
 * that the log is intact (gap-free, hash chain unbroken) and that the strategy makes the
 * recorded decisions. Throws ReplayDivergenceError naming the first seq that does not hold.
 */
export async function replayRun(
  store: EventStore,
  registry: PluginRegistry,
  runId: string,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const state = initialRunState(runId);
  let plugins: RunPlugins | undefined;
  const steps: Step[] = [];
  /** Every checkpoint, with where its steps start: resume takes the latest one whose blob is intact. */
  const checkpoints: { seq: number; blob: string; told: number; from: number }[] = [];
  const checker = new LogChecker();
  let completed: { seq: number } | undefined;
  let read = 0;
  /** Every screened proposal, in log order (before any checkpoint too: the filter needs them all). */
  const screened: { seq: number; trialId: number; key: string; value: number; warmup: boolean }[] = [];
  const prunedReason = new Map<number, string>();
  /** Artifact blobs (trained weights) named by TrialCompleted, checked in verify mode. */
  let artifacts = 0;
  const diverge = (seq: number, reason: string) => new ReplayDivergenceError(runId, seq, reason);

  const head = options.expectHead;
  /**
   * What the log's record of itself contradicts (a pinned head, RunCompleted, a blob, the index
   * of runs), in seq order: thrown where the replay of the steps reaches it, so the divergence
   * reported is still the first one.
   */
  const found: { seq: number; reason: string }[] = [];
  const indexed = await store.lastSeq(runId);
  for await (const stored of store.read(runId)) {
    const fault = checker.check(stored);
    if (fault?.kind === 'hash') throw diverge(fault.seq, fault.reason);
    if (fault) throw new DamagedLogError(runId, fault.seq, fault.reason);
    if (head && stored.seq === head.seq && !stored.hash.startsWith(head.hash)) {
      found.push({
        seq: stored.seq,
        reason: `the event's hash is ${stored.hash}, the pinned head's is ${head.hash}`,
      });
    }
    // A reaction may still fail on RunCompleted itself; nothing else comes after it but a
    // RunExtended, which reopens the run.
    if (completed && stored.type === 'RunExtended') completed = undefined;
    else if (completed && stored.type !== 'PluginFailed') {
      found.push({ seq: stored.seq, reason: `${stored.type} follows RunCompleted at seq ${completed.seq}` });
    }
    const e = upcast(stored);
    read++;
    if (options.onProgress && read % 10_000 === 0) options.onProgress(read);
    foldStoredEvent(state, e);
    if (e.seq === 0 && e.type === 'RunStarted') {
      plugins = instantiateRecorded(registry, runId, e.data);
      checkConfigStable(runId, e.data.config, plugins.config);
    }
    switch (e.type) {
      case 'TrialProposed': {
        const { trialId, arch: key, screen } = e.data;
        const warmup = screen?.warmup === true;
        steps.push({ kind: 'propose', seq: e.seq, trialId, key, seeded: warmup });
        if (screen) screened.push({ seq: e.seq, trialId, key, value: screen.value, warmup });
        break;
      }
      case 'TrialFailed':
        steps.push(
          e.data.stage === 'propose'
            ? { kind: 'propose-failed', seq: e.seq, trialId: e.data.trialId }
            : { kind: 'result', seq: e.seq, trialId: e.data.trialId, status: 'failed' },
        );
        break;
      case 'TrialCompleted':
        if (options.mode === 'verify') {
          for (const [name, ref] of Object.entries(e.data.artifacts ?? {})) {
            const { problem } = await readBlob(store, ref.blob, ref.bytes);
            if (problem) {
              const reason = `trial ${e.data.trialId}'s ${name} blob ${ref.blob.slice(0, 12)}… is ${problem}`;
              found.push({ seq: e.seq, reason });
            }
            artifacts++;
          }
        }
        steps.push({
          kind: 'result',
          seq: e.seq,
          trialId: e.data.trialId,
          status: 'completed',
          metrics: e.data.metrics,
        });
        break;
      case 'TrialPruned':
        prunedReason.set(e.data.trialId, e.data.reason);
        steps.push({
          kind: 'result',
          seq: e.seq,
          trialId: e.data.trialId,
          status: 'pruned',
          metrics: e.data.metrics,
        });
        break;
      case 'StrategyCheckpointed': {
        const { blob, told } = e.data;
        if (options.mode === 'resume') checkpoints.push({ seq: e.seq, blob, told, from: steps.length });
        else {
          const { problem } = await readBlob(store, blob);
          if (problem)
            found.push({ seq: e.seq, reason: `checkpoint blob ${blob.slice(0, 12)}… is ${problem}` });
        }
        break;
      }
      case 'RunCompleted': {
        completed = { seq: e.seq };
        const wrong = completionFault(state, e.data);
        if (wrong) found.push({ seq: e.seq, reason: wrong });
        break;
      }
      default:
        break;
    }
  }
  if (read === 0) throw new UnknownRunError(runId);
  if (!plugins) throw new StoreError(`run '${runId}' has no RunStarted`);
  const end = checker.checkEnd(indexed);
  if (end) found.push({ seq: end.seq, reason: `${end.reason}: events were deleted from its end` });
  else if (head && head.seq >= read) {
    found.push({
      seq: read,
      reason: `the log ends at seq ${read - 1}, before the pinned head seq ${head.seq}: events were deleted from its end`,
    });
  }
  const firstFound = (before = Number.POSITIVE_INFINITY) => {
    const f = found[0];
    if (f && f.seq < before) throw diverge(f.seq, f.reason);
  };

  const restored = await restoreLatest(plugins, store, checkpoints, diverge, options.onWarning);
  const { strategy, from } = restored;
  let told = restored.told;

  const { space, estimator, config, hardware } = plugins;
  const verify = options.mode === 'verify';
  const recompute = verify && (options.reevaluate ?? true);
  const reevaluate = recompute && estimator.deterministic;
  const recost = recompute ? hardware.filter((m) => m.deterministic) : [];
  const owner = metricOwners(hardware);
  const cheapMetrics = hardware.filter((m) => m.cheap).flatMap((m) => m.metrics);
  let reevaluated = 0;
  if (reevaluate) await estimator.prepare?.();
  const neverAborted = new AbortController().signal;
  const screening = config.screen && new Screening(config.screen, plugins.screen!, config.seed);
  let rescreened = 0;
  if (screening) {
    owner.set(screening.metricName, `screen estimator '${config.screen!.estimator}'`);
    rescreened = await replayScreening(screening, screened, {
      plugins,
      state,
      prunedReason,
      // Scores of a screen that is not deterministic are taken as recorded; decisions are still checked.
      recompute: recompute && screening.estimator.deterministic === true,
      diverge,
    });
  }

  /** A pruned trial breaks a constraint on its recorded costs; an evaluated one breaks none on its cheap ones. */
  const checkPruning = (seq: number, trialId: number, key: string, status: string, recorded: Metrics) => {
    const onCheap = Object.fromEntries(
      cheapMetrics.flatMap((m) => (m in recorded ? [[m, recorded[m]!]] : [])),
    );
    const broken = violations(config.constraints, status === 'pruned' ? recorded : onCheap);
    const wrong = screening && checkScreened(screening, trialId, status, recorded);
    if (wrong) throw diverge(seq, `trial ${trialId} (${key}) ${wrong}`);
    if (status === 'pruned' && screening?.screenedOut.has(trialId)) return;
    if (status === 'pruned' && broken.length === 0) {
      throw diverge(
        seq,
        `trial ${trialId} (${key}) was pruned, but its recorded costs ${JSON.stringify(recorded)} break no constraint`,
      );
    }
    if (status === 'completed' && broken.length > 0) {
      throw diverge(
        seq,
        `trial ${trialId} (${key}) was evaluated, but ${broken[0]}: the cheap hardware models should have pruned it`,
      );
    }
  };

  /** Recomputes what is deterministic of a result (for a pruned trial, its cheap costs); true if anything was. */
  const recomputed = async (
    seq: number,
    trialId: number,
    key: string,
    arch: unknown,
    status: 'completed' | 'pruned',
    recorded: Metrics,
  ): Promise<boolean> => {
    const fresh: Record<string, number> = {};
    const compared: string[] = [];
    if (reevaluate && status === 'completed') {
      const ctx = { trialId, seed: estimatorSeed(config, trialId), signal: neverAborted, report: () => {} };
      Object.assign(fresh, await estimator.evaluate(arch, ctx));
      compared.push(...[...Object.keys(fresh), ...Object.keys(recorded)].filter((m) => !owner.has(m)));
    }
    const models = status === 'pruned' ? recost.filter((m) => m.cheap) : recost;
    if (models.length) {
      try {
        Object.assign(fresh, await hardwareCost(models, arch));
      } catch (err) {
        throw diverge(seq, `trial ${trialId} (${key}): ${(err as Error).message}`);
      }
      compared.push(...models.flatMap((m) => m.metrics));
    }
    const mismatch = firstMismatch(recorded, fresh, compared);
    if (mismatch) {
      throw diverge(
        seq,
        `trial ${trialId} (${key}) records ${mismatch.name}=${mismatch.recorded}, but ${owner.get(mismatch.name) ?? estimator.name} gives ${mismatch.fresh}`,
      );
    }
    return compared.length > 0;
  };
  for (const step of steps.slice(from)) {
    firstFound(step.seq);
    // A warm-up trial: the engine chose it, the strategy is only told its result.
    if (step.kind === 'propose' && step.seeded) continue;
    if (step.kind === 'propose' || step.kind === 'propose-failed') {
      let key: string | undefined;
      try {
        const arch = await strategy.ask();
        key = arch === undefined ? undefined : space.key(arch);
      } catch (err) {
        if (step.kind === 'propose-failed') continue;
        throw diverge(
          step.seq,
          `strategy threw while proposing trial ${step.trialId}: ${(err as Error).message}`,
        );
      }
      if (step.kind === 'propose-failed') {
        throw diverge(
          step.seq,
          `the log records that proposing trial ${step.trialId} failed; the strategy now proposes ${key}`,
        );
      }
      if (key !== step.key) {
        throw diverge(
          step.seq,
          `trial ${step.trialId}: the log proposes ${step.key}, the strategy now proposes ${key ?? 'nothing'}`,
        );
      }
      continue;
    }
    const trial = state.trials[step.trialId];
    const key = trial?.arch;
    if (key === undefined)
      throw diverge(step.seq, `result for trial ${step.trialId}, which was never proposed`);
    const arch = space.parse(key);
    if (step.status !== 'failed') {
      const recorded = step.metrics ?? {};
      if (verify) checkPruning(step.seq, step.trialId, key, step.status, recorded);
      if (await recomputed(step.seq, step.trialId, key, arch, step.status, recorded)) reevaluated++;
    }
    try {
      const extra = screening?.told(step.trialId);
      await strategy.tell(trialResult(config, space, step.trialId, key, step.status, step.metrics, extra));
    } catch {
      // The original run recorded this as PluginFailed and went on; so does the replay.
    }
    told++;
  }
  firstFound();
  return {
    state,
    plugins,
    strategy,
    told,
    events: read,
    reevaluated,
    rescreened,
    artifacts,
    ...(screening && { screening }),
    head: { seq: state.lastSeq, hash: state.lastHash },
  };
}

/** What RunCompleted records that the log before it contradicts: unfinished trials, the trial count, the best trial. */
function completionFault(state: RunState, recorded: EventData<'RunCompleted'>): string | undefined {
  const left = unfinishedTrials(state)[0];
  if (left) return `RunCompleted, but trial ${left.trialId} never finished`;
  if (recorded.trials !== state.trials.length) {
    return `RunCompleted records ${recorded.trials} trials, but the log holds ${state.trials.length}`;
  }
  if (canonicalJson(recorded.best) !== canonicalJson(state.best ?? null)) {
    return `RunCompleted records best trial ${recorded.best?.trialId ?? 'none'}, but the log's best is trial ${state.best?.trialId ?? 'none'}`;
  }
  return undefined;
}

/**
 * A blob the log names (a checkpoint, an artifact), or why it cannot be used: gone, or bytes
 * whose sha256 (or size, when recorded) is not the one recorded.
 */
async function readBlob(
  store: EventStore,
  blob: string,
  size?: number,
): Promise<{ bytes: Uint8Array; problem?: never } | { bytes?: never; problem: 'missing' | 'corrupt' }> {
  const bytes = await store.getBlob(blob);
  if (!bytes) return { problem: 'missing' };
  const intact = sha256Hex(bytes) === blob && (size === undefined || bytes.byteLength === size);
  return intact ? { bytes } : { problem: 'corrupt' };
}

/**
 * A strategy restored from the latest checkpoint whose blob is intact, with the results it was
 * told and the step its replay starts from; a fresh strategy from step 0 when none is. Falling
 * back past a broken checkpoint replays more of the log, with the same result, and says so.
 */
async function restoreLatest(
  plugins: RunPlugins,
  store: EventStore,
  checkpoints: readonly { seq: number; blob: string; told: number; from: number }[],
  diverge: (seq: number, reason: string) => ReplayDivergenceError,
  onWarning: ((message: string) => void) | undefined,
): Promise<{ strategy: Strategy; told: number; from: number }> {
  let broken: string | undefined;
  for (let i = checkpoints.length - 1; i >= 0; i--) {
    const cp = checkpoints[i]!;
    const { bytes, problem } = await readBlob(store, cp.blob);
    if (problem) {
      broken ??= `checkpoint at seq ${cp.seq} is ${problem} (blob ${cp.blob.slice(0, 12)}…)`;
      continue;
    }
    const strategy = plugins.createStrategy();
    if (!strategy.restore) {
      throw diverge(cp.seq, `strategy '${plugins.config.strategy}' has a checkpoint but cannot restore one`);
    }
    await strategy.restore(bytes);
    if (broken) onWarning?.(`${broken}; resuming from the checkpoint at seq ${cp.seq} instead`);
    return { strategy, told: cp.told, from: cp.from };
  }
  if (broken) {
    onWarning?.(
      `${broken}, and no earlier one is usable; resuming by replaying the strategy from the first event`,
    );
  }
  return { strategy: plugins.createStrategy(), told: 0, from: 0 };
}

/**
 * Rebuilds the screening state from the screened proposals in log order and checks every
 * decision: the warm-up trials are the first trials, best first (and, when recomputing, exactly
 * the pool's best by the screen today); each other screened proposal was pruned if and only if
 * the pre-filter prunes it, with the same reason (and, when recomputing, the screen gives its
 * recorded score). Returns how many recorded scores were recomputed.
 */
async function replayScreening(
  screening: Screening,
  screened: readonly { seq: number; trialId: number; key: string; value: number; warmup: boolean }[],
  ctx: {
    plugins: RunPlugins;
    state: RunState;
    prunedReason: ReadonlyMap<number, string>;
    recompute: boolean;
    diverge: (seq: number, reason: string) => ReplayDivergenceError;
  },
): Promise<number> {
  const { plugins, state, prunedReason, recompute, diverge } = ctx;
  const { config, space, hardware } = plugins;
  const { metric, warmup, filter } = screening.config;
  const signal = new AbortController().signal;
  if (recompute) await screening.estimator.prepare?.();
  const cheap = hardware.filter((m) => m.cheap);
  // The pool is recomputed only where the cheap models that chose it are deterministic.
  const expected =
    recompute && warmup && state.trials.length > 0 && cheap.every((m) => m.deterministic)
      ? await screening.warmupTrials(
          space,
          async (arch) => {
            if (!cheap.length) return true;
            try {
              return violations(config.constraints, await hardwareCost(cheap, arch)).length === 0;
            } catch {
              return false;
            }
          },
          signal,
        )
      : undefined;
  let seeded = 0;
  let rescreened = 0;
  for (const s of screened) {
    const what = `trial ${s.trialId} (${s.key})`;
    if (s.warmup) {
      const previous = seeded ? screened[seeded - 1]! : undefined;
      if (!warmup || s.trialId !== seeded || seeded >= warmup.top) {
        throw diverge(
          s.seq,
          `${what} is recorded as a warm-up trial, but the warm-up is the first ${warmup?.top ?? 0} trials`,
        );
      }
      if (previous && screening.score(s.value) > screening.score(previous.value)) {
        throw diverge(
          s.seq,
          `warm-up ${what} scores ${metric}=${s.value}, better than the trial before it: warm-up trials go best first`,
        );
      }
      const want = expected?.[seeded];
      if (expected && (want?.key !== s.key || firstMismatch({ v: s.value }, { v: want.value }, ['v']))) {
        throw diverge(
          s.seq,
          `warm-up ${what} with ${metric}=${s.value}, but screening the pool today gives ${want ? `${want.key} with ${metric}=${want.value}` : `only ${expected.length} warm-up trials`}`,
        );
      }
      screening.seed(s.trialId, s.value);
      seeded++;
      if (expected) rescreened++;
      continue;
    }
    if (!filter) throw diverge(s.seq, `${what} has a screen score, but the run has no pre-filter`);
    if (recompute) {
      let fresh: number;
      try {
        fresh = await screening.value(space.parse(s.key), s.key, s.trialId, signal);
      } catch (err) {
        throw diverge(s.seq, `${what}: ${(err as Error).message}`);
      }
      if (firstMismatch({ v: s.value }, { v: fresh }, ['v'])) {
        throw diverge(
          s.seq,
          `${what} records screen score ${metric}=${s.value}, but screen estimator '${screening.config.estimator}' gives ${fresh}`,
        );
      }
      rescreened++;
    }
    const verdict = screening.judge(s.trialId, s.value);
    const status = state.trials[s.trialId]?.status;
    const pruned = status === 'pruned';
    if (verdict.pass && pruned) {
      throw diverge(
        s.seq,
        `${what} was pruned, but its screen score ${metric}=${s.value} passes the pre-filter`,
      );
    }
    // Not decided yet ('proposed': the rest of its batch is missing): the resumed run prunes it.
    if (!verdict.pass && !pruned && status !== 'proposed') {
      throw diverge(s.seq, `${what} was not pruned, but the pre-filter prunes it (${verdict.reason})`);
    }
    if (!verdict.pass && pruned && prunedReason.get(s.trialId) !== verdict.reason) {
      throw diverge(
        s.seq,
        `${what} was pruned for '${prunedReason.get(s.trialId)}', but the pre-filter says '${verdict.reason}'`,
      );
    }
  }
  if (expected && seeded !== expected.length) {
    throw diverge(
      screened[0]?.seq ?? 1,
      `the log has ${seeded} warm-up trials, but screening the pool today gives ${expected.length}`,
    );
  }
  return rescreened;
}

/**
 * What is wrong with a screened run's result for `trialId`, or undefined: its metrics must hold
 * the recorded screen score, and an evaluated proposal of the strategy must have been screened.
 */
function checkScreened(
  screening: Screening,
  trialId: number,
  status: string,
  recorded: Metrics,
): string | undefined {
  const value = screening.values.get(trialId);
  const name = screening.metricName;
  if (value === undefined && status === 'completed' && screening.config.filter) {
    return 'was evaluated without being screened by the pre-filter';
  }
  if ((value !== undefined || name in recorded) && recorded[name] !== value) {
    return `records ${name}=${recorded[name]}, but its TrialProposed records screen score ${value ?? 'none'}`;
  }
  return undefined;
}

/** Which hardware model gives each of its metrics; the estimator gives every other one. */
function metricOwners(hardware: readonly HardwareModel[]): Map<string, string> {
  return new Map(hardware.flatMap((m) => m.metrics.map((metric) => [metric, `hardware model '${m.name}'`])));
}

/** The first of `names` whose recorded and recomputed values differ (beyond rounding). */
function firstMismatch(
  recorded: Metrics,
  fresh: Metrics,
  names: readonly string[],
): { name: string; recorded: unknown; fresh: unknown } | undefined {
  for (const name of new Set(names)) {
    const a = recorded[name];
    const b = fresh[name];
    const same =
      typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
    if (!same) return { name, recorded: a, fresh: b };
  }
  return undefined;
}

// Defaults resolved at start are recorded in RunStarted; if the plugins today resolve the recorded
// config differently (a changed option set), the replay would not be of the same search.
function checkConfigStable(runId: string, recorded: RunConfig, now: RunConfig): void {
  const pairs = [
    ['strategy options', recorded.strategyOptions, now.strategyOptions],
    ['hardware models', recorded.hardware ?? [], now.hardware ?? []],
    ['screening', recorded.screen ?? {}, now.screen ?? {}],
  ] as const;
  for (const [what, was, is] of pairs) {
    const a = canonicalJson(was);
    const b = canonicalJson(is);
    if (a !== b) {
      throw new ReplayDivergenceError(runId, 0, `${what} resolve to ${b} today but were recorded as ${a}`);
    }
  }
}
