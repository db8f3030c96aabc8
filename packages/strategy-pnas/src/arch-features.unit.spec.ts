import { nb201Space } from '@archlab/bench-nb201';
import { digitsSpace } from '@archlab/core/testing';
import { describe, expect, it } from 'vitest';
import { ArchFeatures } from './arch-features.js';

const nb201 = nb201Space.encoding!.decisions;
const ones = (f: ArchFeatures, code: number[]) => {
  const row = new Float32Array(f.size);
  f.write(code, row);
  return [...row.entries()].filter(([, v]) => v === 1).map(([i]) => i);
};

describe('ArchFeatures', () => {
  it('one-hot: one bit per decision', () => {
    const f = new ArchFeatures(nb201, 'none', 'onehot');
    expect(f.size).toBe(30);
    expect(ones(f, [0, 1, 2, 3, 4, 0])).toEqual([0, 6, 12, 18, 24, 25]);
  });

  it("paths on NAS-Bench-201: the 100 op sequences along the cell's 4 input→output paths, 'none' cutting a path", () => {
    const f = new ArchFeatures(nb201, 'none', 'paths');
    expect(f.usesPaths).toBe(true);
    // 0→3 (4 ops) + 0→1→3 and 0→2→3 (16 each) + 0→1→2→3 (64).
    expect(f.size).toBe(4 + 16 + 16 + 64);
    expect(ones(f, [0, 0, 0, 0, 0, 0])).toEqual([]);
    // Only the direct edge 0→3 (decision 3) carries an op: one live path.
    expect(ones(f, [0, 0, 0, 3, 0, 0])).toHaveLength(1);
    // Every edge live: all four paths.
    expect(ones(f, [1, 2, 3, 4, 1, 2])).toHaveLength(4);
    // A dead end (0→1 with nothing leaving node 1) adds no path: same row as without it.
    expect(ones(f, [2, 0, 0, 3, 0, 0])).toEqual(ones(f, [0, 0, 0, 3, 0, 0]));
  });

  it('onehot+paths concatenates both', () => {
    const both = new ArchFeatures(nb201, 'none', 'onehot+paths');
    expect(both.size).toBe(130);
    expect(ones(both, [0, 0, 0, 3, 0, 0])).toHaveLength(7);
  });

  it("falls back to one-hot when the decisions are not a DAG's edges", () => {
    const f = new ArchFeatures(digitsSpace().encoding!.decisions, 'none', 'paths');
    expect(f.usesPaths).toBe(false);
    expect(f.size).toBe(20);
  });

  it('writes many rows at once', () => {
    const f = new ArchFeatures(nb201, 'none', 'onehot');
    const m = f.matrix([
      [0, 0, 0, 0, 0, 0],
      [4, 4, 4, 4, 4, 4],
    ]);
    expect(m.length).toBe(60);
    expect(m[0]).toBe(1);
    expect(m[30 + 4]).toBe(1);
  });
});
