import { join } from 'node:path';
import {
  activeMs,
  bestSoFar,
  ConfigError,
  configDifference,
  extendedBudget,
  imagesProcessed,
  instantiate,
  type MeanWithError,
  meanWithError,
  newRunId,
  type RunConfig,
  type RunState,
  resolveConfig,
  runnerByName,
  Search,
  type SearchConfigInput,
} from '@archlab/core';
import { foldRun, openContext, type StoreFlags, searchDeps } from '../cli-context.js';
import { parseKeyValues, parseRunnerFlags, type RunnerFlags } from '../flag-parsers.js';
import { makeOutputDir, withOutput } from '../output-file.js';
import { fmt } from '../progress.js';
import { bandChartSpec } from '../report/report-specs.js';
import { csvCell, formatTable } from '../report/text-table.js';
import { vegaLiteSvg } from '../report/vega-svg.js';

export interface CompareFlags extends StoreFlags, RunnerFlags {
  space?: string;
  spaceOption?: string[];
  estimator?: string;
  estimatorOption?: string[];
  /** The estimator option shortcuts given (`--epochs 5`: `{ epochs: 5 }`). */
  estimatorShortcuts?: Readonly<Record<string, unknown>>;
  strategies?: string;
  strategyOption?: string[];
  seeds?: number;
  trials?: number;
  concurrency?: number;
  name?: string;
  out?: string;
  checkpoints?: string;
  json?: boolean;
  quiet?: boolean;
}

export interface StrategySummary {
  strategy: string;
  runs: string[];
  /** Best-so-far at each checkpoint: mean and standard error over seeds. */
  atTrials: Record<string, MeanWithError>;
  /** Seeds whose run reached the estimator's known optimum, and the mean trial (1-based) at which. */
  reachedOptimum: { seeds: number; of: number; meanTrial: number | null } | null;
  /** The mean best-so-far after every trial, with its standard error. */
  curve: { trial: number; mean: number; se: number }[];
  /**
   * Mean images processed per run (`imagesProcessed`: one-shot supernet epochs plus trained
   * trials), over the seeds that reported any; null when none did (a table estimator).
   */
  meanImages: number | null;
  /** Mean active wall time of a run, in seconds (a resumed run's waits excluded). */
  meanWallSeconds: number;
}

/**
 * Runs every strategy × seed as a separate run in the store (named NAME.STRATEGY.sSEED, so an
 * interrupted comparison picks up where it stopped: finished runs are reused, unfinished ones
 * resumed), then reports best-so-far curves: a table, CSV, JSON and an SVG plot.
 */
