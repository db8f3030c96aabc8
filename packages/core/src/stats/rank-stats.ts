// Rank statistics shared by the packages that compare predictions with ground truth (zero-cost
// proxies against NAS-Bench-201, latency predictors against measurements) and summarise timings.

/** The `q`-quantile (0..1) of ascending `sorted`, interpolating linearly between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The median of `values` (any order), interpolating between the middle two of an even count. */
export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** Ranks from 1 in ascending order, ties sharing their average rank. */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]!] === xs[order[i]!]) j++;
    for (let k = i; k <= j; k++) out[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

function paired(name: string, xs: readonly number[], ys: readonly number[]): void {
  if (xs.length !== ys.length) throw new RangeError(`${name}: ${xs.length} values against ${ys.length}`);
  if ([...xs, ...ys].some(Number.isNaN)) throw new RangeError(`${name}: a value is NaN`);
}

/**
 * Spearman's rank correlation ρ of paired samples: Pearson's correlation of their ranks, ties
 * given their average rank. NaN when either side is constant or has fewer than 2 values.
 */
export function spearman(xs: readonly number[], ys: readonly number[]): number {
  paired('spearman', xs, ys);
  const rx = ranks(xs);
  const ry = ranks(ys);
  const mean = (rx.length + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    const dx = rx[i]! - mean;
    const dy = ry[i]! - mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Kendall's τ-b of paired samples: (concordant − discordant pairs) / √(pairs not tied in x ×
 * pairs not tied in y), as scipy's `kendalltau` computes it by default. A pair tied in x or y
 * is neither concordant nor discordant. NaN when either side is constant or has fewer than 2
 * values. O(n²): a quarter of a second for 10,000 values.
 */
export function kendall(xs: readonly number[], ys: readonly number[]): number {
  paired('kendall', xs, ys);
  let s = 0;
  let untiedX = 0;
  let untiedY = 0;
  for (let i = 0; i < xs.length; i++) {
    const xi = xs[i]!;
    const yi = ys[i]!;
    for (let j = i + 1; j < xs.length; j++) {
      const dx = Math.sign(xs[j]! - xi);
      const dy = Math.sign(ys[j]! - yi);
      s += dx * dy;
      untiedX += dx * dx;
      untiedY += dy * dy;
    }
  }
  return s / Math.sqrt(untiedX * untiedY);
}

/**
 * Where `value` falls in `sorted` (ascending), in percent: the share of values below it plus
 * half the share equal to it, so the lowest of 4 distinct values is at 12.5 and the highest
 * at 87.5; 0 below all, 100 above all.
 */
export function percentile(sorted: readonly number[], value: number): number {
  if (sorted.length === 0) throw new RangeError('percentile among no values');
  const below = bound(sorted, value, (x, v) => x < v);
  const upTo = bound(sorted, value, (x, v) => x <= v);
  return (100 * (below + (upTo - below) / 2)) / sorted.length;
}

/** The first index whose value fails `before` (binary search in ascending `sorted`). */
function bound(sorted: readonly number[], value: number, before: (x: number, v: number) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(sorted[mid]!, value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
