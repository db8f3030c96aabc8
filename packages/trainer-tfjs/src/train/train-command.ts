import {
  ArchlabError,
  type CommandServices,
  ConfigError,
  type RunOutcome,
  Search,
  type TargetFlags,
} from '@archlab/core';

/** The training failed (e.g. it diverged); the run records why. */
export class TrainingFailedError extends ArchlabError {
  readonly code = 'TRAINING_FAILED';
}

export interface TrainFlags extends TargetFlags {
  runId?: string;
  /** Epochs to train (the estimator's `epochs` option). */
  epochs?: number;
  /** The data set (the estimator's `dataset` option). */
  dataset?: string;
  /** Other options of the train estimator, `k=v`. */
  estimatorOption?: string[];
  seed?: number;
  json?: boolean;
  quiet?: boolean;
}

/**
 * `archlab train`: trains one architecture (given, or a stored run's best) and records it as a
 * run in `--db`: the fixed strategy proposes the architecture as the run's one trial, the train
 * estimator trains it seeded with `--seed` itself (as before train was recorded) and keeps its
 * weights as a blob. Every read command works on the run, and `resume` trains an interrupted one
 * again. Prints the metrics and the run id.
 */
export async function trainCommand(flags: TrainFlags, cli: CommandServices): Promise<number> {
  if (!flags.db) {
    throw new ConfigError(
      'train records its run: pass --db FILE (a new file, or the database of --run), then show it with archlab show',
    );
  }
  // Without --run the flags alone say what to train: checked before a database file is made.
  const given = flags.run === undefined ? await cli.target(flags) : undefined;
  const ctx = await cli.openStore(flags, flags.run !== undefined);
  try {
    const target = given ?? (await cli.target(flags, ctx.store));
    const source = target.source;
    const input = {
      space: target.space,
      spaceOptions: { ...target.spaceOptions },
      estimator: 'train',
      estimatorOptions: {
        'save-weights': true,
        ...cli.keyValues(flags.estimatorOption, '--estimator-option'),
        ...(flags.dataset !== undefined && { dataset: flags.dataset }),
        ...(flags.epochs !== undefined && { epochs: flags.epochs }),
      },
      strategy: 'fixed',
      strategyOptions: {
        arch: target.arch,
        ...(source && {
          source: `run ${source.runId}${source.trialId === undefined ? '' : `, trial ${source.trialId} (its best)`}`,
        }),
      },
      seed: flags.seed ?? 0,
      trialSeed: 'run' as const,
      concurrency: 1,
      budget: { trials: 1 },
    };
    const search = await Search.start(ctx.searchDeps, input, flags.runId);
    const { runId } = search;
    const say = (line: string) => {
      if (!flags.json && !flags.quiet) cli.progress(line);
    };
    say(`archlab: run ${runId} started in ${flags.db}: training ${target.arch}`);
    // One step per epoch: the options are recorded with their defaults filled in.
    const epochs = Number(search.plugins.config.estimatorOptions.epochs);
    const started = Date.now();
    const sub = search.events$.subscribe((e) => {
      if (e.type === 'TrialProgressed')
        say(cli.stepLine(e.data.step, e.data.metrics, Date.now() - started, epochs));
    });
    let outcome: RunOutcome;
    try {
      outcome = await cli.runToEnd(search);
    } finally {
      sub.unsubscribe();
    }
    const how = `archlab show ${runId} --db ${flags.db}`;
    if (outcome.status === 'interrupted') {
      cli.progress(
        `archlab: training stopped; run ${runId} keeps what was done: archlab resume ${runId} --db ${flags.db}`,
      );
      return 130;
    }
    const trial = outcome.state.trials[0];
    if (trial?.status !== 'completed') {
      throw new TrainingFailedError(
        `${trial?.error?.message ?? 'the training did not complete'} (recorded as run ${runId}: ${how})`,
      );
    }
    const weights = trial.artifacts?.weights;
    if (flags.json) {
      cli.out(
        JSON.stringify({
          runId,
          db: flags.db,
          arch: trial.arch,
          metrics: trial.metrics,
          ...(weights && { weights }),
        }),
      );
      return 0;
    }
    cli.out(`${trial.arch}\n${cli.metricsText(trial.metrics!, '  ')}`);
    if (weights) cli.out(`weights  ${weights.blob} (${weights.bytes} bytes, ${weights.format})`);
    cli.out(`run      ${runId} in ${flags.db}: ${how}; archlab replay ${runId} --verify --db ${flags.db}`);
    return 0;
  } finally {
    await ctx.store.close();
  }
}
