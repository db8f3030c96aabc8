import type { PluginRegistry } from '../di/plugin-registry.js';
import { ReplayDivergenceError, StoreError, UnknownRunError } from '../errors.js';
import {
  type EventData,
  type EventOfType,
  type GateMeasurements,
  type Metrics,
  type RunConfig,
  type RunEvent,
  SCREEN_GATE_VALUE,
} from '../events/event.js';
import { canonicalJson, sha256Hex } from '../events/hash-chain.js';
import { DamagedLogError, foldStoredEvent, LogChecker } from '../events/log-check.js';
import { upcast } from '../events/upcast.js';
import type { HardwareModel } from '../hardware/hardware-model.js';
import {
  evolve,
  initialRunState,
  type RunState,
  screenValue,
  unfinishedTrials,
} from '../projections/run-state.js';
import { ScreenEstimator } from '../screening/screen.js';
import { WarmupSeeder } from '../screening/warmup-seeder.js';
import type { EventStore } from '../store/event-store.js';
import type { Strategy } from '../strategy/strategy.js';
import { decide, type Fact, type GateOutcome, toldResult, type WarmupCandidate } from './decide.js';
import { hardwareGate, warmupAdmission } from './gate.js';
import { hardwareCost } from './hardware-cost.js';
import {
  estimatorSeed,
  type InstantiateOptions,
  instantiateRecorded,
  type RunPlugins,
} from './plugin-instances.js';
import type { NewEvent } from './run-writer.js';

/** A checkpoint in the log, and the index of the event after it (where the strategy's replay starts). */
interface CheckpointAt {
  readonly seq: number;
  readonly owner: string;
  readonly blob: string;
  readonly told: number;
  readonly from: number;
}

export interface ReplayOptions {
  /**
   * 'resume': restore the latest strategy checkpoint and replay only what follows it.
   * 'verify': replay every decision from the first event, check that each pruned trial breaks
   * a constraint and no evaluated one breaks a constraint on cheap costs, and recompute what
   * is deterministic: the estimator's results, the hardware costs (of completed and of
   * pruned trials) of models that declare themselves deterministic, and in a screened run
   * every screen score and the warm-up pool.
   * Both modes feed every recorded fact to `decide` and compare its events with the log's.
   */
  readonly mode: 'resume' | 'verify';
  /** Makes the rebuilt run's runner (resume); default in process. */
  readonly runner?: InstantiateOptions['runner'];
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
  /**
   * Recorded progress reports (`Progressed`) that the replayed work reported again, equal. A
   * log that ends in the middle of such work (a killed run) keeps the reports after its last
   * recorded decision unchecked here; its resume checks them.
   */
  readonly progress: number;
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
  /** Every event, upcast: the decisions are replayed from the first, the strategy from its checkpoint. */
  const events: RunEvent[] = [];
  /** Every checkpoint: resume takes the latest point at which every owner's blob is intact. */
  const checkpoints: CheckpointAt[] = [];
  const checker = new LogChecker();
  let completed: { seq: number } | undefined;
  let read = 0;
  /** Artifact blobs (trained weights) named by TrialCompleted, checked in verify mode. */
  let artifacts = 0;
  const diverge = (seq: number, reason: string) => new ReplayDivergenceError(runId, seq, reason);

  const head = options.expectHead;
  /**
   * What the log's record of itself contradicts (a pinned head, RunCompleted, a blob, the index
   * of runs), in seq order: thrown where the replay of the decisions reaches it, so the
   * divergence reported is still the first one.
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
    events.push(e);
    if (e.seq === 0 && e.type === 'RunStarted') {
      plugins = instantiateRecorded(registry, runId, e.data, {
        store,
        ...(options.runner && { runner: options.runner }),
      });
    }
    switch (e.type) {
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
        break;
      case 'Checkpointed': {
        const { owner, blob, told } = e.data;
        if (options.mode === 'resume')
          checkpoints.push({ seq: e.seq, owner, blob, told, from: events.length });
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

  const { strategy, from } = await restoreLatest(plugins, store, checkpoints, diverge, options.onWarning);
  // The work after the restored point (resume) or all of it (verify) is done again: its reports
  // are checked against the recorded ones, in order per owner, instead of being written.
  const { progress } = plugins;
  progress.expect(
    runId,
    events.slice(from).filter((e): e is EventOfType<'Progressed'> => e.type === 'Progressed'),
  );
  /** The strategy was called again for the event at `seq`: what it reported must be what the log records up to there. */
  const reported = (seq: number) => progress.check(seq);

