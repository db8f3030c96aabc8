/**
 * Eigenvalues of the symmetric `n`×`n` matrix `a` (row-major; only read), ascending, by the
 * cyclic Jacobi method in float64: plane rotations zero each off-diagonal entry in turn until
 * their squares sum to ~10⁻³⁰ of the matrix's. O(n³) per sweep and a handful of sweeps, which
 * is nothing for the ≤ 1024×1024 correlation matrices of jacob_cov. NaN anywhere gives NaNs.
 */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number): number[] {
  if (a.length !== n * n) throw new RangeError(`a ${n}×${n} matrix has ${n * n} entries, got ${a.length}`);
  const m = Float64Array.from(a);
  if (m.some(Number.isNaN)) return new Array<number>(n).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const x = m[i * n + j]!;
      const y = m[j * n + i]!;
      if (Math.abs(x - y) > 1e-9 * (1 + Math.abs(x))) {
        throw new RangeError(`the matrix is not symmetric at (${i}, ${j}): ${x} against ${y}`);
      }
      m[i * n + j] = m[j * n + i] = (x + y) / 2;
    }
  }
  let total = 0;
  for (const x of m) total += x * x;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! ** 2;
    if (off <= 1e-30 * total) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const app = m[p * n + p]!;
        const aqq = m[q * n + q]!;
        // t = tan of the rotation angle, the smaller root of t² + 2θt − 1 = 0 (Numerical Recipes §11.1).
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          if (k === p || k === q) continue;
          const akp = m[k * n + p]!;
          const akq = m[k * n + q]!;
          m[k * n + p] = m[p * n + k] = c * akp - s * akq;
          m[k * n + q] = m[q * n + k] = s * akp + c * akq;
        }
        m[p * n + p] = app - t * apq;
        m[q * n + q] = aqq + t * apq;
        m[p * n + q] = m[q * n + p] = 0;
      }
    }
  }
  return Array.from({ length: n }, (_, i) => m[i * n + i]!).sort((x, y) => x - y);
}