export async function compareCommand(flags: CompareFlags): Promise<number> {
  const strategies = (flags.strategies ?? 'random')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const seeds = flags.seeds ?? 20;
  const trials = flags.trials ?? 300;
  const checkpoints = (flags.checkpoints ?? '25,50,100,150,300')
    .split(',')
    .map(Number)
    .filter((c) => Number.isInteger(c) && c >= 1 && c <= trials);
  if (!flags.space) throw new ConfigError('--space is required');
  if (!flags.estimator) throw new ConfigError('--estimator is required');
  const perStrategy = splitStrategyOptions(flags.strategyOption ?? [], strategies);
  const runner = parseRunnerFlags(flags);
  const withRunner = runner && { runner };
  const name = flags.name ?? `cmp-${newRunId()}`;
  const outDir = flags.out ?? name;
  const ctx = await openContext({
    db: flags.db,
    store: flags.store,
    storeOption: flags.storeOption,
    plugins: flags.plugin,
    mustExist: false,
  });
  try {
    const configFor = (strategy: string, seed: number): SearchConfigInput => ({
      space: flags.space!,
      spaceOptions: parseKeyValues(flags.spaceOption ?? [], '--space-option'),
      estimator: flags.estimator!,
      estimatorOptions: {
        ...parseKeyValues(flags.estimatorOption ?? [], '--estimator-option'),
        ...flags.estimatorShortcuts,
      },
      strategy,
      strategyOptions: perStrategy[strategy] ?? {},
      seed,
      concurrency: flags.concurrency ?? 1,
      budget: { trials },
    });
    // Every strategy's config is checked before the first run starts.
    const checked = strategies.map((s) =>
      instantiate(ctx.registry, resolveConfig(ctx.registry, configFor(s, 0)), {
        ...(runner && { runner: runnerByName(ctx.registry, name, runner) }),
      }),
    );
    const { objective } = checked[0]!.config;
    const optimum = checked[0]!.estimator.optimum?.[objective.metric];
    const log = (msg: string) => {
      if (!flags.quiet) process.stderr.write(`compare: ${msg}\n`);
    };
    // Every run already under this name must be the run this request makes (its trial budget may
    // grow): checked for all of them before the first one runs.
    for (const [i, strategy] of strategies.entries()) {
      for (let seed = 0; seed < seeds; seed++) {
        const runId = `${name}.${strategy}.s${seed}`;
        if ((await ctx.store.lastSeq(runId)) < 0) continue;
        const recorded = (await foldRun(ctx.store, runId)).config!;
        checkReusable(runId, recorded, { ...checked[i]!.config, seed });
      }
    }
    // Before the runs, which may take hours: the folder for the report can be made.
    makeOutputDir('--out', outDir);
    const total = strategies.length * seeds;
    let done = 0;
    const states = new Map<string, RunState[]>();
    const t0 = performance.now();
    for (const strategy of strategies) {
      const list: RunState[] = [];
      for (let seed = 0; seed < seeds; seed++) {
        const runId = `${name}.${strategy}.s${seed}`;
        const t = performance.now();
        const exists = (await ctx.store.lastSeq(runId)) >= 0;
        const search = exists
          ? await Search.resume(searchDeps(ctx), runId, { trials, ...withRunner })
          : await Search.start(searchDeps(ctx), configFor(strategy, seed), runId, withRunner);
        const reuse = !exists
          ? ''
          : search.extendedFrom === undefined
            ? ' (reused)'
            : ` (extended from ${search.extendedFrom} trials)`;
        const outcome = await search.run();
        list.push(outcome.state);
        done++;
        const best = outcome.best?.metrics[objective.metric];
        log(
          `[${done}/${total}] ${strategy} seed ${seed}: best ${objective.metric}=${fmt(best)}${reuse} in ${((performance.now() - t) / 1000).toFixed(2)} s`,
        );
      }
      states.set(strategy, list);
    }
    const seconds = (performance.now() - t0) / 1000;
    const summaries = strategies.map((s) =>
      summarizeStrategy(s, states.get(s)!, checkpoints, trials, optimum),
    );
    const meta = {
      name,
      space: flags.space,
      estimator: flags.estimator,
      objective,
      seeds,
      trials,
      optimum: optimum ?? null,
      seconds,
    };
    const write = (file: string, text: string) =>
      withOutput('--out', join(outDir, file), (out) => out.write(text));
    await write('compare.json', `${JSON.stringify({ ...meta, strategies: summaries }, null, 2)}\n`);
    await write('compare.csv', compareCsv(summaries, checkpoints));
    await write('compare.svg', await vegaLiteSvg(compareFigure(meta, summaries)));
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ ...meta, out: outDir, strategies: summaries.map(({ curve: _, ...s }) => s) })}\n`,
      );
    } else {
      process.stdout.write(compareTable(summaries, checkpoints, optimum));
      process.stdout.write(
        `\n${total} runs in ${seconds.toFixed(1)} s; wrote ${join(outDir, 'compare.{csv,json,svg}')}\n`,
      );
    }
    return 0;
  } finally {
    await ctx.store.close();
  }
}

/** compare's figure: mean best-so-far per strategy with ± 1 s.e. bands, and the optimum when known. */
export function compareFigure(
  meta: {
    space: string;
    estimator: string;
    objective: { metric: string };
    seeds: number;
    optimum: number | null;
  },
  summaries: readonly StrategySummary[],
) {
  const { metric } = meta.objective;
  return bandChartSpec({
    title: `best-so-far ${metric} on ${meta.space} / ${meta.estimator} (${meta.seeds} seeds, mean ± s.e.)`,
    xTitle: 'trials',
    yTitle: `best ${metric} so far`,
    series: summaries.map((s) => ({
      name: s.strategy,
      points: s.curve.map((p) => ({
        x: p.trial,
        mean: p.mean,
        lo: p.mean - p.se,
        hi: p.mean + p.se,
        n: meta.seeds,
      })),
    })),
    ...(meta.optimum !== null && { reference: { y: meta.optimum, label: `optimum ${fmt(meta.optimum)}` } }),
  });
}

/**
 * ConfigError unless the stored run `runId` is the run `requested` describes, in every setting
 * but a larger trial budget: its numbers would otherwise appear under the new request's title.
 */
function checkReusable(runId: string, recorded: RunConfig, requested: RunConfig): void {
  const d = configDifference(recorded, requested);
  if (d) {
    const show = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? '(none)' : JSON.stringify(v));
    throw new ConfigError(
      `run '${runId}' was recorded with ${d.field}=${show(d.recorded)}, but this compare asks for ${d.field}=${show(d.requested)}; compare under another --name`,
    );
  }
  extendedBudget(runId, recorded.budget, requested.budget.trials!);
}

/** `--strategy-option evolution.population=20` → { evolution: { population: '20' } }. */
export function splitStrategyOptions(
  pairs: readonly string[],
  strategies: readonly string[],
): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const p of pairs) {
    const dot = p.indexOf('.');
    const strategy = p.slice(0, dot);
    if (dot <= 0 || !strategies.includes(strategy)) {
      throw new ConfigError(
        `--strategy-option for compare takes STRATEGY.NAME=VALUE with STRATEGY one of ${strategies.join(', ')}; got '${p}'`,
      );
    }
    out[strategy] = { ...out[strategy], ...parseKeyValues([p.slice(dot + 1)], '--strategy-option') };
  }
  return out;
}

export function summarizeStrategy(
  strategy: string,
  states: readonly RunState[],
  checkpoints: readonly number[],
  trials: number,
  optimum: number | undefined,
): StrategySummary {
  const curves = states.map((s) => bestSoFar(s));
  const at = (i: number) =>
    curves.map((c) => c[Math.min(i, c.length - 1)]).filter((v): v is number => v !== undefined);
  const atTrials = Object.fromEntries(checkpoints.map((c) => [String(c), meanWithError(at(c - 1))]));
  let reachedOptimum: StrategySummary['reachedOptimum'] = null;
  if (optimum !== undefined) {
    const direction = states[0]?.config?.objective.direction ?? 'max';
    const hits = curves
      .map((c) =>
        c.findIndex(
          (v) => v !== undefined && (direction === 'max' ? v >= optimum - 1e-9 : v <= optimum + 1e-9),
        ),
      )
      .filter((i) => i >= 0);
    reachedOptimum = {
      seeds: hits.length,
      of: curves.length,
      meanTrial: hits.length ? hits.reduce((a, b) => a + b + 1, 0) / hits.length : null,
    };
  }
  const curve = Array.from({ length: trials }, (_, i) => ({ trial: i + 1, ...meanWithError(at(i)) }))
    .filter((p) => p.n > 0)
    .map(({ trial, mean, se }) => ({ trial, mean, se }));
  const images = states.map(imagesProcessed).filter((n): n is number => n !== undefined);
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    strategy,
    runs: states.map((s) => s.runId),
    atTrials,
    reachedOptimum,
    curve,
    meanImages: images.length ? mean(images) : null,
    meanWallSeconds: states.length ? mean(states.map((s) => activeMs(s) / 1000)) : 0,
  };
}

function compareCsv(summaries: readonly StrategySummary[], checkpoints: readonly number[]): string {
  const head = [
    'strategy',
    ...checkpoints.flatMap((c) => [`mean_at_${c}`, `se_at_${c}`]),
    'seeds',
    'reached_optimum',
    'mean_trial_to_optimum',
    'mean_images',
    'mean_wall_s',
  ];
  const rows = summaries.map((s) => [
    s.strategy,
    ...checkpoints.flatMap((c) => [String(s.atTrials[c]!.mean), String(s.atTrials[c]!.se)]),
    String(s.runs.length),
    s.reachedOptimum ? String(s.reachedOptimum.seeds) : '',
    s.reachedOptimum?.meanTrial == null ? '' : String(s.reachedOptimum.meanTrial),
    s.meanImages === null ? '' : String(s.meanImages),
    String(s.meanWallSeconds),
  ]);
  return `${[head, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

function compareTable(
  summaries: readonly StrategySummary[],
  checkpoints: readonly number[],
  optimum: number | undefined,
): string {
  const head = [
    'strategy',
    ...checkpoints.map((c) => `@${c}`),
    ...(optimum !== undefined ? [`optimum ${fmt(optimum)}`] : []),
    'images',
    'wall s',
  ];
  const rows = summaries.map((s) => [
    s.strategy,
    ...checkpoints.map((c) => `${s.atTrials[c]!.mean.toFixed(2)} ± ${s.atTrials[c]!.se.toFixed(2)}`),
    ...(s.reachedOptimum
      ? [
          `${s.reachedOptimum.seeds}/${s.reachedOptimum.of}${s.reachedOptimum.meanTrial !== null ? ` (trial ${s.reachedOptimum.meanTrial.toFixed(0)})` : ''}`,
        ]
      : []),
    s.meanImages === null ? '—' : Math.round(s.meanImages).toString(),
    s.meanWallSeconds.toFixed(1),
  ]);
  return `best-so-far (mean ± s.e. over seeds) after N trials; images processed and active wall time (mean per run)\n${formatTable(head, rows)}`;
}
