import {
  constraintText,
  paretoFront,
  type RunState,
  redactLocation,
  runObjectives,
  runScore,
  screenMetricName,
} from '@archlab/core';
import { fmt } from './progress.js';
import { formatTable } from './report/text-table.js';

/** Rows of the Pareto front printed in text; `--json` has them all. */
const FRONT_ROWS = 30;

/** The machine-readable summary of a run: `show --json`, and the last line of `search --json`. */
export function summarize(state: RunState) {
  const c = state.config;
  const objectives = c ? runObjectives(c) : [];
  const running = state.trials.filter((t) => t && (t.status === 'running' || t.status === 'proposed')).length;
  return {
    runId: state.runId,
    status: state.status === 'completed' ? 'completed' : 'unfinished',
    reason: state.completion?.reason ?? null,
    trials: state.trials.length,
    counts: { ...state.counts, unfinished: running },
    best: state.best
      ? {
          trialId: state.best.trialId,
          arch: state.best.arch,
          metrics: state.best.metrics,
          ...(state.trials[state.best.trialId]?.artifacts && {
            artifacts: state.trials[state.best.trialId]!.artifacts,
          }),
        }
      : null,
    space: c?.space,
    estimator: c?.estimator,
    estimatorOptions: c?.estimatorOptions,
    strategy: c?.strategy,
    strategyOptions: c?.strategyOptions,
    seed: c?.seed,
    concurrency: c?.concurrency,
    budget: c?.budget,
    objective: c?.objective,
    objectives,
    constraints: (c?.constraints ?? []).map(constraintText),
    hardware: c?.hardware ?? [],
    reward: c?.reward ?? null,
    /** Zero-cost screening, with how many proposals the pre-filter pruned; null when the run has none. */
    screen: c?.screen ? { ...c.screen, screenedOut: screenedOut(state) } : null,
    /** Feasible completed trials no other dominates under the objectives; only for runs with two or more. */
    pareto:
      objectives.length > 1
        ? paretoFront(state, objectives).map((t) => ({
            trialId: t.trialId,
            arch: t.arch ?? '',
            metrics: t.metrics!,
          }))
        : null,
    /** The latest progress of each owner of work between trials (a supernet's epochs), in runs that report it. */
    ...(state.progress.size > 0 && {
      progress: Object.fromEntries(
        [...state.progress].map(([owner, p]) => [owner, { step: p.step, metrics: p.metrics }]),
      ),
    }),
    createdAt: state.createdAt === undefined ? null : new Date(state.createdAt).toISOString(),
    events: state.lastSeq + 1,
    packages: state.packages,
  };
}

