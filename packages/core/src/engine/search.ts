import { randomBytes } from 'node:crypto';
import { arch as cpuArch, platform } from 'node:os';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { catchError, defer, EMPTY, type Observable, type Subscription } from 'rxjs';
import { coreVersion } from '../di/plugin-loader.js';
import type { PluginRegistry } from '../di/plugin-registry.js';
import { ConfigError, echo, errorInfo, ReplayDivergenceError } from '../errors.js';
import type {
  ArtifactRef,
  Budget,
  EventData,
  Metrics,
  RunConfig,
  RunEnv,
  RunEvent,
  TrialRef,
} from '../events/event.js';
import type { HardwareModel } from '../hardware/hardware-model.js';
import { violations } from '../projections/objectives.js';
import { activeMs, initialRunState, type RunState, unfinishedTrials } from '../projections/run-state.js';
import type { EventStore } from '../store/event-store.js';
import type { Strategy, TrialResult } from '../strategy/strategy.js';
import { hardwareCost } from './hardware-cost.js';
import {
  estimatorSeed,
  instantiate,
  type RunPlugins,
  resolveConfig,
  runProviders,
} from './plugin-instances.js';
import type { Reaction } from './reaction.js';
import { replayRun } from './replay.js';
import { extendedBudget, type SearchConfigInput } from './run-config.js';
import { type NewEvent, RunWriter } from './run-writer.js';
import { Screening } from './screen.js';
import { trialResult } from './trial-result.js';

export interface SearchDeps {
  readonly store: EventStore;
  readonly plugins: PluginRegistry;
  /** package name → version of the loaded plugin packages, recorded in RunStarted. */
  readonly packages?: Readonly<Record<string, string>>;
  readonly reactions?: readonly Reaction[];
  /** Milliseconds since the epoch; injectable for tests. */
  readonly clock?: () => number;
  /** Gets a one-line warning the user should see, e.g. resume falling back past a damaged checkpoint. */
  readonly warn?: (message: string) => void;
}

export interface ResumeOptions {
  /**
   * Raise the run's trial budget to this many trials (recorded as RunExtended); a completed run
   * then carries on. ConfigError for fewer than it has.
   */
  readonly trials?: number;
}

export interface RunOutcome {
  readonly runId: string;
  /** 'interrupted' when `stop()` ended it early: resume carries on from there. */
  readonly status: 'completed' | 'interrupted';
  readonly reason?: 'trials' | 'wall-time' | 'exhausted' | 'pruned';
  readonly trials: number;
  readonly best: TrialRef | null;
  readonly state: RunState;
}

/** Bytes an estimator saved with a trial's result (`EvaluationContext.saveArtifact`), by name. */
type Artifacts = Map<string, { readonly bytes: Uint8Array; readonly format: string }>;

interface Settled {
  readonly trialId: number;
  readonly ok: boolean;
  readonly metrics?: Metrics;
  readonly artifacts?: Artifacts;
  readonly error?: unknown;
  readonly durationMs: number;
}

/** A run whose config and plugins are checked and ready (`Search.prepare`), not yet stored. */
export interface PreparedRun {
  readonly runId: string;
  readonly run: RunPlugins;
  readonly env: RunEnv;
}

class InvalidMetricsError extends Error {}

/**
 * The trial loop gives the event loop a turn (signals, timers, I/O) after this much work: a stop
 * asked for is seen within that time, and a yield per 50 ms costs nothing measurable.
 */
const YIELD_EVERY_MS = 50;

/**
 * Drives one run: asks the strategy, records each proposal, evaluates up to `concurrency`
 * trials at once, records each result, tells the strategy, until the budget is spent. Every
 * decision is appended to the log before it has effects, so `Search.resume` can rebuild the
 * run from the log after a crash at any point.
 *
 * Hardware models: the cheap ones cost each proposal first; when their costs break a
 * constraint the trial is recorded as TrialPruned (with the costs) and never evaluated.
 * Otherwise the estimator runs, then the other models, and the trial's metrics are all of
 * theirs merged. A pruned trial costs nothing, so it does not count against the trial budget;
 * but a run ends (reason 'pruned') once `prunedLimit(budget)` proposals have been pruned, so a
 * constraint that almost nothing meets cannot make it propose forever.
 *
 * Screening (`config.screen`, Abdelfattah et al. 2021), with any strategy:
 * - warm-up: before the strategy's first `ask`, the screen estimator scores a pool of sampled
 *   architectures (those the cheap hardware models prune left out) and the best `top` become
 *   the first trials, best first, all proposed in one batch (`TrialProposed.screen.warmup`).
 *   The strategy is told their results (`seeded: true`) and asked only once all are told.
 * - pre-filter: each proposal that the cheap models keep is scored; one whose score is not in
 *   the best `fraction` of the proposals scored so far (the first `min` always pass) is pruned
 *   and told as infeasible. Every screen score is recorded in its TrialProposed and joins the
 *   trial's metrics as `screen.METRIC`.
 * Resume rebuilds all of it from the log without scoring again; a screen that throws or gives
 * no finite score fails the trial.
 */
