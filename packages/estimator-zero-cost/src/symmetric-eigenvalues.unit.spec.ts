import { describe, expect, it } from 'vitest';
import { correlationMatrix, jacobCovScore } from './jacob-cov.js';
import { symmetricEigenvalues } from './symmetric-eigenvalues.js';

/** H·diag(d)·H with H = I − 2vvᵀ/vᵀv, a symmetric orthogonal (Householder) matrix: eigenvalues d. */
function withEigenvalues(d: readonly number[], v: readonly number[]): number[] {
  const n = d.length;
  const vv = v.reduce((s, x) => s + x * x, 0);
  const h = (i: number, j: number) => (i === j ? 1 : 0) - (2 * v[i]! * v[j]!) / vv;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += h(i, k) * d[k]! * h(k, j);
      out.push(s);
    }
  }
  return out;
}

describe('symmetricEigenvalues', () => {
  it('returns a diagonal matrix’s diagonal, ascending', () => {
    expect(symmetricEigenvalues([3, 0, 0, 0, 1, 0, 0, 0, 2], 3)).toEqual([1, 2, 3]);
  });

  it('solves 2×2 by hand: [[2, 1], [1, 2]] has eigenvalues 1 and 3', () => {
    const [a, b] = symmetricEigenvalues([2, 1, 1, 2], 2);
    expect(a).toBeCloseTo(1, 12);
    expect(b).toBeCloseTo(3, 12);
  });

  it('recovers the eigenvalues of a dense matrix built from them', () => {
    const d = [-1, 0.5, 2, 7, 1e-6];
    const got = symmetricEigenvalues(withEigenvalues(d, [1, 2, 3, 4, -2]), 5);
    const sorted = [...d].sort((x, y) => x - y);
    for (let i = 0; i < 5; i++) expect(got[i]).toBeCloseTo(sorted[i]!, 10);
  });

  it('gives NaNs for a matrix with a NaN, and rejects an asymmetric or misshapen one', () => {
    expect(symmetricEigenvalues([1, Number.NaN, Number.NaN, 1], 2).every(Number.isNaN)).toBe(true);
    expect(() => symmetricEigenvalues([1, 2, 3, 1], 2)).toThrow(/not symmetric/);
    expect(() => symmetricEigenvalues([1, 2, 3], 2)).toThrow(RangeError);
  });
});

describe('correlationMatrix and jacobCovScore', () => {
  it('correlate rows as numpy.corrcoef does, NaN for a constant row', () => {
    const c = correlationMatrix([1, 2, 3, 2, 4, 6.5, 3, 2, 1, 5, 5, 5], 4);
    expect(c[0]).toBeCloseTo(1, 12);
    // [1,2,3] against [2,4,6.5]: centred [-1,0,1] and [-2.1667,-0.1667,2.3333].
    expect(c[1]).toBeCloseTo(4.5 / Math.sqrt(2 * (2.1666667 ** 2 + 0.1666667 ** 2 + 2.3333333 ** 2)), 6);
    expect(c[2]).toBeCloseTo(-1, 12);
    expect(c[3]).toBeNaN();
    expect(c[4]).toBe(c[1]);
  });

  it('scores −Σ(log(λ + 1e-5) + 1/(λ + 1e-5)) over the eigenvalues', () => {
    const k = 1e-5;
    expect(jacobCovScore(Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]))).toBeCloseTo(
      -3 * (Math.log(1 + k) + 1 / (1 + k)),
      10,
    );
    // [[1, r], [r, 1]] has eigenvalues 1 ± r.
    const r = 0.6;
    expect(jacobCovScore(Float64Array.from([1, r, r, 1]))).toBeCloseTo(
      -(Math.log(1 + r + k) + 1 / (1 + r + k) + Math.log(1 - r + k) + 1 / (1 - r + k)),
      10,
    );
    expect(jacobCovScore(Float64Array.from([1, Number.NaN, Number.NaN, 1]))).toBeNaN();
  });
});
