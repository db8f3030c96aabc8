import { coreVersion } from '../di/plugin-loader.js';
import type { PluginKind, PluginRegistry } from '../di/plugin-registry.js';
import { RunContainer, type RunServices } from '../di/run-scope.js';
import {
  ConfigError,
  MissingCapabilityError,
  MissingRunPluginError,
  ReplayDivergenceError,
  UnknownPluginError,
} from '../errors.js';
import type { Estimator, EstimatorContext, EstimatorFactory } from '../estimator/estimator.js';
import type {
  Budget,
  HardwareModelConfig,
  PluginProvider,
  RunConfig,
  RunStarted,
  ScreenConfig,
} from '../events/event.js';
import { canonicalJson } from '../events/hash-chain.js';
import type { HardwareModel } from '../hardware/hardware-model.js';
import { type OptionsSpec, parseOptions } from '../options/options.js';
import { constraintText, runObjectives } from '../projections/objectives.js';
import { Rng } from '../rng/rng.js';
import { inProcessRunner, type RunnerChoice, TrialRunner } from '../runner/trial-runner.js';
import { type ScreenInput, screenMetricName, screenSchedule } from '../screening/screen.js';
import type { SearchSpace, SpaceCapability } from '../space/search-space.js';
import type { EventStore } from '../store/event-store.js';
import type { Strategy, StrategyFactory } from '../strategy/strategy.js';
import { baseRunConfig, type SearchConfigInput } from './run-config.js';
import { RunProgress } from './run-progress.js';
import type { StatefulService } from './stateful-service.js';

/** The live plugins of one run, built from its resolved config. */
export interface RunPlugins {
  readonly config: RunConfig;
  readonly space: SearchSpace;
  readonly estimator: Estimator;
  /** Where the trials are evaluated; its `concurrency` is the run's. */
  readonly runner: TrialRunner;
  /** The run's hardware models, in config order. */
  readonly hardware: readonly HardwareModel[];
  /** The screen estimator of a screened run (`config.screen`). */
  readonly screen?: Estimator;
  readonly strategyFactory: StrategyFactory;
  /** The run's own services (`RunService`), shared by its plugins; see `RunContainer`. */
  readonly services: RunContainer;
  /** Every run service with `snapshot`/`restore`, in binding order: checkpointed with the run. */
  readonly stateful: readonly StatefulService[];
  /** The run's progress reports (the strategy's and its services'), written or checked against the log. */
  readonly progress: RunProgress;
  /** A fresh strategy in its initial state, seeded from the run. */
  createStrategy(): Strategy;
}

export interface InstantiateOptions {
  /** The run's store, bound in its scope (`EventStore`) for the services that keep blobs. */
  readonly store?: EventStore;
  /** Makes the run's runner, `config.concurrency` wide; default: `inProcessRunner(estimator, config.concurrency)`. */
  readonly runner?: (estimator: Estimator, config: RunConfig, space: SearchSpace) => TrialRunner;
}

/**
 * `InstantiateOptions.runner` for a runner chosen by name (`TrialRunnerFactory`), its options
 * checked against the factory's spec when the run is built (before anything is stored).
 */
export function runnerByName(
  plugins: PluginRegistry,
  runId: string,
  choice: RunnerChoice,
): NonNullable<InstantiateOptions['runner']> {
  const factory = plugins.get('runner', choice.name);
  const options = resolveOptions(`runner '${factory.name}'`, factory.options, choice.options);
  return (estimator, config, space) => {
    const packages: Record<string, string> = { '@archlab/core': coreVersion() };
    for (const p of runProviders(plugins, config)) {
      if (p.kind === 'space' || p.kind === 'estimator')
        packages[p.package] = plugins.packages()[p.package] ?? '0.0.0';
    }
    return factory.create(options, { runId, config, space, estimator, packages });
  };
}

// The tokens under which a run's own parts are bound in its scope, for run services to get.
/** The run's estimator, in its scope. */
export const RunEstimator: unique symbol = Symbol.for('archlab.RunEstimator');
/** The run's store, in its scope, when the run was given one. */
export const RunStore: unique symbol = Symbol.for('archlab.RunStore');
/**
 * The run's hardware models (`readonly HardwareModel[]`, config order), in its scope: a
 * strategy that searches over predicted scores under the run's constraints (OFA) costs its
 * candidates with them, as the gates would.
 */
export const RunHardware: unique symbol = Symbol.for('archlab.RunHardware');

