import type { SpaceEncoding } from '@archlab/core';

/** Which inputs the surrogate sees; see `ArchFeatures`. */
export const FEATURE_KINDS = ['onehot', 'paths', 'onehot+paths'] as const;
export type FeatureKind = (typeof FEATURE_KINDS)[number];

type Decisions = SpaceEncoding<unknown>['decisions'];

/** Paths give up beyond this many features (a big DAG): the surrogate would get slow for little gain. */
const MAX_PATH_FEATURES = 1024;
const EDGE_NAME = /^\s*(\d+)\s*->\s*(\d+)\s*$/;

/**
 * Turns an encoding (one choice index per decision) into the surrogate's input row.
 *
 * - `onehot`: one bit per (decision, choice).
 * - `paths`: the path encoding of BANANAS (White et al. 2021), for cell spaces whose decisions
 *   are the edges of a DAG, named `from->to` (NAS-Bench-201: `0->1`, …, `2->3`): one bit per
 *   path from the lowest-numbered node to the highest together with the choice on each of its
 *   edges, set when every edge of the path carries that choice. An edge holding the empty
 *   choice (`none`) cuts the path, so cells that compute the same function mostly get the
 *   same row. Fitted on 100 random NAS-Bench-201 cells it ranks unseen ones better than
 *   one-hot (Spearman 0.83 against 0.78), yet in the searches one-hot did better (BANANAS on
 *   CIFAR-10: optimum in 20 of 20 seeds against 9 of 10): their candidates are one-edge
 *   changes of good cells, which one-hot always tells apart and paths sometimes do not.
 * - `onehot+paths`: both, concatenated.
 *
 * Where the decisions are not such a DAG (or it has more than 1,024 path features), `paths`
 * and `onehot+paths` fall back to `onehot`; `usesPaths` says which happened.
 */
export class ArchFeatures {
  readonly size: number;
  readonly usesPaths: boolean;
  private readonly onehotOffsets: readonly number[] | undefined;
  private readonly paths: readonly PathFeature[];
  private readonly pathsOffset: number;

  constructor(decisions: Decisions, emptyChoice: string, kind: FeatureKind) {
    const paths = kind === 'onehot' ? undefined : dagPaths(decisions, emptyChoice);
    this.usesPaths = paths !== undefined;
    let size = 0;
    if (kind !== 'paths' || !paths) {
      const offsets: number[] = [];
      for (const d of decisions) {
        offsets.push(size);
        size += d.choices.length;
      }
      this.onehotOffsets = offsets;
    }
    this.pathsOffset = size;
    this.paths = paths ?? [];
    for (const p of this.paths) size += p.width;
    this.size = size;
  }

  /** Writes the row of `code` into `out` at `offset` (the `size` entries there are overwritten). */
  write(code: readonly number[], out: Float32Array, offset = 0): void {
    out.fill(0, offset, offset + this.size);
    if (this.onehotOffsets) {
      for (const [d, o] of this.onehotOffsets.entries()) out[offset + o + code[d]!] = 1;
    }
    let at = offset + this.pathsOffset;
    for (const p of this.paths) {
      let index = 0;
      let live = true;
      for (const [k, d] of p.decisions.entries()) {
        const rank = p.ranks[k]![code[d]!]!;
        if (rank < 0) {
          live = false;
          break;
        }
        index = index * p.radix[k]! + rank;
      }
      if (live) out[at + index] = 1;
      at += p.width;
    }
  }

  /** Rows for many codes, row-major. */
  matrix(codes: readonly (readonly number[])[]): Float32Array {
    const out = new Float32Array(codes.length * this.size);
    for (const [i, c] of codes.entries()) this.write(c, out, i * this.size);
    return out;
  }
}

interface PathFeature {
  /** The decisions (edges) along the path, from source to sink. */
  readonly decisions: readonly number[];
  /** Per edge: choice index → its rank among the non-empty choices, or -1 for the empty one. */
  readonly ranks: readonly (readonly number[])[];
  readonly radix: readonly number[];
  readonly width: number;
}

/** Every source→sink path of the DAG the decisions spell, or undefined when they spell none. */
function dagPaths(decisions: Decisions, emptyChoice: string): PathFeature[] | undefined {
  const edges: { from: number; to: number; decision: number }[] = [];
  for (const [i, d] of decisions.entries()) {
    const m = EDGE_NAME.exec(d.name);
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = Number(m[2]);
    if (from >= to) return undefined;
    edges.push({ from, to, decision: i });
  }
  if (edges.length === 0) return undefined;
  const source = Math.min(...edges.map((e) => e.from));
  const sink = Math.max(...edges.map((e) => e.to));
  const found: number[][] = [];
  const walk = (node: number, path: number[]) => {
    if (node === sink) {
      found.push(path);
      return;
    }
    for (const e of edges) if (e.from === node) walk(e.to, [...path, e.decision]);
  };
  walk(source, []);
  const out: PathFeature[] = [];
  let total = 0;
  for (const path of found) {
    const ranks = path.map((d) => {
      let r = 0;
      return decisions[d]!.choices.map((c) => (c === emptyChoice ? -1 : r++));
    });
    const radix = ranks.map((r) => r.filter((x) => x >= 0).length);
    const width = radix.reduce((a, b) => a * b, 1);
    total += width;
    if (total > MAX_PATH_FEATURES) return undefined;
    out.push({ decisions: path, ranks, radix, width });
  }
  return out.length ? out : undefined;
}