export function summaryText(state: RunState, dbPath?: string): string {
  const s = summarize(state);
  const o = s.objective;
  const lines = [
    `run        ${s.runId}  (${s.status}${s.reason ? `: ${s.reason}` : ''})`,
    `search     ${s.strategy} on ${s.space}, scored by ${s.estimator}, seed ${s.seed}, concurrency ${s.concurrency}`,
    `strategy   ${pluginText(s.strategy ?? '', s.strategyOptions ?? {})}`,
    `trials     ${s.trials} (${s.counts.completed} completed, ${s.counts.failed} failed${s.counts.pruned ? `, ${s.counts.pruned} pruned` : ''}${s.counts.unfinished ? `, ${s.counts.unfinished} unfinished` : ''})`,
  ];
  // A retraining (`archlab train`): where its architecture came from.
  if (s.strategy === 'fixed') {
    const source = s.strategyOptions?.source;
    if (source) lines.push(`from       ${source}`);
    // The whole recipe, defaults included: what retraining it again takes.
    const options = Object.entries(s.estimatorOptions ?? {}).map(([k, v]) => `${k}=${v}`);
    lines.push(`options    ${options.join(' ')}`);
  }
  if (s.progress) {
    const owners = Object.entries(s.progress).map(([owner, p]) => {
      const metrics = Object.entries(p.metrics).map(([k, v]) => `${k}=${fmt(v)}`);
      return `${owner} step ${p.step}${metrics.length ? ` (${metrics.join(' ')})` : ''}`;
    });
    lines.push(`progress   ${owners.join('; ')}`);
  }
  if (s.objectives.length > 1) {
    lines.push(`objectives ${s.objectives.map((x) => `${x.metric} (${x.direction})`).join(', ')}`);
  }
  if (s.hardware.length)
    lines.push(`hardware   ${s.hardware.map((h) => pluginText(h.name, h.options)).join(', ')}`);
  if (s.constraints.length) {
    const pruned = s.counts.pruned - (s.screen?.screenedOut ?? 0);
    lines.push(
      `constraint ${s.constraints.join(', ')}: ${pruned} pruned before evaluation, ${s.counts.infeasible} completed but infeasible`,
    );
  }
  if (s.screen) {
    const { warmup, filter } = s.screen;
    const parts = [
      ...(warmup ? [`warm-up with the best ${warmup.top} of ${warmup.pool} sampled`] : []),
      ...(filter
        ? [
            `pre-filter to the best ${filter.fraction * 100}% after ${filter.min}: ${s.screen.screenedOut} proposal${s.screen.screenedOut === 1 ? '' : 's'} screened out`,
          ]
        : []),
    ];
    lines.push(
      `screen     ${pluginText(s.screen.estimator, s.screen.options)} by ${s.screen.metric} (${s.screen.direction}): ${parts.join('; ')}`,
    );
  }
  if (s.reward) {
    const r = s.reward;
    lines.push(
      `reward     mnas: ${o?.metric} × (${r.metric}/${r.target})^w, w = ${r.alpha} at or under the target, ${r.beta} over it`,
    );
  }
  if (s.best && o && state.config) {
    const others = Object.entries(s.best.metrics)
      .filter(([k]) => k !== o.metric)
      .map(([k, v]) => `${k}=${fmt(v)}`)
      .join(' ');
    const reward = s.reward ? `  reward=${fmt(runScore(state.config, s.best.metrics))}` : '';
    lines.push(
      `best       ${o.metric}=${fmt(s.best.metrics[o.metric])} (${o.direction}) at trial ${s.best.trialId}${reward}${others ? `  ${others}` : ''}`,
    );
    lines.push(`           ${s.best.arch}`);
    for (const [name, a] of Object.entries(s.best.artifacts ?? {})) {
      lines.push(`${name.padEnd(10)} ${a.blob} (${a.bytes} bytes, ${a.format})`);
    }
  } else {
    lines.push(`best       (no ${s.constraints.length ? 'feasible ' : ''}completed trial)`);
  }
  if (s.status !== 'completed' && dbPath)
    lines.push(`resume     archlab resume ${s.runId} --db ${redactLocation(dbPath)}`);
  if (s.pareto) lines.push('', paretoText(s.pareto, s.objectives));
  return lines.join('\n');
}

/** `lut (file=a.json)`: a plugin and its options, as `show` prints them. */
function pluginText(name: string, options: Readonly<Record<string, unknown>>): string {
  const opts = Object.entries(options).map(([k, v]) => `${k}=${v}`);
  return opts.length ? `${name} (${opts.join(', ')})` : name;
}

/** Proposals the pre-filter pruned: pruned trials whose metrics hold the screen score. */
function screenedOut(state: RunState): number {
  const screen = state.config?.screen;
  if (!screen) return 0;
  const name = screenMetricName(screen);
  return state.trials.filter((t) => t?.status === 'pruned' && t.metrics?.[name] !== undefined).length;
}

/** The Pareto front as a table: one row per trial, its objective values, its architecture. */
function paretoText(
  front: readonly { trialId: number; arch: string; metrics: Readonly<Record<string, number>> }[],
  objectives: readonly { metric: string; direction: string }[],
): string {
  // Best first on the primary objective, so the table reads as the trade-off curve.
  const primary = objectives[0]!;
  const sign = primary.direction === 'max' ? -1 : 1;
  const sorted = [...front].sort(
    (a, b) => sign * (a.metrics[primary.metric]! - b.metrics[primary.metric]!) || a.trialId - b.trialId,
  );
  const shown = sorted.slice(0, FRONT_ROWS);
  const head = `pareto front: ${front.length} non-dominated feasible trial${front.length === 1 ? '' : 's'}`;
  const table = formatTable(
    ['trial', ...objectives.map((x) => `${x.metric} (${x.direction})`), 'arch'],
    shown.map((t) => [String(t.trialId), ...objectives.map((x) => fmt(t.metrics[x.metric])), t.arch]),
  );
  const more =
    front.length > shown.length ? `… and ${front.length - shown.length} more (--json lists all)\n` : '';
  return `${head}\n${table}${more}`.trimEnd();
}
