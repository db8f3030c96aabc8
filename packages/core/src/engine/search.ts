import { randomBytes } from 'node:crypto';
import { arch as cpuArch, platform } from 'node:os';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { Observable, Subscription } from 'rxjs';
import { coreVersion } from '../di/plugin-loader.js';
import type { PluginRegistry } from '../di/plugin-registry.js';
import {
  ConfigError,
  echo,
  errorInfo,
  InvalidProgressError,
  ReplayDivergenceError,
  RunHaltedError,
  RunnerUnavailableError,
} from '../errors.js';
import type { ArtifactRef, Metrics, RunConfig, RunEnv, RunEvent, TrialRef } from '../events/event.js';
import type { HardwareModel } from '../hardware/hardware-model.js';
import { initialRunState, type RunState, screenValue, unfinishedTrials } from '../projections/run-state.js';
import type { RunnerChoice } from '../runner/trial-runner.js';
import { ScreenEstimator } from '../screening/screen.js';
import { type Seeder, WarmupSeeder } from '../screening/warmup-seeder.js';
import type { EventStore } from '../store/event-store.js';
import type { Strategy } from '../strategy/strategy.js';
import { refuseUnmeetableConstraints } from './constraint-floors.js';
import {
  budgetLeft,
  checkpointDue,
  decide,
  type Fact,
  type GateOutcome,
  rankWarmup,
  strategyMayAsk,
  toldResult,
  trialMetrics,
} from './decide.js';
import { type Gate, hardwareGate, screenGate, warmupAdmission } from './gate.js';
import { hardwareCost } from './hardware-cost.js';
import {
  estimatorSeed,
  instantiate,
  type RunPlugins,
  RunStore,
  resolveConfig,
  runnerByName,
  runProviders,
} from './plugin-instances.js';
import type { Reaction } from './reaction.js';
import { replayRun } from './replay.js';
import { extendedBudget, type SearchConfigInput } from './run-config.js';
import { type NewEvent, RunWriter } from './run-writer.js';
import { rx } from './rx.js';

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
  /** Where the trials run from now on (default: in process); not part of the run's identity. */
  readonly runner?: RunnerChoice;
}

