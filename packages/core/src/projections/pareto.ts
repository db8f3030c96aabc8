import type { Metrics, Objective } from '../events/event.js';
import { runObjectives } from './objectives.js';
import type { RunState, Trial } from './run-state.js';

/** Metrics as a vector in which every component is to be maximised; undefined when one is missing or not finite. */
export function objectiveVector(
  metrics: Metrics | undefined,
  objectives: readonly Objective[],
): number[] | undefined {
  const out: number[] = [];
  for (const o of objectives) {
    const v = metrics?.[o.metric];
    if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
    out.push(o.direction === 'max' ? v : -v);
  }
  return out;
}

/** `a` dominates `b` (vectors to maximise): at least as good everywhere, better somewhere. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return false;
    if (a[i]! > b[i]!) better = true;
  }
  return better;
}

/**
 * Indices (increasing) of the points on the Pareto front under `objectives`: those no other point
 * dominates. Points lacking a finite value for an objective are never on it; points with equal
 * objective values are all on the front when one of them is.
 */
export function paretoIndices(
  points: readonly (Metrics | undefined)[],
  objectives: readonly Objective[],
): number[] {
  const vectors = points.map((p) => objectiveVector(p, objectives));
  // In decreasing lexicographic order a point's dominators all come before it, and if any does,
  // one on the front does: so comparing with the front found so far is enough.
  const order = vectors
    .flatMap((v, i) => (v ? [i] : []))
    .sort((a, b) => compareDesc(vectors[a]!, vectors[b]!) || a - b);
  const front: number[] = [];
  for (const i of order) if (!front.some((j) => dominates(vectors[j]!, vectors[i]!))) front.push(i);
  return front.sort((a, b) => a - b);
}

/**
 * The run's Pareto front under `objectives` (default: the run's own): its feasible completed
 * trials that no other feasible completed trial dominates, in trial order. Infeasible, pruned and
 * failed trials are never on it.
 */
export function paretoFront(
  state: RunState,
  objectives: readonly Objective[] = state.config ? runObjectives(state.config) : [],
): Trial[] {
  const candidates = state.trials.filter((t): t is Trial => t?.status === 'completed' && !t.violations);
  return paretoIndices(
    candidates.map((t) => t.metrics),
    objectives,
  ).map((i) => candidates[i]!);
}

function compareDesc(a: readonly number[], b: readonly number[]): number {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return b[k]! - a[k]!;
  return 0;
}
