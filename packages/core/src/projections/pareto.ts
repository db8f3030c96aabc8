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

/**
 * The hypervolume of `points` (vectors to maximise, as `objectiveVector` gives them) above the
 * reference point `ref`: the measure of the region they dominate and that dominates `ref`. Points
 * not strictly better than `ref` in every component add nothing. Exact, by slicing along the last
 * component (HSO) down to a sweep in 2-D: O(n log n) for two objectives, O(n^(d−1) log n) for d.
 */
export function hypervolume(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const inside = points.filter((p) => p.every((v, k) => v > ref[k]!));
  return slices(inside, ref, ref.length);
}

/** Hypervolume over the first `d` components of `points`, all of which beat `ref` there. */
function slices(points: readonly (readonly number[])[], ref: readonly number[], d: number): number {
  if (points.length === 0) return 0;
  if (d === 1) return Math.max(...points.map((p) => p[0]!)) - ref[0]!;
  const k = d - 1;
  const sorted = [...points].sort((a, b) => b[k]! - a[k]!);
  let volume = 0;
  let widest = ref[0]!;
  for (let i = 0; i < sorted.length; i++) {
    const below = sorted[i + 1]?.[k] ?? ref[k]!;
    const height = sorted[i]![k]! - below;
    // In 2-D a slice is as wide as the widest point above it.
    widest = Math.max(widest, sorted[i]![0]!);
    if (height > 0) volume += height * (d === 2 ? widest - ref[0]! : slices(sorted.slice(0, i + 1), ref, k));
  }
  return volume;
}
