import { ArchlabError, ConfigError, Search } from '@archlab/core';
import { openFromFlags, searchDeps } from '../cli-context.js';
import { parseKeyValues } from '../flag-parsers.js';
import { metricsText, stepLine } from '../progress.js';
import { runStoppable } from './drive-run.js';
import { type EvalFlags, targetOf } from './eval-command.js';
import { trainShorthands } from './search-command.js';

/** The training failed (e.g. it diverged); the run records why. */
export class TrainingFailedError extends ArchlabError {
  readonly code = 'TRAINING_FAILED';
}

export interface TrainFlags extends Omit<EvalFlags, 'estimator'> {
  runId?: string;
  quiet?: boolean;
}

/**
 * `archlab train`: trains one architecture (given, or a stored run's best) and records it as a
 * run in `--db`: the fixed strategy proposes the architecture as the run's one trial, the train
 * estimator trains it seeded with `--seed` itself (as before train was recorded) and keeps its
 * weights as a blob. Every read command works on the run, and `resume` trains an interrupted one
 * again. Prints the metrics and the run id.
 */
export async function trainCommand(flags: TrainFlags): Promise<number> {
  if (!flags.db) {
    throw new ConfigError(
      'train records its run: pass --db FILE (a new file, or the database of --run), then show it with archlab show',
    );
  }
  // Without --run the flags alone say what to train: checked before a database file is made.
  const given = flags.run === undefined ? await targetOf({ ...flags, estimator: 'train' }) : undefined;
  const ctx = await openFromFlags(flags, flags.run !== undefined);
  try {
    const target = given ?? (await targetOf({ ...flags, estimator: 'train' }, ctx.store));
    const source = target.source;
    const input = {
      space: target.space,
      spaceOptions: { ...target.spaceOptions },
      estimator: 'train',
      estimatorOptions: {
        'save-weights': true,
        ...parseKeyValues(flags.estimatorOption ?? [], '--estimator-option'),
        ...trainShorthands(flags),
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
    const search = await Search.start(searchDeps(ctx), input, flags.runId);
    const { runId } = search;
    const say = (line: string) => {
      if (!flags.json && !flags.quiet) process.stderr.write(`${line}\n`);
    };
    say(`archlab: run ${runId} started in ${flags.db}: training ${target.arch}`);
    // One step per epoch: the options are recorded with their defaults filled in.
    const epochs = Number(search.plugins.config.estimatorOptions.epochs);
    const started = Date.now();
    const sub = search.events$.subscribe((e) => {
      if (e.type === 'TrialProgressed')
        say(stepLine(e.data.step, e.data.metrics, Date.now() - started, epochs));
    });
    let outcome: Awaited<ReturnType<Search['run']>>;
    try {
      outcome = await runStoppable(search);
    } finally {
      sub.unsubscribe();
    }
    const how = `archlab show ${runId} --db ${flags.db}`;
    if (outcome.status === 'interrupted') {
      process.stderr.write(
        `archlab: training stopped; run ${runId} keeps what was done: archlab resume ${runId} --db ${flags.db}\n`,
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
      process.stdout.write(
        `${JSON.stringify({ runId, db: flags.db, arch: trial.arch, metrics: trial.metrics, ...(weights && { weights }) })}\n`,
      );
      return 0;
    }
    process.stdout.write(`${trial.arch}\n${metricsText(trial.metrics!, '  ')}\n`);
    if (weights)
      process.stdout.write(`weights  ${weights.blob} (${weights.bytes} bytes, ${weights.format})\n`);
    process.stdout.write(
      `run      ${runId} in ${flags.db}: ${how}; archlab replay ${runId} --verify --db ${flags.db}\n`,
    );
    return 0;
  } finally {
    await ctx.store.close();
  }
}