/**
 * The config a run records, from what a caller gave: every default filled (options by each
 * plugin's spec, the objective from the estimator's first metric, the concurrency from its
 * `parallelism`, the screen's metric), and every check that needs no run made: unknown names,
 * bad options, an estimator that cannot evaluate the space, a strategy that needs an operation
 * the space lacks, an objective, constraint or reward on a metric no plugin produces. The only
 * place a config is resolved; `instantiate` takes what it returns (or a recorded one).
 */
export function resolveConfig(plugins: PluginRegistry, input: SearchConfigInput): RunConfig {
  const strategyFactory = plugins.get('strategy', input.strategy ?? 'random');
  // An estimator made outside a run gets no services (as in `archlab eval`): enough for its metrics.
  const { space, estimator, spaceOptions, estimatorOptions } = instantiateEvaluation(plugins, input);
  checkRequires(strategyFactory, space);
  const strategyOptions = parseOptions(
    `strategy '${strategyFactory.name}'`,
    strategyFactory.options,
    input.strategyOptions,
  );
  const first = estimator.metrics[0];
  if (!first) throw new ConfigError(`estimator '${estimator.name}' declares no metrics`);
  const hw = instantiateHardware(plugins, input.space, space, input.hardware ?? []);
  let config = baseRunConfig(
    {
      ...input,
      spaceOptions,
      estimatorOptions,
      strategyOptions,
      hardware: hw.map((h) => h.config),
      concurrency: input.concurrency ?? estimator.parallelism,
      checkpointEvery: input.checkpointEvery ?? strategyFactory.checkpointEvery,
    },
    { metric: first.name, direction: first.direction },
  );
  const hardware = hw.map((h) => h.model);
  checkMetrics(plugins, config, estimator, hardware);
  const screened =
    input.screen && instantiateScreen(plugins, input.space, space, input.screen, config.budget);
  if (screened) {
    config = { ...config, screen: screened.config };
    const name = screenMetricName(screened.config);
    const clash = [...estimator.metrics.map((m) => m.name), ...hardware.flatMap((m) => m.metrics)];
    if (clash.includes(name)) {
      throw new ConfigError(
        `metric '${name}' is the screen's; the estimator or a hardware model reports it too`,
      );
    }
  }
  // The plugins made here are never prepared nor disposed (an estimator's `dispose` ends what
  // `prepare` and `evaluate` started); `instantiate` makes the run's own.
  return config;
}

/**
 * Builds the live plugins of a run from its resolved config (`resolveConfig`'s, or the one a
 * RunStarted recorded) in a child container of its own, where its services are bound. The
 * config is used as it is, never resolved again: a recorded run is rebuilt as it was recorded.
 * Strategy cross-option checks throw here, before anything is written.
 */
export function instantiate(
  plugins: PluginRegistry,
  config: RunConfig,
  options: InstantiateOptions = {},
): RunPlugins {
  return build(plugins, config, options).run;
}

