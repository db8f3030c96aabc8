import { dominates, InvalidOptionError, type Objective } from '@archlab/core';

// The metric-level helpers live in the core, which also uses them for `archlab show`'s front.
export { dominates, objectiveVector, paretoIndices } from '@archlab/core';

/**
 * Pareto helpers (Deb et al. 2002). The vector-level functions (`dominates`, `nonDominatedSort`,
 * `crowdingDistance`) take objective vectors in which every component is to be maximised: turn
 * metrics into such vectors with `objectiveVector`. `paretoIndices` works on metrics directly.
 * All are pure, and their results depend only on their arguments (ties keep index order).
 */

/**
 * Fronts of indices into `points`, each in increasing index order: front 0 is the non-dominated
 * set, front 1 is non-dominated once front 0 is removed, and so on. Every index is in one front.
 */
export function nonDominatedSort(points: readonly (readonly number[])[]): number[][] {
  const n = points.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const dominating: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(points[i]!, points[j]!)) {
        dominating[i]!.push(j);
        dominatedBy[j]!++;
      } else if (dominates(points[j]!, points[i]!)) {
        dominating[j]!.push(i);
        dominatedBy[i]!++;
      }
    }
  }
  const fronts: number[][] = [];
  let current = dominatedBy.flatMap((d, i) => (d === 0 ? [i] : []));
  while (current.length) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) {
      for (const j of dominating[i]!) if (--dominatedBy[j]! === 0) next.push(j);
    }
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/**
 * Crowding distance of each member of one front (same order as `front`): the sum over objectives
 * of the gap between its two neighbours along that objective, divided by the front's range in it.
 * The extremes of every objective on which the front varies get Infinity, so they survive a
 * truncation; an objective on which the whole front is equal adds nothing. A front of one or two
 * points is all extremes.
 */
export function crowdingDistance(points: readonly (readonly number[])[], front: readonly number[]): number[] {
  if (front.length <= 2) return front.map(() => Number.POSITIVE_INFINITY);
  const distance = new Array<number>(front.length).fill(0);
  const m = points[front[0]!]!.length;
  for (let k = 0; k < m; k++) {
    const value = (i: number) => points[front[i]!]![k]!;
    const order = front.map((_, i) => i).sort((a, b) => value(a) - value(b) || a - b);
    const lo = value(order[0]!);
    const hi = value(order.at(-1)!);
    if (hi === lo) continue;
    distance[order[0]!] = Number.POSITIVE_INFINITY;
    distance[order.at(-1)!] = Number.POSITIVE_INFINITY;
    for (let i = 1; i < order.length - 1; i++) {
      distance[order[i]!]! += (value(order[i + 1]!) - value(order[i - 1]!)) / (hi - lo);
    }
  }
  return distance;
}

/**
 * `test_acc:max,params:min` → objectives. Throws InvalidOptionError, prefixed with `where`, for
 * an entry that is not `METRIC:max` or `METRIC:min`, a metric named twice, or an empty list.
 */
export function parseObjectives(text: string, where = 'objectives'): Objective[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const out: Objective[] = [];
  for (const p of parts) {
    const m = /^([\w.-]+):(max|min)$/.exec(p);
    if (!m) throw new InvalidOptionError(`${where}: '${p}' is not METRIC:max or METRIC:min`);
    out.push({ metric: m[1]!, direction: m[2] as 'max' | 'min' });
  }
  const twice = out.find((o, i) => out.findIndex((p) => p.metric === o.metric) !== i);
  if (twice) throw new InvalidOptionError(`${where}: metric '${twice.metric}' is named twice`);
  if (out.length === 0)
    throw new InvalidOptionError(`${where}: names no metric; write e.g. test_acc:max,params:min`);
  return out;
}
