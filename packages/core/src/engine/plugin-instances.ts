import type { PluginKind, PluginRegistry } from '../di/plugin-registry.js';
import { ConfigError, MissingCapabilityError, MissingRunPluginError, UnknownPluginError } from '../errors.js';
import type { Estimator, EstimatorFactory } from '../estimator/estimator.js';
import type {
  Budget,
  HardwareModelConfig,
  PluginProvider,
  RunConfig,
  RunStarted,
  ScreenConfig,
} from '../events/event.js';
import type { HardwareModel } from '../hardware/hardware-model.js';
import { type OptionsSpec, parseOptions } from '../options/options.js';
import { constraintText, runObjectives } from '../projections/objectives.js';
import { Rng } from '../rng/rng.js';
import { type ScreenInput, screenMetricName, screenSchedule } from '../screening/screen.js';
import type { SearchSpace, SpaceCapability } from '../space/search-space.js';
import type { Strategy, StrategyFactory } from '../strategy/strategy.js';
import { baseRunConfig, type SearchConfigInput } from './run-config.js';
import type { StatefulService } from './stateful-service.js';

/** The live plugins of one run, built from its config. */
export interface RunPlugins {
  readonly config: RunConfig;
  readonly space: SearchSpace;
  readonly estimator: Estimator;
  /** The run's hardware models, in config order. */
  readonly hardware: readonly HardwareModel[];
  /** The screen estimator of a screened run (`config.screen`). */
  readonly screen?: Estimator;
  readonly strategyFactory: StrategyFactory;
  /** Run-scoped services checkpointed with the strategy (see StatefulService). */
  readonly stateful?: readonly StatefulService[];
  /** A fresh strategy in its initial state, seeded from the run. */
  createStrategy(): Strategy;
}

/**
 * Builds and checks everything a run needs before anything is written: unknown names, bad
 * options, an estimator that cannot evaluate the space, a strategy that needs an operation the
 * space lacks, an objective, constraint or reward on a metric no plugin produces. Returns the
 * config with every default resolved, which is what RunStarted records.
 */
export function instantiate(plugins: PluginRegistry, input: SearchConfigInput | RunConfig): RunPlugins {
  const strategyFactory = plugins.get('strategy', input.strategy ?? 'random');
  const { space, estimator, spaceOptions, estimatorOptions } = instantiateEvaluation(plugins, input);
  const missing = strategyRequires(strategyFactory).filter((cap) => space[cap] === undefined);
  if (missing.length) {
    throw new MissingCapabilityError(
      `strategy '${strategyFactory.name}' needs the space to provide ${missing.map((m) => `'${m}'`).join(', ')}; space '${space.name}' does not`,
    );
  }
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
  const createStrategy = () =>
    strategyFactory.create({
      space,
      rng: Rng.fromSeed(`${config.seed}/strategy`),
      options: strategyOptions,
      objective: config.objective,
      objectives: runObjectives(config),
      constraints: config.constraints ?? [],
      budget: config.budget,
      concurrency: config.concurrency,
    });
  // Cross-option checks throw here, before anything is written.
  void createStrategy().dispose?.();
  return {
    config,
    space,
    estimator,
    hardware,
    ...(screened && { screen: screened.estimator }),
    strategyFactory,
    createStrategy,
  };
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
): RunPlugins {
  try {
    return instantiate(plugins, started.config);
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
): { config: ScreenConfig; estimator: Estimator } {
  const schedule = screenSchedule(input, budget);
  const factory = estimatorFactoryFor(plugins, input.estimator, spaceName);
  const owner = `screen estimator '${factory.name}'`;
  const options = resolveOptions(owner, factory.options, input.options);
  const estimator = factory.create(space, options);
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

/** A space and an estimator for it, by name: what evaluating an architecture needs (`archlab eval`, a run). */
export function instantiateEvaluation(
  plugins: PluginRegistry,
  input: Pick<SearchConfigInput, 'space' | 'spaceOptions' | 'estimator' | 'estimatorOptions'>,
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
    estimator: estimatorFactory.create(space, estimatorOptions),
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