export class Search {
  /** Events of this run as they are stored (after the append succeeded), from now on. */
  readonly events$: Observable<RunEvent>;
  private readonly inflight = new Map<number, AbortController>();
  private readonly settled: Settled[] = [];
  private wake: (() => void) | undefined;
  private stopping = false;
  private told: number;
  /** Proposed trials to start before asking the strategy: those a resume re-runs, then the warm-up. */
  private readonly pending: number[];
  /** Warm-up trials not told yet: the strategy is asked only once none are left. */
  private seededLeft: number;
  private extendedFromTrials: number | undefined;
  /** Aborted by `stop()`: ends the screening of the warm-up pool or of a proposal. */
  private readonly screenAbort = new AbortController();
  private readonly clock: () => number;
  private readonly cheap: readonly HardwareModel[];
  private readonly expensive: readonly HardwareModel[];
  /** Metrics the engine judges (objective, constraints, reward) that only the estimator gives. */
  private readonly required: readonly string[];

  private constructor(
    private readonly deps: SearchDeps,
    private readonly writer: RunWriter,
    private readonly runPlugins: RunPlugins,
    private readonly strategy: Strategy,
    told: number,
    redispatch: readonly number[],
    private readonly screening: Screening | undefined,
  ) {
    this.events$ = writer.events$;
    this.told = told;
    this.pending = [...redispatch];
    this.seededLeft = redispatch.filter((id) => screening?.seeded.has(id)).length;
    this.clock = deps.clock ?? Date.now;
    this.cheap = runPlugins.hardware.filter((m) => m.cheap);
    this.expensive = runPlugins.hardware.filter((m) => !m.cheap);
    this.required = estimatorJudged(runPlugins.config, runPlugins.hardware);
  }

  get runId(): string {
    return this.writer.runId;
  }

  /** The run's state so far (a fold of its log). */
  get state(): RunState {
    return this.writer.state;
  }

  get plugins(): RunPlugins {
    return this.runPlugins;
  }

  /** The trial budget before `resume` extended it, when it did. */
  get extendedFrom(): number | undefined {
    return this.extendedFromTrials;
  }

  /** Validates the config and plugins, then writes RunStarted. Nothing is written if validation fails. */
  static async start(
    deps: SearchDeps,
    input: SearchConfigInput,
    runId = newRunId(deps.clock ?? Date.now),
  ): Promise<Search> {
    return Search.begin(deps, await Search.prepare(deps.plugins, input, runId));
  }

