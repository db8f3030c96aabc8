/** A ridge regression fitted on centred features: `y ≈ intercept + Σ weights[j]·(x[j] − means[j])`. */
export interface RidgeFit {
  readonly means: readonly number[];
  readonly intercept: number;
  readonly weights: readonly number[];
  /** Each sample's prediction by the fit on all the other samples (exact leave-one-out, no refits). */
  readonly looPredictions: readonly number[];
}

/**
 * Ridge regression of `y` on the rows of `x` with penalty `lambda` (> 0) on the weights, not the
 * intercept. The leave-one-out predictions come from the hat matrix's diagonal (y − (y − ŷ)/(1 − h)),
 * so choosing `lambda` by cross-validation costs one fit per candidate: O(n·p² + p³).
 */
export function ridge(x: readonly (readonly number[])[], y: readonly number[], lambda: number): RidgeFit {
  const n = y.length;
  if (n === 0 || x.length !== n) throw new RangeError(`ridge: ${x.length} rows against ${n} targets`);
  if (!(lambda > 0)) throw new RangeError(`ridge: lambda must be > 0, not ${lambda}`);
  const p = x[0]!.length;
  const means = Array.from({ length: p }, (_, j) => x.reduce((s, row) => s + row[j]!, 0) / n);
  const intercept = y.reduce((s, v) => s + v, 0) / n;
  const xc = x.map((row) => row.map((v, j) => v - means[j]!));
  const a = Array.from({ length: p }, (_, i) =>
    Array.from(
      { length: p },
      (_, j) => xc.reduce((s, row) => s + row[i]! * row[j]!, 0) + (i === j ? lambda : 0),
    ),
  );
  const l = cholesky(a);
  const xty = Array.from({ length: p }, (_, j) =>
    xc.reduce((s, row, k) => s + row[j]! * (y[k]! - intercept), 0),
  );
  const weights = cholSolve(l, xty);
  const looPredictions = xc.map((row, k) => {
    const fitted = intercept + dot(row, weights);
    // h_kk = 1/n (the intercept) + x_kᵀ A⁻¹ x_k (the centred features).
    const z = forward(l, row);
    const h = 1 / n + dot(z, z);
    return y[k]! - (y[k]! - fitted) / (1 - h);
  });
  return { means, intercept, weights, looPredictions };
}

/** The prediction of `fit` for one feature row. */
export function ridgePredict(
  fit: Pick<RidgeFit, 'means' | 'intercept' | 'weights'>,
  row: readonly number[],
): number {
  let s = fit.intercept;
  for (let j = 0; j < row.length; j++) s += fit.weights[j]! * (row[j]! - fit.means[j]!);
  return s;
}

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Lower-triangular L with L·Lᵀ = a (a symmetric positive definite: the ridge penalty makes it so). */
function cholesky(a: readonly (readonly number[])[]): number[][] {
  const p = a.length;
  const l = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = i === j ? Math.sqrt(s) : s / l[j]![j]!;
    }
  }
  return l;
}

/** z with L·z = b. */
function forward(l: readonly (readonly number[])[], b: readonly number[]): number[] {
  const z = new Array<number>(b.length);
  for (let i = 0; i < b.length; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i]![k]! * z[k]!;
    z[i] = s / l[i]![i]!;
  }
  return z;
}

/** w with L·Lᵀ·w = b. */
function cholSolve(l: readonly (readonly number[])[], b: readonly number[]): number[] {
  const z = forward(l, b);
  const w = new Array<number>(b.length);
  for (let i = b.length - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < b.length; k++) s -= l[k]![i]! * w[k]!;
    w[i] = s / l[i]![i]!;
  }
  return w;
}
