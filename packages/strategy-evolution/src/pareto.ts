/**
 * Non-dominated sorting and crowding distance (Deb et al. 2002) over objective vectors in which
 * every component is to be maximised (negate a minimised metric first).
 */

/** `a` dominates `b`: at least as good everywhere, better somewhere. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return false;
    if (a[i]! > b[i]!) better = true;
  }
  return better;
}

/** Fronts of indices into `points`: front 0 is non-dominated, front 1 is dominated only by front 0, … */
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
 * of the normalised gap between its neighbours; the extremes get Infinity.
 */
export function crowdingDistance(points: readonly (readonly number[])[], front: readonly number[]): number[] {
  const distance = new Array<number>(front.length).fill(0);
  if (front.length === 0) return distance;
  const m = points[front[0]!]!.length;
  for (let k = 0; k < m; k++) {
    const order = front
      .map((_, i) => i)
      .sort((a, b) => points[front[a]!]![k]! - points[front[b]!]![k]! || a - b);
    const lo = points[front[order[0]!]!]![k]!;
    const hi = points[front[order.at(-1)!]!]![k]!;
    distance[order[0]!] = Number.POSITIVE_INFINITY;
    distance[order.at(-1)!] = Number.POSITIVE_INFINITY;
    if (hi === lo) continue;
    for (let i = 1; i < order.length - 1; i++) {
      distance[order[i]!]! +=
        (points[front[order[i + 1]!]!]![k]! - points[front[order[i - 1]!]!]![k]!) / (hi - lo);
    }
  }
  return distance;
}

/** Indices of the non-dominated points. */
export function paretoFront(points: readonly (readonly number[])[]): number[] {
  return nonDominatedSort(points)[0] ?? [];
}

export interface ObjectiveSpec {
  readonly metric: string;
  readonly direction: 'max' | 'min';
}

/** `test_acc:max,params:min` → specs; what is wrong is said in the returned error message. */
export function parseObjectives(text: string): ObjectiveSpec[] | string {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const specs: ObjectiveSpec[] = [];
  for (const p of parts) {
    const m = /^([\w.-]+):(max|min)$/.exec(p);
    if (!m) return `'${p}' is not METRIC:max or METRIC:min`;
    specs.push({ metric: m[1]!, direction: m[2] as 'max' | 'min' });
  }
  if (new Set(specs.map((s) => s.metric)).size !== specs.length) return 'names a metric twice';
  return specs;
}

/** A metrics record as a vector to maximise; undefined when a metric is missing or not finite. */
export function objectiveVector(
  metrics: Readonly<Record<string, number>> | undefined,
  specs: readonly ObjectiveSpec[],
): number[] | undefined {
  const out: number[] = [];
  for (const s of specs) {
    const v = metrics?.[s.metric];
    if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
    out.push(s.direction === 'max' ? v : -v);
  }
  return out;
}