  /**
   * Validates the run id, the config and the plugins, and prepares the plugins (an estimator
   * loads its data), without a store: a caller can open or create its store once input is valid.
   */
  static async prepare(
    plugins: PluginRegistry,
    input: SearchConfigInput,
    runId = newRunId(Date.now),
  ): Promise<PreparedRun> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(runId)) {
      throw new ConfigError(`run id '${echo(runId)}' must be letters, digits, '.', '_' or '-' (at most 128)`);
    }
    const run = instantiate(plugins, resolveConfig(plugins, input));
    return { runId, run, env: await runEnv(run) };
  }

  /** Writes RunStarted of a prepared run; a ConfigError, writing nothing, if the store has that run id. */
  static async begin(deps: SearchDeps, { runId, run, env }: PreparedRun): Promise<Search> {
    if ((await deps.store.lastSeq(runId)) >= 0)
      throw new ConfigError(`run '${runId}' exists already; pick another id`);
    const providers = runProviders(deps.plugins, run.config);
    const writer = new RunWriter(deps.store, initialRunState(runId), deps.clock ?? Date.now);
    await writer.append({
      type: 'RunStarted',
      data: {
        config: run.config,
        packages: { '@archlab/core': coreVersion(), ...deps.packages },
        ...(providers.length > 0 && { providers }),
        env,
      },
    });
    const screening = run.config.screen && new Screening(run.config.screen, run.screen!, run.config.seed);
    return new Search(deps, writer, run, run.createStrategy(), 0, [], screening);
  }

  /**
   * Rebuilds a run from its log: restores the strategy (from its latest checkpoint, then the
   * events after it), checks that it makes the recorded decisions, and queues the trials that
   * were in flight to run again. Completed trials are never evaluated again.
   */
  static async resume(deps: SearchDeps, runId: string, options: ResumeOptions = {}): Promise<Search> {
    const replayed = await replayRun(deps.store, deps.plugins, runId, {
      mode: 'resume',
      onWarning: deps.warn,
    });
    const writer = new RunWriter(deps.store, replayed.state, deps.clock ?? Date.now);
    const budget = replayed.state.config!.budget;
    const extended = options.trials === undefined ? undefined : extendedBudget(runId, budget, options.trials);
    if (extended) await writer.append({ type: 'RunExtended', data: { budget: extended } });
    const pending = unfinishedTrials(replayed.state).map((t) => t.trialId);
    if (replayed.state.status !== 'completed') {
      const env = await runEnv(replayed.plugins);
      await writer.append({
        type: 'RunResumed',
        data: { fromSeq: replayed.state.lastSeq + 1, redispatched: pending, env },
      });
    }
    const search = new Search(
      deps,
      writer,
      replayed.plugins,
      replayed.strategy,
      replayed.told,
      pending,
      replayed.screening,
    );
    if (extended) search.extendedFromTrials = budget.trials;
    return search;
  }

  /** Asks the run to end early: no new proposals, in-flight trials are aborted and left for resume. */
  stop(): void {
    this.stopping = true;
    this.screenAbort.abort(new Error('search stopped'));
    for (const c of this.inflight.values()) c.abort(new Error('search stopped'));
    this.wake?.();
  }

  /** Runs until the budget is spent (or `stop`). Resolves with the outcome; a completed run resolves at once. */
  async run(): Promise<RunOutcome> {
    const subscriptions = this.state.status === 'completed' ? [] : this.subscribeReactions();
    try {
      if (this.state.status === 'completed') return this.outcome('completed');
      const { space, runner } = this.runPlugins;
      const warmup = this.screening?.config.warmup;
      const seeded = this.screening?.seeded.size ?? 0;
      if (warmup && this.state.trials.length === seeded && seeded < warmup.top) await this.warmup();
      let exhausted = false;
      let yielded = performance.now();
      for (;;) {
        // A store and an estimator that answer at once (a table) would keep this loop on the
        // microtask queue for the whole run: signal handlers and timers never got a turn.
        if (performance.now() - yielded >= YIELD_EVERY_MS) {
          await nextMacrotask();
          yielded = performance.now();
        }
        while (!this.stopping && this.inflight.size < runner.concurrency) {
          // Already proposed (and counted): started whatever the budget says, within the concurrency.
          const trialId = this.pending.shift();
          if (trialId !== undefined) {
            const t = this.state.trials[trialId]!;
            await this.dispatch(trialId, space.parse(t.arch!), t.attempts + 1);
            continue;
          }
          if (exhausted || this.seededLeft > 0 || !this.budgetLeft()) break;
          if ((await this.propose()) === 'empty') {
            exhausted = this.inflight.size === 0;
            break;
          }
        }
        if (this.inflight.size === 0) break;
        await this.record(await this.nextSettled());
      }
      await this.writer.flush();
      if (this.stopping) return this.outcome('interrupted');
      const reason = exhausted
        ? 'exhausted'
        : !this.prunedLeft()
          ? 'pruned'
          : this.trialsLeft()
            ? 'wall-time'
            : 'trials';
      await this.writer.append({
        type: 'RunCompleted',
        data: { reason, trials: this.state.trials.length, best: this.state.best ?? null },
      });
      return this.outcome('completed', reason);
    } finally {
      for (const s of subscriptions) s.unsubscribe();
      await this.writer.flush();
      this.writer.complete();
      await this.strategy.dispose?.();
      await this.runPlugins.runner.dispose?.();
      await this.runPlugins.estimator.dispose?.();
      await this.runPlugins.screen?.dispose?.();
      for (const m of this.runPlugins.hardware) await m.dispose?.();
    }
  }

  private outcome(status: RunOutcome['status'], reason?: RunOutcome['reason']): RunOutcome {
    const s = this.state;
    return {
      runId: this.runId,
      status,
      ...((reason ?? s.completion?.reason) && {
        reason: (reason ?? s.completion?.reason) as RunOutcome['reason'],
      }),
      trials: s.trials.length,
      best: s.best ?? null,
      state: s,
    };
  }

  /** The run's budget: RunStarted's, or the latest RunExtended's. */
  private get budget(): Budget {
    return this.state.config!.budget;
  }

  /** Trials that used the budget: all but the pruned ones. */
  private trialsLeft(): boolean {
    const limit = this.budget.trials;
    return limit === undefined || this.state.trials.length - this.state.counts.pruned < limit;
  }

  private prunedLeft(): boolean {
    return this.state.counts.pruned < prunedLimit(this.budget.trials);
  }

  private budgetLeft(): boolean {
    const limit = this.budget.wallTimeMs;
    return (
      this.trialsLeft() &&
      this.prunedLeft() &&
      (limit === undefined || activeMs(this.state, this.clock()) < limit)
    );
  }

  private async propose(): Promise<'proposed' | 'failed' | 'empty'> {
    const trialId = this.state.trials.length;
    let arch: unknown;
    let key: string;
    try {
      arch = await this.strategy.ask();
      if (arch === undefined) return 'empty';
      key = this.runPlugins.space.key(arch);
    } catch (err) {
      await this.writer.append({
        type: 'TrialFailed',
        data: { trialId, stage: 'propose', error: errorInfo(err), durationMs: 0 },
      });
      return 'failed';
    }
    await this.dispatch(trialId, arch, 1, key);
    return 'proposed';
  }

  /**
   * Scores the warm-up pool and proposes its best architectures as the first trials, in one
   * batch. A resume that finds fewer than `top` of them and nothing after (a store that lost
   * part of the batch, or a pool with fewer candidates) scores the pool again and proposes the
   * rest, after checking those recorded are its first.
   */
  private async warmup(): Promise<void> {
    const screening = this.screening!;
    const { space, config } = this.runPlugins;
    const admit = async (arch: unknown) => {
      if (!this.cheap.length) return true;
      try {
        return violations(config.constraints, await hardwareCost(this.cheap, arch)).length === 0;
      } catch {
        return false;
      }
    };
    const chosen = await screening.warmupTrials(space, admit, this.screenAbort.signal);
    if (this.stopping) return;
    const have = screening.seeded.size;
    for (const [trialId, c] of chosen.slice(0, have).entries()) {
      if (this.state.trials[trialId]?.arch !== c.key) {
        throw new ReplayDivergenceError(
          this.runId,
          this.state.lastSeq,
          `warm-up trial ${trialId} is ${this.state.trials[trialId]?.arch}, but screening the pool today gives ${c.key}`,
        );
      }
    }
    const added = chosen.slice(have);
    if (added.length === 0) return;
    await this.writer.append(
      ...added.map(
        (c, i): NewEvent => ({
          type: 'TrialProposed',
          data: { trialId: have + i, arch: c.key, screen: { value: c.value, warmup: true } },
        }),
      ),
    );
    for (const [i, c] of added.entries()) {
      screening.seed(have + i, c.value);
      this.pending.push(have + i);
    }
    this.seededLeft += added.length;
  }

  /**
   * Costs the trial on the cheap hardware models, then prunes it or (in a screened run, for a
   * new proposal) screens it, or starts its evaluation. `key` is given for a new proposal,
   * whose TrialProposed goes in the same atomic batch as the decision.
   */
  private async dispatch(trialId: number, arch: unknown, attempt: number, key?: string): Promise<void> {
    const proposal: EventData<'TrialProposed'> | undefined =
      key === undefined ? undefined : { trialId, arch: key };
    const proposed = (): NewEvent[] => (proposal ? [{ type: 'TrialProposed', data: proposal }] : []);
    const { runner, config } = this.runPlugins;
    let pre: Metrics = {};
    if (this.cheap.length) {
      try {
        pre = await hardwareCost(this.cheap, arch);
      } catch (err) {
        const error = errorInfo(err);
        await this.writer.append(...proposed(), {
          type: 'TrialFailed',
          data: { trialId, stage: 'evaluate', error, durationMs: 0 },
        });
        return this.tell(trialId, 'failed');
      }
      const broken = violations(config.constraints, pre);
      if (broken.length) {
        await this.writer.append(...proposed(), {
          type: 'TrialPruned',
          data: { trialId, reason: broken.join('; '), metrics: pre },
        });
        return this.tell(trialId, 'pruned', pre);
      }
    }
    const screening = this.screening;
    if (screening?.config.filter && !screening.seeded.has(trialId)) {
      let value = screening.values.get(trialId);
      // Unscreened: a new proposal, or (re-run) one whose screening failed.
      if (value === undefined) {
        try {
          const k = proposal?.arch ?? this.state.trials[trialId]!.arch!;
          value = await screening.value(arch, k, trialId, this.screenAbort.signal);
        } catch (err) {
          // Stopped while screening: nothing is recorded, and resume asks the strategy again.
          if (this.stopping) return;
          await this.writer.append(...proposed(), {
            type: 'TrialFailed',
            data: { trialId, stage: 'evaluate', error: errorInfo(err), durationMs: 0 },
          });
          return this.tell(trialId, 'failed');
        }
        if (proposal) {
          proposal.screen = { value };
          screening.judge(trialId, value);
        }
      }
      const reason = screening.screenedOut.get(trialId);
      if (reason !== undefined) {
        const metrics = { ...pre, [screening.metricName]: value };
        await this.writer.append(...proposed(), { type: 'TrialPruned', data: { trialId, reason, metrics } });
        return this.tell(trialId, 'pruned', metrics);
      }
    }
    const screened = screening?.values.get(trialId);
    if (screened !== undefined) pre = { ...pre, [screening!.metricName]: screened };
    await this.writer.append(...proposed(), { type: 'TrialStarted', data: { trialId, attempt } });
    const controller = new AbortController();
    this.inflight.set(trialId, controller);
    const t0 = performance.now();
    const artifacts: Artifacts = new Map();
    const settle = (s: Omit<Settled, 'durationMs'>) => {
      this.settled.push({ ...s, durationMs: performance.now() - t0 });
      this.wake?.();
    };
    Promise.resolve()
      .then(() =>
        runner.run({
          arch,
          trialId,
          seed: estimatorSeed(config, trialId),
          signal: controller.signal,
          report: (step, metrics) => {
            if (!controller.signal.aborted) {
              this.writer
                .append({ type: 'TrialProgressed', data: { trialId, step, metrics } })
                .catch(() => {});
            }
          },
          saveArtifact: (name, bytes, format) => {
            if (!/^[\w.-]{1,64}$/.test(name)) throw new TypeError(`artifact name '${name}' must be a word`);
            artifacts.set(name, { bytes, format });
          },
        }),
      )
      .then(async (metrics) => {
        const checked = checkMetrics(metrics, this.required);
        const post = this.expensive.length ? await hardwareCost(this.expensive, arch) : {};
        return { ...checked, ...pre, ...post };
      })
      .then(
        (metrics) => settle({ trialId, ok: true, metrics, artifacts }),
        (error: unknown) => settle({ trialId, ok: false, error }),
      )
      .catch((error: unknown) => settle({ trialId, ok: false, error }));
  }

  private async nextSettled(): Promise<Settled> {
    while (this.settled.length === 0) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
    return this.settled.shift()!;
  }

  private async record(s: Settled): Promise<void> {
    const controller = this.inflight.get(s.trialId);
    this.inflight.delete(s.trialId);
    // A trial aborted by stop() is left unfinished in the log, so resume runs it again.
    if (this.stopping && controller?.signal.aborted) return;
    const durationMs = Math.round(s.durationMs * 1000) / 1000;
    if (s.ok) {
      const artifacts = await this.storeArtifacts(s.artifacts);
      await this.writer.append({
        type: 'TrialCompleted',
        data: { trialId: s.trialId, metrics: s.metrics!, durationMs, ...(artifacts && { artifacts }) },
      });
    } else {
      await this.writer.append({
        type: 'TrialFailed',
        data: { trialId: s.trialId, stage: 'evaluate', error: errorInfo(s.error), durationMs },
      });
    }
    await this.tell(s.trialId, s.ok ? 'completed' : 'failed', s.metrics);
  }

  /** Stores each artifact as a blob before the event that names it is written. */
  private async storeArtifacts(
    artifacts: Artifacts | undefined,
  ): Promise<Record<string, ArtifactRef> | undefined> {
    if (!artifacts?.size) return undefined;
    const refs: Record<string, ArtifactRef> = {};
    for (const [name, { bytes, format }] of artifacts) {
      refs[name] = { blob: await this.deps.store.putBlob(bytes), bytes: bytes.byteLength, format };
    }
    return refs;
  }

  /** Tells the strategy a recorded result, in log order; a `tell` that throws is recorded and the run goes on. */
  private async tell(trialId: number, status: TrialResult['status'], metrics?: Metrics): Promise<void> {
    const { config, space } = this.runPlugins;
    const key = this.state.trials[trialId]!.arch!;
    const screening = this.screening?.told(trialId);
    const result = trialResult(config, space, trialId, key, status, metrics, screening);
    if (screening?.seeded) this.seededLeft--;
    try {
      await this.strategy.tell(result);
    } catch (err) {
      await this.writer.append({
        type: 'PluginFailed',
        data: { source: 'strategy.tell', trialId, error: errorInfo(err) },
      });
    }
    this.told++;
    await this.maybeCheckpoint();
  }

  private async maybeCheckpoint(): Promise<void> {
    const every = this.runPlugins.config.checkpointEvery;
    if (!every || !this.strategy.snapshot || this.told % every !== 0) return;
    const bytes = await this.strategy.snapshot();
    const blob = await this.deps.store.putBlob(bytes);
    await this.writer.append({
      type: 'StrategyCheckpointed',
      data: { blob, bytes: bytes.byteLength, told: this.told },
    });
  }

  private subscribeReactions(): Subscription[] {
    return (this.deps.reactions ?? []).map((reaction) =>
      defer(() => reaction.react(this.events$))
        .pipe(
          catchError((err: unknown) => {
            this.writer
              .append({
                type: 'PluginFailed',
                data: { source: `reaction:${reaction.name}`, error: errorInfo(err) },
              })
              .catch(() => {});
            return EMPTY;
          }),
        )
        .subscribe(),
    );
  }
}

