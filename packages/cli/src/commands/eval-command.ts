import {
  type CommandTarget,
  ConfigError,
  type EventStore,
  instantiateEvaluation,
  type PluginRegistry,
  type TargetFlags,
} from '@archlab/core';
import { foldRun, loadRegistry, openFromFlags, resolveRunId } from '../cli-context.js';
import { parseKeyValues } from '../flag-parsers.js';
import { metricsText, stepLine } from '../progress.js';

/** `space` and `arch` are required unless `run` gives them, `estimator` unless `run` has one. */
export interface EvalFlags extends TargetFlags {
  estimator?: string;
  estimatorOption?: string[];
  /** The estimator option shortcuts given (`--epochs 5`: `{ epochs: 5 }`). */
  estimatorShortcuts?: Readonly<Record<string, unknown>>;
  seed?: number;
  json?: boolean;
}

export interface Target extends CommandTarget {
  /** The plugins, when opening the run's store already loaded them. */
  readonly registry?: PluginRegistry;
}

/**
 * What to evaluate: the flags' space and architecture, or those of a stored run (`--run`): its
 * space and space options (`--space-option` adds or overrides) and its best trial's
 * architecture (unless `--arch` names another), and its estimator for when `--estimator` is not
 * given. The run's estimator options are not taken: a search's short trials are what retraining
 * means to lengthen.
 */
async function evalTarget(flags: EvalFlags): Promise<Target> {
  if (flags.run === undefined) return targetOf(flags);
  const ctx = await openFromFlags(flags, true);
  try {
    return { ...(await targetOf(flags, ctx.store)), registry: ctx.registry };
  } finally {
    await ctx.store.close();
  }
}

/** `evalTarget` with the store of `--run` already open (`store` is needed only with `--run`). */
export async function targetOf(flags: TargetFlags, store?: EventStore): Promise<Target> {
  const spaceOptions = parseKeyValues(flags.spaceOption ?? [], '--space-option');
  if (flags.run === undefined || !store) {
    if (!flags.space || !flags.arch) {
      throw new ConfigError('give --space and --arch, or --run RUN --db FILE to take them from a stored run');
    }
    return { space: flags.space, spaceOptions, arch: flags.arch };
  }
  const runId = await resolveRunId(store, flags.run);
  const state = await foldRun(store, runId);
  const config = state.config;
  if (!config) throw new ConfigError(`run ${runId} has no RunStarted event`);
  if (flags.space && flags.space !== config.space) {
    throw new ConfigError(`--space ${flags.space} differs from run ${runId}'s space, ${config.space}`);
  }
  const best = state.best;
  const arch = flags.arch ?? best?.arch;
  if (arch === undefined) {
    throw new ConfigError(`run ${runId} has no completed feasible trial yet: give --arch KEY`);
  }
  return {
    space: config.space,
    spaceOptions: { ...config.spaceOptions, ...spaceOptions },
    arch,
    estimator: config.estimator,
    source: { runId, ...(flags.arch === undefined && best && { trialId: best.trialId }) },
  };
}

/** Evaluates one architecture, given by its key or as a stored run's best, without recording anything. */
export async function evalCommand(flags: EvalFlags): Promise<number> {
  const target = await evalTarget(flags);
  const estimatorName = flags.estimator ?? target.estimator;
  if (!estimatorName)
    throw new ConfigError("give --estimator NAME, or --run RUN --db FILE to use that run's");
  const registry = target.registry ?? (await loadRegistry(flags.plugin)).registry;
  const estimatorOptions = {
    ...parseKeyValues(flags.estimatorOption ?? [], '--estimator-option'),
    ...flags.estimatorShortcuts,
  };
  const { space, estimator } = instantiateEvaluation(registry, {
    space: target.space,
    spaceOptions: target.spaceOptions,
    estimator: estimatorName,
    estimatorOptions,
  });
  // Training reports one step per epoch; other estimators' steps have no known total.
  const epochs = Number(estimatorOptions.epochs);
  const steps = Number.isInteger(epochs) && epochs > 0 ? epochs : undefined;
  try {
    const arch = space.parse(target.arch);
    await estimator.prepare?.();
    const started = Date.now();
    const metrics = await estimator.evaluate(arch, {
      trialId: 0,
      seed: flags.seed ?? 0,
      signal: new AbortController().signal,
      report: (step, m) => {
        if (!flags.json) process.stderr.write(`${stepLine(step, m, Date.now() - started, steps)}\n`);
      },
    });
    if (flags.json) process.stdout.write(`${JSON.stringify({ arch: space.key(arch), metrics })}\n`);
    else process.stdout.write(`${space.key(arch)}\n${metricsText(metrics, '  ')}\n`);
    return 0;
  } finally {
    await estimator.dispose?.();
  }
}
