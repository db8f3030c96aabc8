import type { PluginRegistry } from '../di/plugin-registry.js';
import { ReplayDivergenceError, StoreError, UnknownRunError } from '../errors.js';
import type { Metrics, RunConfig } from '../events/event.js';
import { canonicalJson, eventHash, sha256Hex } from '../events/hash-chain.js';
import { upcast } from '../events/upcast.js';
import { evolve, initialRunState, type RunState, score } from '../projections/run-state.js';
import type { EventStore } from '../store/event-store.js';
import type { Strategy } from '../strategy/strategy.js';
import { instantiate, type RunPlugins, trialSeed } from './plugin-instances.js';

/** What the strategy did at one point of the log; the replay repeats these calls. */
type Step =
  | { kind: 'propose'; seq: number; trialId: number; key: string }
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
   * 'verify': replay every decision from the first event, and re-evaluate completed trials
   * where the estimator is deterministic.
   */
  readonly mode: 'resume' | 'verify';
  /** In verify mode, recompute the results of a deterministic estimator (default true). */
  readonly reevaluate?: boolean;
  /** Called every `progressEvery` events read, for progress bars on long logs. */
  readonly onProgress?: (eventsRead: number) => void;
}

export interface ReplayResult {
  readonly state: RunState;
  readonly plugins: RunPlugins;
  readonly strategy: Strategy;
  /** Results told to the strategy, as it was left. */
  readonly told: number;
  /** Events read. */
  readonly events: number;
  /** Trials whose recorded metrics were recomputed and matched (verify mode, deterministic estimators). */
  readonly reevaluated: number;
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
  let steps: Step[] = [];
  let checkpoint: { seq: number; blob: string } | undefined;
  let prevHash = '';
  let read = 0;
  const diverge = (seq: number, reason: string) => new ReplayDivergenceError(runId, seq, reason);

  for await (const stored of store.read(runId)) {
    if (stored.seq !== read)
      throw diverge(read, `the log has a gap: expected seq ${read}, found ${stored.seq}`);
    if (eventHash(prevHash, stored) !== stored.hash) {
      throw diverge(
        stored.seq,
        `${stored.type} does not match its hash: the stored event was altered after it was written`,
      );
    }
    prevHash = stored.hash;
    const e = upcast(stored);
    read++;
    if (options.onProgress && read % 10_000 === 0) options.onProgress(read);
    if (e.seq === 0) {
      if (e.type !== 'RunStarted') throw diverge(0, `the log starts with ${e.type}, not RunStarted`);
      plugins = instantiate(registry, e.data.config);
      checkConfigStable(runId, e.data.config, plugins.config);
    }
    evolve(state, e);
    switch (e.type) {
      case 'TrialProposed':
        steps.push({ kind: 'propose', seq: e.seq, trialId: e.data.trialId, key: e.data.arch });
        break;
      case 'TrialFailed':
        steps.push(
          e.data.stage === 'propose'
            ? { kind: 'propose-failed', seq: e.seq, trialId: e.data.trialId }
            : { kind: 'result', seq: e.seq, trialId: e.data.trialId, status: 'failed' },
        );
        break;
      case 'TrialCompleted':
        steps.push({
          kind: 'result',
          seq: e.seq,
          trialId: e.data.trialId,
          status: 'completed',
          metrics: e.data.metrics,
        });
        break;
      case 'TrialPruned':
        steps.push({
          kind: 'result',
          seq: e.seq,
          trialId: e.data.trialId,
          status: 'pruned',
          metrics: e.data.metrics,
        });
        break;
      case 'StrategyCheckpointed':
        if (options.mode === 'resume') {
          checkpoint = { seq: e.seq, blob: e.data.blob };
          steps = [];
        }
        break;
      default:
        break;
    }
  }
  if (read === 0) throw new UnknownRunError(runId);
  if (!plugins) throw new StoreError(`run '${runId}' has no RunStarted`);

  const strategy = plugins.createStrategy();
  let told = 0;
  if (checkpoint) {
    const bytes = await store.getBlob(checkpoint.blob);
    if (!bytes || sha256Hex(bytes) !== checkpoint.blob) {
      throw diverge(checkpoint.seq, `checkpoint blob ${checkpoint.blob.slice(0, 12)}… is missing or corrupt`);
    }
    if (!strategy.restore) {
      throw diverge(
        checkpoint.seq,
        `strategy '${plugins.config.strategy}' has a checkpoint but cannot restore one`,
      );
    }
    await strategy.restore(bytes);
    told = state.checkpoint?.told ?? 0;
  }

  const { space, estimator, config } = plugins;
  const reevaluate = options.mode === 'verify' && (options.reevaluate ?? true) && estimator.deterministic;
  let reevaluated = 0;
  if (reevaluate) await estimator.prepare?.();
  const neverAborted = new AbortController().signal;
  for (const step of steps) {
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
    if (reevaluate && step.status === 'completed') {
      const fresh = await estimator.evaluate(arch, {
        trialId: step.trialId,
        seed: trialSeed(config.seed, step.trialId),
        signal: neverAborted,
        report: () => {},
      });
      const mismatch = firstMismatch(step.metrics ?? {}, fresh);
      if (mismatch) {
        throw diverge(
          step.seq,
          `trial ${step.trialId} (${key}) records ${mismatch.name}=${mismatch.recorded}, but ${estimator.name} gives ${mismatch.fresh}`,
        );
      }
      reevaluated++;
    }
    try {
      await strategy.tell({
        trialId: step.trialId,
        arch,
        key,
        status: step.status,
        ...(step.metrics && { metrics: step.metrics }),
        score: score(config.objective, step.metrics),
      });
    } catch {
      // The original run recorded this as PluginFailed and went on; so does the replay.
    }
    told++;
  }
  return { state, plugins, strategy, told, events: read, reevaluated };
}

function firstMismatch(
  recorded: Metrics,
  fresh: Metrics,
): { name: string; recorded: unknown; fresh: unknown } | undefined {
  for (const name of new Set([...Object.keys(recorded), ...Object.keys(fresh)])) {
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
  const a = canonicalJson(recorded.strategyOptions);
  const b = canonicalJson(now.strategyOptions);
  if (a !== b) {
    throw new ReplayDivergenceError(
      runId,
      0,
      `strategy options resolve to ${b} today but were recorded as ${a}`,
    );
  }
}