export interface PrepareOptions {
  /** Where the trials run (default: in process); not recorded: a resume may pick another. */
  readonly runner?: RunnerChoice;
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
 * trials at once, records each result, tells the strategy, until the budget is spent. `Search`
 * only runs effects (ask, the gates' measurements, evaluate, tell, snapshot); what each one
 * means for the run is decided by `decide`, whose events are appended before they have effects,
 * so `Search.resume` can rebuild the run from the log after a crash at any point, and a replay
 * that feeds the recorded facts to the same `decide` gets the same events.
 *
 * Gates (`Gate`), in order, measure a proposal before it is evaluated: the cheap hardware models
 * (a trial whose costs break a constraint is pruned, costs recorded, never evaluated) and, in a
 * screened run (`config.screen`, Abdelfattah et al. 2021), the zero-cost pre-filter (a proposal
 * whose screen score is not in the best `fraction` of the proposals scored so far is pruned and
 * told as infeasible). A pruned trial does not count against the trial budget, but a run ends
 * (reason 'pruned') once `prunedLimit(budget)` proposals were pruned.
 *
 * A screened run with a warm-up first has the seeder (`WarmupSeeder`) score a pool of sampled
 * architectures; the best `top` become the first trials, best first, proposed in one batch
 * (`TrialProposed.seeded`). The strategy is told their results (`seeded: true`) and asked
 * only once all are told. Every screen score joins the trial's metrics as `screen.METRIC`.
 */
export class Search {
  /** Events of this run as they are stored (after the append succeeded), from now on. */
  readonly events$: Observable<RunEvent>;
  private readonly inflight = new Map<number, AbortController>();
  private readonly settled: Settled[] = [];
  private wake: (() => void) | undefined;
  private stopping = false;
  /** Set when the runner lost where trials run: the run stops and `run` throws it. */
  private unavailable: RunnerUnavailableError | undefined;
  /** What a strategy's `ask` halted the run with (RunHaltedError): thrown once the trials in flight settle. */
  private halted: RunHaltedError | undefined;
  /** Proposed trials to start before asking the strategy: those a resume re-runs, then the warm-up. */
  private readonly pending: number[];
  private extendedFromTrials: number | undefined;
  /** Aborted by `stop()`: ends the screening of the warm-up pool or of a proposal. */
  private readonly screenAbort = new AbortController();
  private readonly clock: () => number;
  /** The gates every proposal passes before evaluation, in order (cheap hardware, then the pre-filter). */
  private readonly gates: readonly Gate[];
  private readonly seeder: Seeder | undefined;
  private readonly screen: ScreenEstimator | undefined;
  private readonly expensive: readonly HardwareModel[];
  /** Metrics the engine judges (objective, constraints, reward) that only the estimator gives. */
  private readonly required: readonly string[];

  private constructor(
    private readonly deps: SearchDeps,
    private readonly writer: RunWriter,
    private readonly runPlugins: RunPlugins,
    private readonly strategy: Strategy,
    redispatch: readonly number[],
  ) {
    this.events$ = writer.events$;
    this.pending = [...redispatch];
    this.clock = deps.clock ?? Date.now;
    const { config } = runPlugins;
    this.screen = config.screen && new ScreenEstimator(config.screen, runPlugins.screen!, config.seed);
    this.seeder =
      this.screen &&
      config.screen?.warmup &&
      new WarmupSeeder(this.screen, runPlugins.space, config.seed, config.screen.warmup.pool);
    this.gates = [hardwareGate(runPlugins.hardware), this.screen && screenGate(this.screen)].filter(
      (g): g is Gate => g !== undefined,
    );
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
    options: PrepareOptions = {},
  ): Promise<Search> {
    return Search.begin(deps, await Search.prepare(deps.plugins, input, runId, options));
  }

  /**
   * Validates the run id, the config and the plugins (a constraint no architecture meets
   * included, see `HardwareModel.floors`), and prepares the plugins (an estimator loads its data), without a store: a caller can open or create its store once input is valid.
   */
  static async prepare(
    plugins: PluginRegistry,
    input: SearchConfigInput,
    runId = newRunId(Date.now),
    options: PrepareOptions = {},
  ): Promise<PreparedRun> {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(runId)) {
      throw new ConfigError(`run id '${echo(runId)}' must be letters, digits, '.', '_' or '-' (at most 128)`);
    }
    const run = instantiate(plugins, resolveConfig(plugins, input), {
      ...(options.runner && { runner: runnerByName(plugins, runId, options.runner) }),
    });
    const strategy = plugins.get('strategy', run.config.strategy);
    await refuseUnmeetableConstraints(
      [
        ...(run.config.constraints ?? []),
        ...(strategy.searchConstraints?.(run.config.strategyOptions) ?? []),
      ],
      run.hardware,
    );
    await run.runner.prepare?.();
    return { runId, run, env: await runEnv(run) };
  }

  /** Writes RunStarted of a prepared run; a ConfigError, writing nothing, if the store has that run id. */
  static async begin(deps: SearchDeps, { runId, run, env }: PreparedRun): Promise<Search> {
    if ((await deps.store.lastSeq(runId)) >= 0)
      throw new ConfigError(`run '${runId}' exists already; pick another id`);
    const providers = runProviders(deps.plugins, run.config);
    // Validated without a store (`prepare`); the run's services get it from here on.
    run.services.provide(RunStore, deps.store);
    const writer = new RunWriter(deps.store, initialRunState(runId), deps.clock ?? Date.now);
    run.progress.attach(writer);
    await writer.append({
      type: 'RunStarted',
      data: {
        config: run.config,
        packages: { '@archlab/core': coreVersion(), ...deps.packages },
        ...(providers.length > 0 && { providers }),
        env,
      },
    });
    return new Search(deps, writer, run, run.createStrategy(), []);
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
      ...(options.runner && { runner: runnerByName(deps.plugins, runId, options.runner) }),
    });
    await replayed.plugins.runner.prepare?.();
    const writer = new RunWriter(deps.store, replayed.state, deps.clock ?? Date.now);
    // Progress the log records after the last replayed `ask` (a crash in the middle of an
    // epoch) is still checked first; what follows it is written.
    replayed.plugins.progress.attach(writer);
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
    const search = new Search(deps, writer, replayed.plugins, replayed.strategy, pending);
    if (extended) search.extendedFromTrials = budget.trials;
    // A crash between a result and the checkpoint due after it: the replayed owners are where
    // they were then, so the checkpoint is the one the run would have written.
    const { told } = replayed.state.decision;
    if (replayed.state.status !== 'completed' && told > 0 && replayed.state.checkpoint?.told !== told) {
      await search.maybeCheckpoint();
    }
    return search;
  }

  /** Asks the run to end early: no new proposals, in-flight trials are aborted and left for resume. */
  stop(): void {
    this.stopping = true;
    this.screenAbort.abort(new Error('search stopped'));
    for (const c of this.inflight.values()) c.abort(new Error('search stopped'));
    this.wake?.();
  }

  /**
   * Runs until the budget is spent (or `stop`). Resolves with the outcome; a completed run
   * resolves at once. Rejects with the runner's RunnerUnavailableError, or the RunHaltedError a
   * strategy's `ask` threw, once the trials in flight have settled: the log is intact and
   * `resume` carries on.
   */
  async run(): Promise<RunOutcome> {
    const subscriptions = this.state.status === 'completed' ? [] : this.subscribeReactions();
    try {
      if (this.state.status === 'completed') return this.outcome('completed');
      const { config, space, runner } = this.runPlugins;
      const warmup = config.screen?.warmup;
      const seeded = this.state.decision.seeded.size;
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
          if (exhausted || !strategyMayAsk(this.state) || !budgetLeft(this.state, this.clock())) break;
          if ((await this.propose()) === 'empty') {
            exhausted = this.inflight.size === 0;
            break;
          }
        }
        if (this.inflight.size === 0) break;
        await this.record(await this.nextSettled());
      }
      await this.writer.flush();
      if (this.unavailable) throw this.unavailable;
      if (this.halted) throw this.halted;
      if (this.stopping) return this.outcome('interrupted');
      await this.writer.append(...decide(this.state, { kind: 'ended', exhausted }));
      return this.outcome('completed');
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

  private async propose(): Promise<'proposed' | 'failed' | 'empty'> {
    const trialId = this.state.trials.length;
    let arch: unknown;
    let key: string;
    const asked = await Promise.resolve()
      .then(() => this.strategy.ask())
      .then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
    // After a resume, the progress the log recorded before the crash must have been reported
    // again: a run that no longer does what its log records stops, it does not fail a trial.
    this.runPlugins.progress.check();
    // So does one whose training went wrong (a NaN loss): resume carries on from the last checkpoint.
    if ('error' in asked && asked.error instanceof InvalidProgressError) throw asked.error;
    try {
      if ('error' in asked) throw asked.error;
      arch = asked.value;
      if (arch === undefined) return 'empty';
      key = this.runPlugins.space.key(arch);
    } catch (err) {
      if (err instanceof RunHaltedError) {
        this.halted ??= err;
        this.stop();
        return 'failed';
      }
      await this.writer.append(
        ...decide(this.state, { kind: 'propose-failed', trialId, error: errorInfo(err) }),
      );
      return 'failed';
    }
    await this.dispatch(trialId, arch, 1, key);
    return 'proposed';
  }

  /**
   * Has the seeder score the warm-up pool and proposes the best of it as the first trials, in
   * one batch. A resume that finds fewer than `top` of them and nothing after (a store that lost
   * part of the batch, or a pool with fewer candidates) scores the pool again and proposes the
   * rest, after checking those recorded are its first.
   */
  private async warmup(): Promise<void> {
    const hardware = this.gates.find((g) => g.name === 'hardware');
    const signal = this.screenAbort.signal;
    const pool = await this.seeder!.candidates(warmupAdmission(hardware, this.state, signal), signal);
    if (this.stopping) return;
    const have = this.state.decision.seeded.size;
    for (const [trialId, c] of rankWarmup(this.state.config!, pool).slice(0, have).entries()) {
      if (this.state.trials[trialId]?.arch !== c.key) {
        throw new ReplayDivergenceError(
          this.runId,
          this.state.lastSeq,
          `warm-up trial ${trialId} is ${this.state.trials[trialId]?.arch}, but screening the pool today gives ${c.key}`,
        );
      }
    }
    const added = await this.writer.append(...decide(this.state, { kind: 'warm-up', pool }));
    for (const e of added) if (e.type === 'TrialProposed') this.pending.push(e.data.trialId);
  }

  /**
   * Has the gates that apply measure the trial, one by one, until `decide` prunes it, fails it
   * or starts its evaluation. `key` is given for a new proposal, whose TrialProposed (with the
   * gates' measurements) goes in the same atomic batch as the decision. A recorded trial
   * dispatched again is measured again (a resume re-runs what a crash left unfinished).
   */
  private async dispatch(trialId: number, arch: unknown, attempt: number, key?: string): Promise<void> {
    const { runner, config } = this.runPlugins;
    const isNew = key !== undefined;
    const gates = this.gates.filter((g) => g.appliesTo(isNew));
    const outcomes: GateOutcome[] = [];
    let decided: NewEvent[] = [];
    for (let i = 0; i <= gates.length; i++) {
      const fact: Fact = { kind: 'gated', trialId, attempt, gates: outcomes, final: i === gates.length };
      decided = decide(this.state, isNew ? { ...fact, key } : fact);
      if (decided.length || i === gates.length) break;
      const outcome = await gates[i]!.measure(
        arch,
        key ?? this.state.trials[trialId]!.arch!,
        trialId,
        this.screenAbort.signal,
      );
      // Stopped while measuring: nothing is recorded, and resume asks the strategy again.
      if (outcome.error && this.stopping) return;
      outcomes.push(outcome);
    }
    if (!decided.length)
      throw new Error(`no decision for trial ${trialId}: a gate that applies did not measure it`);
    await this.writer.append(...decided);
    const last = decided[decided.length - 1]!;
    if (last.type !== 'TrialStarted') return this.tell(trialId);
    const screened = screenValue(this.state, trialId);
    const hardware = outcomes.find((o) => o.gate === 'hardware')?.metrics;
    const pre = trialMetrics(config, {
      ...(hardware && { hardware }),
      ...(screened !== undefined && { screen: this.state.decision.gates.get(trialId)!.screen! }),
    });
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
    // So is one whose runner lost its queue: the run stops, and resume finds or reruns the trial.
    if (!s.ok && s.error instanceof RunnerUnavailableError) {
      this.unavailable ??= s.error;
      this.stop();
      return;
    }
    const durationMs = Math.round(s.durationMs * 1000) / 1000;
    const { trialId } = s;
    const fact: Fact = s.ok
      ? {
          kind: 'evaluated',
          trialId,
          metrics: s.metrics!,
          durationMs,
          artifacts: await this.storeArtifacts(s.artifacts),
        }
      : { kind: 'evaluation-failed', trialId, error: errorInfo(s.error), durationMs };
    await this.writer.append(...decide(this.state, fact));
    await this.tell(trialId);
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

  /**
   * Tells the strategy a recorded result, in log order; a `tell` that throws is recorded and the
   * run goes on, unless what it threw is about its progress reports (a divergence from the log,
   * a report that cannot be recorded): then the run stops, as after such an `ask`.
   */
  private async tell(trialId: number): Promise<void> {
    try {
      await this.strategy.tell(toldResult(this.state, this.runPlugins.space, trialId));
    } catch (err) {
      const { divergence } = this.runPlugins.progress;
      if (divergence) throw divergence;
      if (err instanceof InvalidProgressError) throw err;
      await this.writer.append({
        type: 'PluginFailed',
        data: { source: 'strategy.tell', trialId, error: errorInfo(err) },
      });
    }
    await this.maybeCheckpoint();
  }

  /** Checkpoints every owner at the same point, in one batch: the strategy (when it can), then each stateful service. */
  private async maybeCheckpoint(): Promise<void> {
    if (!checkpointDue(this.state)) return;
    const { strategy } = this;
    const owners = [
      ...(strategy.snapshot ? [{ owner: 'strategy', snapshot: () => strategy.snapshot!() }] : []),
      ...this.runPlugins.stateful,
    ];
    if (!owners.length) return;
    const told = this.state.decision.told;
    const checkpoints: NewEvent[] = [];
    for (const o of owners) {
      const bytes = await o.snapshot();
      const blob = await this.deps.store.putBlob(bytes);
      checkpoints.push({
        type: 'Checkpointed',
        data: { owner: o.owner, blob, bytes: bytes.byteLength, told },
      });
    }
    await this.writer.append(...checkpoints);
  }

  private subscribeReactions(): Subscription[] {
    const { catchError, defer, EMPTY } = rx();
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