  const { space, estimator, config, hardware } = plugins;
  const verify = options.mode === 'verify';
  const recompute = verify && (options.reevaluate ?? true);
  const reevaluate = recompute && estimator.deterministic;
  const recost = recompute ? hardware.filter((m) => m.deterministic) : [];
  const owner = metricOwners(hardware);
  const cheapMetrics = hardware.filter((m) => m.cheap).flatMap((m) => m.metrics);
  const cheapGate = hardwareGate(hardware);
  let reevaluated = 0;
  if (reevaluate) await estimator.prepare?.();
  const neverAborted = new AbortController().signal;
  const screen = config.screen && new ScreenEstimator(config.screen, plugins.screen!, config.seed);
  // Scores of a screen that is not deterministic are taken as recorded; decisions are still checked.
  const rescreen = recompute && screen?.estimator.deterministic === true;
  if (screen) owner.set(screen.metricName, `screen estimator '${config.screen!.estimator}'`);
  if (rescreen) await screen!.estimator.prepare?.();
  let rescreened = 0;
  /** The decisions' state: the log folded up to the event being replayed. */
  const at = initialRunState(runId);
  const what = (trialId: number, key: string | undefined) => `trial ${trialId} (${key})`;

  /** The strategy's proposal of trial `trialId` (a recorded `key`, or a recorded failure to propose) asked again. */
  const ask = async (seq: number, trialId: number, recordedKey: string | undefined) => {
    let key: string | undefined;
    progress.at = seq;
    try {
      const arch = await strategy.ask();
      key = arch === undefined ? undefined : space.key(arch);
    } catch (err) {
      reported(seq);
      if (recordedKey === undefined) return;
      throw diverge(seq, `strategy threw while proposing trial ${trialId}: ${(err as Error).message}`);
    }
    reported(seq);
    if (recordedKey === undefined) {
      throw diverge(
        seq,
        `the log records that proposing trial ${trialId} failed; the strategy now proposes ${key}`,
      );
    }
    if (key !== recordedKey) {
      throw diverge(
        seq,
        `trial ${trialId}: the log proposes ${recordedKey}, the strategy now proposes ${key ?? 'nothing'}`,
      );
    }
  };

  /**
   * The gates' outcomes for trial `trialId` as the log records them: the cheap costs from the
   * decision that pruned it, else what its TrialProposed records (`gates`; only the hardware
   * gate's for a trial dispatched again, `isNew` false). Logs from before TrialProposed v2
   * recorded no cheap costs with a proposal: once it passed, those come from the metrics of its
   * result (a trial never evaluated passed on costs the log does not hold).
   */
  const recordedGates = (
    trialId: number,
    recorded: GateMeasurements | undefined,
    decision: RunEvent | undefined,
    isNew: boolean,
  ) => {
    const out: GateOutcome[] = [];
    const failed = decision?.type === 'TrialFailed' ? decision.data.error : undefined;
    if (cheapGate) {
      if (decision?.type === 'TrialPruned' && decision.data.gate === 'hardware') {
        return [{ gate: 'hardware', metrics: decision.data.metrics }] as GateOutcome[];
      }
      if (recorded?.hardware) out.push({ gate: 'hardware', metrics: recorded.hardware });
      else if (failed && failed.name !== 'ScreenError') {
        return [{ gate: 'hardware', error: failed }] as GateOutcome[];
      } else {
        const costs = state.trials[trialId]?.metrics ?? {};
        out.push({
          gate: 'hardware',
          metrics: Object.fromEntries(cheapMetrics.flatMap((m) => (m in costs ? [[m, costs[m]!]] : []))),
        });
      }
    }
    if (!isNew) return out;
    if (recorded?.screen) out.push({ gate: 'screen', metrics: recorded.screen });
    else if (failed?.name === 'ScreenError') out.push({ gate: 'screen', error: failed });
    return out;
  };

