import type { PluginRegistry } from '../di/plugin-registry.js';
import { ConfigError, MissingCapabilityError } from '../errors.js';
import type { Estimator } from '../estimator/estimator.js';
import type { Objective, RunConfig } from '../events/event.js';
import { type OptionsSpec, parseOptions } from '../options/options.js';
import { Rng } from '../rng/rng.js';
import type { SearchSpace } from '../space/search-space.js';
import type { Strategy, StrategyFactory } from '../strategy/strategy.js';
import { baseRunConfig, type SearchConfigInput } from './run-config.js';

/** The live plugins of one run, built from its config. */
export interface RunPlugins {
  readonly config: RunConfig;
  readonly space: SearchSpace;
  readonly estimator: Estimator;
  readonly strategyFactory: StrategyFactory;
  /** A fresh strategy in its initial state, seeded from the run. */
  createStrategy(): Strategy;
}

/**
 * Builds and checks everything a run needs before anything is written: unknown names, bad
 * options, an estimator that cannot evaluate the space, a strategy that needs an operation the
 * space lacks, an objective no one produces. Returns the config with every default resolved,
 * which is what RunStarted records.
 */
export function instantiate(plugins: PluginRegistry, input: SearchConfigInput | RunConfig): RunPlugins {
  const strategyFactory = plugins.get('strategy', input.strategy ?? 'random');
  const { space, estimator, spaceOptions, estimatorOptions } = instantiateEvaluation(plugins, input);
  const missing = strategyFactory.requires.filter((cap) => space[cap] === undefined);
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
  const config = baseRunConfig(
    { ...input, spaceOptions, estimatorOptions, strategyOptions },
    { metric: first.name, direction: first.direction },
  );
  checkObjective(config.objective, estimator);
  const createStrategy = () =>
    strategyFactory.create({
      space,
      rng: Rng.fromSeed(`${config.seed}/strategy`),
      options: strategyOptions,
      objective: config.objective,
      budget: config.budget,
      concurrency: config.concurrency,
    });
  // Cross-option checks throw here, before anything is written.
  void createStrategy().dispose?.();
  return { config, space, estimator, strategyFactory, createStrategy };
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
  const estimatorFactory = plugins.get('estimator', input.estimator);
  if (estimatorFactory.spaces && !estimatorFactory.spaces.includes(input.space)) {
    throw new ConfigError(
      `estimator '${estimatorFactory.name}' cannot evaluate space '${input.space}'; it works on: ${estimatorFactory.spaces.join(', ')}`,
    );
  }
  const resolve = (owner: string, spec: OptionsSpec | undefined, raw: Record<string, unknown> = {}) =>
    spec ? parseOptions(owner, spec, raw) : raw;
  const spaceOptions = resolve(`space '${spaceFactory.name}'`, spaceFactory.options, input.spaceOptions);
  const estimatorOptions = resolve(
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

function checkObjective(objective: Objective, estimator: Estimator): void {
  if (objective.direction !== 'max' && objective.direction !== 'min') {
    throw new ConfigError(`objective direction must be 'max' or 'min', got '${objective.direction}'`);
  }
  if (!estimator.metrics.some((m) => m.name === objective.metric)) {
    throw new ConfigError(
      `objective metric '${objective.metric}' is not produced by estimator '${estimator.name}'; it produces: ${estimator.metrics.map((m) => m.name).join(', ')}`,
    );
  }
}

/** The seed an estimator gets for a trial: the same on a re-run after a crash. */
export function trialSeed(runSeed: number, trialId: number): number {
  return Rng.fromSeed(`${runSeed}/trial/${trialId}`).nextUint32();
}