function build(
  plugins: PluginRegistry,
  config: RunConfig,
  options: InstantiateOptions,
): { run: RunPlugins; drift?: string } {
  const strategyFactory = plugins.get('strategy', config.strategy);
  const scopes: RunContainer[] = [];
  const progress = new RunProgress();
  const shared = new EstimatorServices();
  const { space, estimator } = instantiateEvaluation(plugins, config, (space) => {
    const scope = new RunContainer(plugins.runContainer(), config, space, plugins.runServices(), progress);
    if (options.store) scope.provide(RunStore, options.store);
    scopes.push(scope);
    return { services: shared.of(scope) };
  });
  const services = scopes[0]!;
  checkRequires(strategyFactory, space);
  const strategyOptions = parseOptions(
    `strategy '${strategyFactory.name}'`,
    strategyFactory.options,
    config.strategyOptions,
  );
  services.provide(RunEstimator, estimator);
  if (!estimator.metrics[0]) throw new ConfigError(`estimator '${estimator.name}' declares no metrics`);
  const hw = instantiateHardware(plugins, config.space, space, config.hardware ?? []);
  const hardware = hw.map((h) => h.model);
  checkMetrics(plugins, config, estimator, hardware);
  services.provide(RunHardware, hardware);
  const screened =
    config.screen &&
    instantiateScreen(plugins, config.space, space, config.screen, config.budget, { services });
  const runner = options.runner?.(estimator, config, space) ?? inProcessRunner(estimator, config.concurrency);
  // The width is what RunStarted records (`config.concurrency`): a resume runs as wide again.
  if (runner.concurrency !== config.concurrency) {
    throw new ConfigError(
      `the trial runner evaluates ${runner.concurrency} trials at once, but the run's concurrency is ${config.concurrency}; make the runner as wide as the config says`,
    );
  }
  if (!runner.inProcess) shared.elsewhere(config.estimator);
  services.provide(TrialRunner, runner);
  const createStrategy = () =>
    strategyFactory.create({
      space,
      rng: Rng.fromSeed(`${config.seed}/strategy`),
      options: strategyOptions,
      objective: config.objective,
      objectives: runObjectives(config),
      constraints: config.constraints ?? [],
      budget: config.budget,
      concurrency: runner.concurrency,
      services,
      progress: progress.reporter('strategy'),
    });
  // Cross-option checks throw here, before anything is written.
  void createStrategy().dispose?.();
  // Defaults resolved at start are recorded; plugins that resolve the recorded settings
  // differently today (a changed option set) would not rebuild the same search.
  const pairs = [
    ['strategy options', config.strategyOptions, strategyOptions],
    ['hardware models', config.hardware ?? [], hw.map((h) => h.config)],
    ['screening', config.screen ?? {}, screened?.config ?? {}],
  ] as const;
  const drift = pairs
    .map(([what, was, is]) => [what, canonicalJson(was), canonicalJson(is)])
    .find(([, a, b]) => a !== b);
  return {
    run: {
      config,
      space,
      estimator,
      runner,
      hardware,
      ...(screened && { screen: screened.estimator }),
      strategyFactory,
      services,
      stateful: services.stateful(),
      progress,
      createStrategy,
    },
    ...(drift && { drift: `${drift[0]} resolve to ${drift[2]} today but were recorded as ${drift[1]}` }),
  };
}

/**
 * The run's services as its estimator sees them: it remembers which run services the estimator
 * got, so that a run whose trials are evaluated elsewhere (a worker makes its own estimator,
 * without the run's services: a supernet there would silently be another one) is refused
 * before it starts, and a later `get` by that estimator fails the same way.
 */
class EstimatorServices {
  private readonly got = new Set<string>();
  private refusal: ((service: string) => ConfigError) | undefined;

  of(scope: RunContainer): RunServices {
    return {
      has: (token) => scope.has(token),
      get: <T>(token: symbol): T => {
        const name = scope.serviceName(token);
        if (name !== undefined) {
          if (this.refusal) throw this.refusal(name);
          this.got.add(name);
        }
        return scope.get<T>(token);
      },
    };
  }

  /** The trials run elsewhere than in this process: ConfigError if the estimator got a run service. */
  elsewhere(estimator: string): void {
    this.refusal = (service) =>
      new ConfigError(
        `estimator '${estimator}' shares run service '${service}' with the run, so its trials must run in this process; drop --runner (that runner evaluates trials elsewhere, without the run's services)`,
      );
    const [first] = this.got;
    if (first !== undefined) throw this.refusal(first);
  }
}

/** The strategy's space operations that the space lacks, as a MissingCapabilityError. */
function checkRequires(strategyFactory: StrategyFactory, space: SearchSpace): void {
  const missing = strategyRequires(strategyFactory).filter((cap) => space[cap] === undefined);
  if (missing.length) {
    throw new MissingCapabilityError(
      `strategy '${strategyFactory.name}' needs the space to provide ${missing.map((m) => `'${m}'`).join(', ')}; space '${space.name}' does not`,
    );
  }
}

/** A strategy's `requires`; absent means none, as for a factory written before it or in plain JS. */
function strategyRequires(factory: StrategyFactory): readonly SpaceCapability[] {
  const { requires } = factory as { requires?: unknown };
  if (requires === undefined) return [];
  if (!Array.isArray(requires) || !requires.every((r) => typeof r === 'string')) {
    throw new ConfigError(
      `strategy '${factory.name}' declares requires as ${JSON.stringify(requires)}; it must be a list of space operations, e.g. ['mutate'], or absent`,
    );
  }
  return requires as SpaceCapability[];
}