  /** Feeds a gated fact to `decide` and checks the log's decision (`recorded`) is the one it gives. */
  const checkDecision = (fact: Extract<Fact, { kind: 'gated' }>, recorded: RunEvent | undefined) => {
    // Not decided yet (the rest of its batch is missing): the resumed run decides.
    if (!recorded) return;
    const key = fact.key ?? at.trials[fact.trialId]?.arch;
    const screened = fact.gates.find((g) => g.gate === 'screen')?.metrics?.[SCREEN_GATE_VALUE];
    const wrong = decisionFault(what(fact.trialId, key), decide(at, fact).at(-1), recorded, screened, config);
    if (wrong) throw diverge(recorded.seq, wrong);
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

  /** A recorded result: its screen score checked, what is deterministic of it recomputed, the strategy told. */
  const result = async (e: RunEvent, live: boolean) => {
    if (e.type !== 'TrialCompleted' && e.type !== 'TrialPruned' && e.type !== 'TrialFailed') return;
    const { trialId } = e.data;
    const key = at.trials[trialId]?.arch;
    if (key === undefined) throw diverge(e.seq, `result for trial ${trialId}, which was never proposed`);
    if (e.type !== 'TrialFailed') {
      const recorded = e.data.metrics;
      const value = screenValue(at, trialId);
      if (
        screen &&
        (value !== undefined || screen.metricName in recorded) &&
        recorded[screen.metricName] !== value
      ) {
        throw diverge(
          e.seq,
          `${what(trialId, key)} records ${screen.metricName}=${recorded[screen.metricName]}, but its TrialProposed records screen score ${value ?? 'none'}`,
        );
      }
      const status = e.type === 'TrialCompleted' ? 'completed' : 'pruned';
      if (await recomputed(e.seq, trialId, key, space.parse(key), status, recorded)) reevaluated++;
    }
    evolve(at, e);
    if (!live) return;
    progress.at = e.seq;
    try {
      await strategy.tell(toldResult(at, space, trialId));
    } catch {
      // The original run recorded this as PluginFailed and went on; so does the replay.
    }
    reported(e.seq);
  };

  /** The warm-up pool screened today, where everything that chose it is deterministic (verify). */
  let pool: WarmupCandidate[] | undefined;
  let firstWarmup: number | undefined;
  const warmupBatch = async (batch: readonly EventOfType<'TrialProposed'>[]) => {
    firstWarmup ??= batch[0]!.seq;
    const warmup = config.screen?.warmup;
    if (!pool && rescreen && warmup && (!cheapGate || cheapGate.deterministic)) {
      const seeder = new WarmupSeeder(screen!, space, config.seed, warmup.pool);
      pool = await seeder.candidates(warmupAdmission(cheapGate, at, neverAborted), neverAborted);
    }
    const candidate = (key: string, gates: GateMeasurements | undefined): WarmupCandidate => {
      const { screen: s, ...others } = gates ?? {};
      return {
        key,
        value: s?.[SCREEN_GATE_VALUE] ?? Number.NaN,
        ...(Object.keys(others).length > 0 && { gates: others }),
      };
    };
    const recordedPool = [...at.decision.seeded]
      .map((id) => candidate(at.trials[id]!.arch!, at.decision.gates.get(id)))
      .concat(batch.map((e) => candidate(e.data.arch, e.data.gates)));
    const want = decide(at, { kind: 'warm-up', pool: pool ?? recordedPool });
    const metric = config.screen?.metric;
    for (const [i, e] of batch.entries()) {
      firstFound(e.seq);
      const { trialId, arch: key } = e.data;
      const s = e.data.gates?.screen?.[SCREEN_GATE_VALUE];
      const w = want[i]?.type === 'TrialProposed' ? (want[i]!.data as EventData<'TrialProposed'>) : undefined;
      const ws = w?.gates?.screen?.[SCREEN_GATE_VALUE];
      if (!warmup || trialId !== at.decision.seeded.size || trialId >= warmup.top) {
        throw diverge(
          e.seq,
          `${what(trialId, key)} is recorded as a warm-up trial, but the warm-up is the first ${warmup?.top ?? 0} trials`,
        );
      }
      if (w?.arch !== key || firstMismatch({ v: s! }, { v: ws! }, ['v'])) {
        throw diverge(
          e.seq,
          pool
            ? `warm-up ${what(trialId, key)} with ${metric}=${s}, but screening the pool today gives ${w ? `${w.arch} with ${metric}=${ws}` : `only ${want.length} warm-up trials`}`
            : `warm-up ${what(trialId, key)} scores ${metric}=${s}, better than the trial before it: warm-up trials go best first`,
        );
      }
      const costs = e.data.gates?.hardware;
      const fresh = w.gates?.hardware;
      const unlike =
        pool && costs && fresh && firstMismatch(costs, fresh, Object.keys({ ...costs, ...fresh }));
      if (unlike) {
        throw diverge(
          e.seq,
          `warm-up ${what(trialId, key)} records ${unlike.name}=${unlike.recorded}, but the cheap hardware models give ${unlike.fresh}`,
        );
      }
      if (pool) rescreened++;
      evolve(at, e);
    }
  };

  for (let i = 0; i < events.length; ) {
    const e = events[i]!;
    firstFound(e.seq);
    const live = i >= from;
    if (isWarmup(e)) {
      // A warm-up batch: the seeder chose it, the strategy is only told its results.
      let j = i;
      while (j < events.length && isWarmup(events[j]!)) j++;
      await warmupBatch(events.slice(i, j) as EventOfType<'TrialProposed'>[]);
      i = j;
      continue;
    }
    if (e.type === 'TrialProposed') {
      const { trialId, arch: key } = e.data;
      const s = e.data.gates?.screen?.[SCREEN_GATE_VALUE];
      if (live) await ask(e.seq, trialId, key);
      if (s !== undefined && !config.screen?.filter) {
        throw diverge(e.seq, `${what(trialId, key)} has a screen score, but the run has no pre-filter`);
      }
      if (s !== undefined && rescreen) {
        let fresh: number;
        try {
          fresh = await screen!.value(space.parse(key), key, trialId, neverAborted);
        } catch (err) {
          throw diverge(e.seq, `${what(trialId, key)}: ${(err as Error).message}`);
        }
        if (firstMismatch({ v: s }, { v: fresh }, ['v'])) {
          throw diverge(
            e.seq,
            `${what(trialId, key)} records screen score ${config.screen!.metric}=${s}, but screen estimator '${config.screen!.estimator}' gives ${fresh}`,
          );
        }
        rescreened++;
      }
      const next = events[i + 1];
      const decision = next && decidesOn(next, trialId) ? next : undefined;
      const attempt = decision?.type === 'TrialStarted' ? decision.data.attempt : 1;
      const gates = recordedGates(trialId, e.data.gates, decision, true);
      if (decision) firstFound(decision.seq);
      checkDecision({ kind: 'gated', trialId, key, attempt, gates, final: true }, decision);
      evolve(at, e);
      if (decision?.type === 'TrialStarted') evolve(at, decision);
      else if (decision) await result(decision, live);
      i += decision ? 2 : 1;
      continue;
    }
    switch (e.type) {
      case 'TrialStarted':
      case 'TrialPruned': {
        // A recorded trial dispatched again (a warm-up trial, one a crash left unfinished).
        const { trialId } = e.data;
        const attempt = e.type === 'TrialStarted' ? e.data.attempt : (at.trials[trialId]?.attempts ?? 0) + 1;
        checkDecision(
          {
            kind: 'gated',
            trialId,
            attempt,
            gates: recordedGates(trialId, at.decision.gates.get(trialId), e, false),
            final: true,
          },
          e,
        );
        if (e.type === 'TrialStarted') evolve(at, e);
        else await result(e, live);
        break;
      }
      case 'TrialFailed':
        if (e.data.stage === 'propose') {
          if (live) await ask(e.seq, e.data.trialId, undefined);
          evolve(at, e);
        } else await result(e, live);
        break;
      case 'TrialCompleted':
        await result(e, live);
        break;
      case 'RunCompleted':
        if (live) reported(e.seq);
        evolve(at, e);
        break;
      default:
        evolve(at, e);
    }
    i++;
  }
  firstFound();
  if (
    pool &&
    firstWarmup !== undefined &&
    at.decision.seeded.size !== Math.min(pool.length, config.screen!.warmup!.top)
  ) {
    throw diverge(
      firstWarmup,
      `the log has ${at.decision.seeded.size} warm-up trials, but screening the pool today gives ${Math.min(pool.length, config.screen!.warmup!.top)}`,
    );
  }
  return {
    state,
    plugins,
    strategy,
    told: state.decision.told,
    events: read,
    reevaluated,
    rescreened,
    artifacts,
    progress: progress.checked,
    head: { seq: state.lastSeq, hash: state.lastHash },
  };
}

const isWarmup = (e: RunEvent) => e.type === 'TrialProposed' && e.data.seeded === 'warmup';

/** Whether `e` is the decision on a new proposal of trial `trialId` (the event after its TrialProposed). */
function decidesOn(e: RunEvent, trialId: number): boolean {
  if (e.type === 'TrialStarted' || e.type === 'TrialPruned') return e.data.trialId === trialId;
  return e.type === 'TrialFailed' && e.data.stage === 'evaluate' && e.data.trialId === trialId;
}

/**
 * What the log's decision on a trial (`recorded`: TrialStarted, TrialPruned or TrialFailed)
 * contradicts in the one `decide` gives for the recorded facts (`want`, undefined when it cannot
 * decide: a gate that applies left no outcome), in words; undefined when they agree.
 */
function decisionFault(
  what: string,
  want: NewEvent | undefined,
  recorded: RunEvent,
  screened: number | undefined,
  config: RunConfig,
): string | undefined {
  const metric = config.screen?.metric;
  if (!want) return `${what} was evaluated without being screened by the pre-filter`;
  const wantPruned = want.type === 'TrialPruned' ? want.data : undefined;
  if (recorded.type === 'TrialPruned') {
    const { gate, reason, metrics } = recorded.data;
    if (wantPruned?.gate === gate) {
      // A hardware reason only restates the recorded costs; resume trusts those, verify recomputes them.
      if (gate === 'screen' && wantPruned.reason !== reason) {
        return `${what} was pruned for '${reason}', but the pre-filter says '${wantPruned.reason}'`;
      }
      return undefined;
    }
    if (gate === 'screen' && !wantPruned) {
      return `${what} was pruned, but its screen score ${metric}=${screened} passes the pre-filter`;
    }
    if (gate === 'hardware' && !wantPruned) {
      return `${what} was pruned, but its recorded costs ${JSON.stringify(metrics)} break no constraint`;
    }
  }
  if (recorded.type === want.type) return undefined;
  if (recorded.type === 'TrialStarted' && wantPruned?.gate === 'screen') {
    return `${what} was not pruned, but the pre-filter prunes it (${wantPruned.reason})`;
  }
  if (recorded.type === 'TrialStarted' && wantPruned?.gate === 'hardware') {
    return `${what} was evaluated, but ${wantPruned.reason.split('; ')[0]}: the cheap hardware models should have pruned it`;
  }
  return `${what}: the log records ${recorded.type}, but the recorded facts give ${want.type}`;
}

/** What RunCompleted records that the log before it contradicts: unfinished trials, or what `decide` ends the run with. */
function completionFault(state: RunState, recorded: EventData<'RunCompleted'>): string | undefined {
  const left = unfinishedTrials(state)[0];
  if (left) return `RunCompleted, but trial ${left.trialId} never finished`;
  const [ended] = decide(state, { kind: 'ended', exhausted: recorded.reason === 'exhausted' });
  const want = ended!.data as EventData<'RunCompleted'>;
  if (recorded.trials !== want.trials) {
    return `RunCompleted records ${recorded.trials} trials, but the log holds ${want.trials}`;
  }
  if (canonicalJson(recorded.best) !== canonicalJson(want.best)) {
    return `RunCompleted records best trial ${recorded.best?.trialId ?? 'none'}, but the log's best is trial ${want.best?.trialId ?? 'none'}`;
  }
  if (recorded.reason !== want.reason) {
    return `RunCompleted records reason '${recorded.reason}', but the log's budget gives '${want.reason}'`;
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
 * The strategy and every stateful service restored from the latest point (results told) at
 * which each owner's checkpoint is intact, with the index of the event the strategy's replay
 * starts from; a fresh strategy from the first event when there is none. Falling back past a
 * broken checkpoint replays more of the log, with the same result, and says so.
 */
async function restoreLatest(
  plugins: RunPlugins,
  store: EventStore,
  checkpoints: readonly CheckpointAt[],
  diverge: (seq: number, reason: string) => ReplayDivergenceError,
  onWarning: ((message: string) => void) | undefined,
): Promise<{ strategy: Strategy; from: number }> {
  const services = new Map(plugins.stateful.map((s) => [s.owner, s]));
  const owners = new Set([...checkpoints.map((c) => c.owner), ...services.keys()]);
  let broken: string | undefined;
  for (let i = checkpoints.length - 1; i >= 0; ) {
    // The checkpoints of one point are written together, one per owner.
    const { told } = checkpoints[i]!;
    const point: CheckpointAt[] = [];
    for (; i >= 0 && checkpoints[i]!.told === told; i--) {
      if (!point.some((c) => c.owner === checkpoints[i]!.owner)) point.unshift(checkpoints[i]!);
    }
    const blobs: Uint8Array[] = [];
    for (const cp of point) {
      const { bytes, problem } = await readBlob(store, cp.blob);
      if (problem) broken ??= `checkpoint at seq ${cp.seq} is ${problem} (blob ${cp.blob.slice(0, 12)}…)`;
      else blobs.push(bytes);
    }
    const missing = [...owners].find((o) => !point.some((c) => c.owner === o));
    if (blobs.length < point.length || missing !== undefined) {
      if (missing !== undefined) broken ??= `the checkpoints at told ${told} have none of '${missing}'`;
      continue;
    }
    const strategy = plugins.createStrategy();
    for (const [k, cp] of point.entries()) {
      const service = cp.owner === 'strategy' ? strategy : services.get(cp.owner);
      if (!service?.restore) {
        const which =
          cp.owner === 'strategy' ? `strategy '${plugins.config.strategy}'` : `service '${cp.owner}'`;
        throw diverge(cp.seq, `${which} has a checkpoint but cannot restore one`);
      }
      await service.restore(blobs[k]!);
    }
    const first = point[0]!;
    if (broken) onWarning?.(`${broken}; resuming from the checkpoint at seq ${first.seq} instead`);
    // A strategy that never checkpoints is replayed from the first event.
    const own = point.find((c) => c.owner === 'strategy');
    return { strategy, from: own ? Math.max(...point.map((c) => c.from)) : 0 };
  }
  if (broken) {
    onWarning?.(
      `${broken}, and no earlier one is usable; resuming by replaying the strategy from the first event`,
    );
  }
  return { strategy: plugins.createStrategy(), from: 0 };
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
