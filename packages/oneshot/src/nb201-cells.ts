import { NB201_EDGES, NB201_OPS, type Nb201Arch } from '@archlab/bench-nb201';
import { ConfigError, type SearchSpace } from '@archlab/core';

/** The six op indices of a NAS-Bench-201 cell, edge 0→1 first: what the supernet takes as a path. */
export type CellPath = Nb201Arch;

/** How a space's architectures map to supernet paths. */
export interface Nb201Cells<A = unknown> {
  toPath(arch: A): CellPath;
  fromPath(path: CellPath): A;
}

/**
 * The space as NAS-Bench-201 cells, for a one-shot method: its encoding must be the cell's six
 * edges with the benchmark's five ops each, in the benchmark's order (what the supernet relaxes).
 * Any other space is a ConfigError naming `who`, thrown before the run starts.
 */
export function nb201Cells<A>(space: SearchSpace<A>, who: string): Nb201Cells<A> {
  const encoding = space.encoding;
  const decisions = encoding?.decisions ?? [];
  const same =
    decisions.length === NB201_EDGES.length &&
    decisions.every(
      (d) => d.choices.length === NB201_OPS.length && d.choices.every((c, i) => c === NB201_OPS[i]),
    );
  if (!encoding || !same) {
    throw new ConfigError(
      `${who} relaxes each edge of a NAS-Bench-201 cell into its ${NB201_OPS.length} ops; space '${space.name}' has no such per-edge op decisions (use --space nb201)`,
    );
  }
  return {
    toPath: (arch) => encoding.encode(arch) as unknown as Nb201Arch,
    fromPath: (path) => encoding.decode(path),
  };
}