/** The plugins a run uses, by kind and name. */
function runComponents(config: RunConfig): { kind: PluginKind; name: string }[] {
  return [
    { kind: 'space', name: config.space },
    { kind: 'estimator', name: config.estimator },
    { kind: 'strategy', name: config.strategy },
    ...(config.hardware ?? []).map((h) => ({ kind: 'hardware model' as const, name: h.name })),
    ...(config.screen ? [{ kind: 'estimator' as const, name: config.screen.estimator }] : []),
  ];
}

/** The package each plugin of the run was loaded from (those loaded from a package), for RunStarted. */
export function runProviders(plugins: PluginRegistry, config: RunConfig): PluginProvider[] {
  const out = new Map<string, PluginProvider>();
  for (const { kind, name } of runComponents(config)) {
    const p = plugins.provider(kind, name);
    if (p) out.set(`${kind}\0${name}`, { kind, name, package: p.package });
  }
  return [...out.values()];
}

/**
 * `instantiate` for a recorded run. A plugin the run used that no loaded package provides is a
 * MissingRunPluginError naming the package and version the run recorded for it; in a run
 * recorded before providers were, the recorded packages that are not loaded now.
 */
export function instantiateRecorded(
  plugins: PluginRegistry,
  runId: string,
  started: RunStarted['data'],
  options: InstantiateOptions = {},
): RunPlugins {
  let built: ReturnType<typeof build>;
  try {
    built = build(plugins, started.config, options);
  } catch (err) {
    if (!(err instanceof UnknownPluginError)) throw err;
    const what = `${err.kind} '${err.pluginName}'`;
    const p = started.providers?.find((q) => q.kind === err.kind && q.name === err.pluginName);
    if (p) {
      const version = started.packages[p.package];
      throw new MissingRunPluginError(
        `run '${runId}' used ${what} from plugin package ${p.package}${version ? `@${version}` : ''}; load it with --plugin ${p.package} (or --plugin PATH to its folder)`,
        { cause: err },
      );
    }
    const loaded = plugins.packages();
    const absent = Object.entries(started.packages).filter(([name]) => loaded[name] === undefined);
    if (absent.length === 0) throw err;
    throw new MissingRunPluginError(
      `${err.message}; run '${runId}' was recorded with plugin packages that are not loaded: ${absent.map(([n, v]) => `${n}@${v}`).join(', ')}; load the one that provides ${what} with --plugin NAME`,
      { cause: err },
    );
  }
  if (built.drift) throw new ReplayDivergenceError(runId, 0, built.drift);
  return built.run;
}

/**
 * The screen estimator of a run, and its config with every default resolved. It need not be
 * deterministic (zero-cost proxies on tfjs round differently on other backends): every score
 * is recorded with its proposal, resume and replay decide from the recorded scores, and
 * `replay --verify` recomputes scores (and the warm-up pool) only for a deterministic screen.
 */
function instantiateScreen(
  plugins: PluginRegistry,
  spaceName: string,
  space: SearchSpace,
  input: ScreenInput | ScreenConfig,
  budget: Budget,
  ctx?: EstimatorContext,
): { config: ScreenConfig; estimator: Estimator } {
  const schedule = screenSchedule(input, budget);
  const factory = estimatorFactoryFor(plugins, input.estimator, spaceName);
  const owner = `screen estimator '${factory.name}'`;
  const options = resolveOptions(owner, factory.options, input.options);
  const estimator = factory.create(space, options, ctx);
  const metric = input.metric ?? estimator.metrics[0]?.name;
  const spec = estimator.metrics.find((m) => m.name === metric);
  if (!spec) {
    throw new ConfigError(
      `${owner} has no metric '${metric}'; it reports: ${estimator.metrics.map((m) => m.name).join(', ') || '(none)'}`,
    );
  }
  return {
    config: {
      estimator: input.estimator,
      options,
      metric: spec.name,
      direction: spec.direction,
      ...schedule,
    },
    estimator,
  };
}

function instantiateHardware(
  plugins: PluginRegistry,
  spaceName: string,
  space: SearchSpace,
  specs: readonly { name: string; options?: Readonly<Record<string, unknown>> }[],
): { config: HardwareModelConfig; model: HardwareModel }[] {
  return specs.map((spec) => {
    const factory = plugins.get('hardware model', spec.name);
    if (factory.spaces && !factory.spaces.includes(spaceName)) {
      throw new ConfigError(
        `hardware model '${factory.name}' cannot cost space '${spaceName}'; it works on: ${factory.spaces.join(', ')}`,
      );
    }
    const options = resolveOptions(`hardware model '${factory.name}'`, factory.options, spec.options);
    const model = factory.create(space, options);
    return { config: { name: factory.name, options }, model };
  });
}

