import type { RunState } from '@archlab/core';
import { fmt } from './progress.js';

/** The machine-readable summary of a run: `show --json`, and the last line of `search --json`. */
export function summarize(state: RunState) {
  const c = state.config;
  const running = state.trials.filter((t) => t && (t.status === 'running' || t.status === 'proposed')).length;
  return {
    runId: state.runId,
    status: state.status === 'completed' ? 'completed' : 'unfinished',
    reason: state.completion?.reason ?? null,
    trials: state.trials.length,
    counts: { ...state.counts, unfinished: running },
    best: state.best
      ? { trialId: state.best.trialId, arch: state.best.arch, metrics: state.best.metrics }
      : null,
    space: c?.space,
    estimator: c?.estimator,
    strategy: c?.strategy,
    strategyOptions: c?.strategyOptions,
    seed: c?.seed,
    concurrency: c?.concurrency,
    budget: c?.budget,
    objective: c?.objective,
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
    `trials     ${s.trials} (${s.counts.completed} completed, ${s.counts.failed} failed${s.counts.pruned ? `, ${s.counts.pruned} pruned` : ''}${s.counts.unfinished ? `, ${s.counts.unfinished} unfinished` : ''})`,
  ];
  if (s.best && o) {
    const others = Object.entries(s.best.metrics)
      .filter(([k]) => k !== o.metric)
      .map(([k, v]) => `${k}=${fmt(v)}`)
      .join(' ');
    lines.push(
      `best       ${o.metric}=${fmt(s.best.metrics[o.metric])} (${o.direction}) at trial ${s.best.trialId}${others ? `  ${others}` : ''}`,
    );
    lines.push(`           ${s.best.arch}`);
  } else {
    lines.push('best       (no completed trial)');
  }
  if (s.status !== 'completed' && dbPath) lines.push(`resume     archlab resume ${s.runId} --db ${dbPath}`);
  return lines.join('\n');
}