function checkMetrics(metrics: Metrics, required: readonly string[]): Metrics {
  if (typeof metrics !== 'object' || metrics === null)
    throw new InvalidMetricsError('estimator returned no metrics');
  for (const name of required) {
    const v = metrics[name];
    if (typeof v !== 'number') throw new InvalidMetricsError(`estimator returned no '${name}'`);
    if (!Number.isFinite(v)) throw new InvalidMetricsError(`estimator returned ${name}=${v}`);
  }
  return metrics;
}

/** The primary objective, constrained metrics and reward metric that no hardware model gives. */
function estimatorJudged(config: RunConfig, hardware: readonly HardwareModel[]): string[] {
  const fromHardware = new Set(hardware.flatMap((m) => m.metrics));
  const judged = [
    config.objective.metric,
    ...(config.constraints ?? []).map((c) => c.metric),
    ...(config.reward ? [config.reward.metric] : []),
  ];
  return [...new Set(judged)].filter((m) => !fromHardware.has(m));
}

/** Sortable and short: `20261123-111500-3fa2`. */
export function newRunId(clock: () => number = Date.now): string {
  const d = new Date(clock());
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * How many pruned proposals end a run: 100 per budgeted trial, at least 10,000 (10,000 with no
 * trial budget). Pruning is cheap, but a strategy that keeps proposing what the constraints
 * forbid would otherwise never stop.
 */
export function prunedLimit(trialBudget: number | undefined): number {
  return Math.max(10_000, 100 * (trialBudget ?? 0));
}

/** Where the trials run, and the devices the hardware models describe: recorded in RunStarted and RunResumed. */
async function runEnv({ estimator, hardware, screen }: RunPlugins): Promise<RunEnv> {
  const base = { node: process.version, platform: platform(), arch: cpuArch() };
  const reported = await estimator.prepare?.();
  const screenReported = await screen?.prepare?.();
  return {
    ...base,
    ...(reported && { estimator: { ...reported } }),
    ...(screenReported && { screen: { ...screenReported } }),
    ...(hardware.length > 0 && {
      hardware: hardware.map((m) => ({ name: m.name, device: { ...m.device } })),
    }),
  };
}