/**
 * A space and an estimator for it, by name: what evaluating an architecture needs (`archlab
 * eval`, a run). `context` gives what a run hands the estimator, once the space is made.
 */
export function instantiateEvaluation(
  plugins: PluginRegistry,
  input: Pick<SearchConfigInput, 'space' | 'spaceOptions' | 'estimator' | 'estimatorOptions'>,
  context?: (space: SearchSpace) => EstimatorContext,
): {
  space: SearchSpace;
  estimator: Estimator;
  spaceOptions: Record<string, unknown>;
  estimatorOptions: Record<string, unknown>;
} {
  const spaceFactory = plugins.get('space', input.space);
  const estimatorFactory = estimatorFactoryFor(plugins, input.estimator, input.space);
  const spaceOptions = resolveOptions(
    `space '${spaceFactory.name}'`,
    spaceFactory.options,
    input.spaceOptions,
  );
  const estimatorOptions = resolveOptions(
    `estimator '${estimatorFactory.name}'`,
    estimatorFactory.options,
    input.estimatorOptions,
  );
  const space = spaceFactory.create(spaceOptions);
  return {
    space,
    estimator: estimatorFactory.create(space, estimatorOptions, context?.(space)),
    spaceOptions,
    estimatorOptions,
  };
}

function resolveOptions(
  owner: string,
  spec: OptionsSpec | undefined,
  raw: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  return spec ? parseOptions(owner, spec, raw) : { ...raw };
}

/** An estimator factory by registered name, checked to work on space `spaceName`. */
function estimatorFactoryFor(plugins: PluginRegistry, name: string, spaceName: string): EstimatorFactory {
  const factory = plugins.get('estimator', name);
  if (factory.spaces && !factory.spaces.includes(spaceName)) {
    throw new ConfigError(
      `estimator '${factory.name}' cannot evaluate space '${spaceName}'; it works on: ${factory.spaces.join(', ')}`,
    );
  }
  return factory;
}

/**
 * Every metric has one source (the estimator or one hardware model), and every objective,
 * constraint and reward names a metric that some source produces. One exception: a cheap,
 * deterministic hardware model takes over a metric the estimator also reports (the `train`
 * estimator's `params`, the `counters` model's): its value is known before evaluation, so a
 * constraint on it prunes, and it replaces the estimator's in the trial's metrics.
 */
function checkMetrics(
  plugins: PluginRegistry,
  config: RunConfig,
  estimator: Estimator,
  hardware: readonly HardwareModel[],
): void {
  const fromEstimator = `estimator '${estimator.name}'`;
  const source = new Map<string, string>(estimator.metrics.map((m) => [m.name, fromEstimator]));
  for (const model of hardware) {
    const takesOver = model.cheap && model.deterministic === true;
    for (const metric of model.metrics) {
      const other = source.get(metric);
      if (other && !(other === fromEstimator && takesOver)) {
        throw new ConfigError(
          `metric '${metric}' comes from both ${other} and hardware model '${model.name}'; keep one of them (a metric needs one source)`,
        );
      }
      source.set(metric, `hardware model '${model.name}'`);
    }
  }
  const need = (what: string, metric: string) => {
    if (source.has(metric)) return;
    const known = plugins.names('hardware model');
    throw new ConfigError(
      `${what} on '${metric}', but no plugin produces it; metrics available: ${[...source.keys()].join(', ')} — add --hardware NAME with a hardware model that produces it (registered: ${known.join(', ') || 'none'})`,
    );
  };
  for (const o of runObjectives(config)) need('objective', o.metric);
  for (const c of config.constraints ?? []) need(`constraint ${constraintText(c)}`, c.metric);
  if (config.reward) need('reward', config.reward.metric);
}

/** The seed an estimator gets for a trial: the same on a re-run after a crash. */
export function trialSeed(runSeed: number, trialId: number): number {
  return Rng.fromSeed(`${runSeed}/trial/${trialId}`).nextUint32();
}

/** The seed a run's estimator gets for a trial: `trialSeed`, or the run's seed itself (`config.trialSeed`). */
export function estimatorSeed(config: Pick<RunConfig, 'seed' | 'trialSeed'>, trialId: number): number {
  return config.trialSeed === 'run' ? config.seed : trialSeed(config.seed, trialId);
}
