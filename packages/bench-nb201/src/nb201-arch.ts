import { MalformedArchitectureError } from '@archlab/core';

/** The five candidate operations of an edge, in the benchmark's order (an op index points into this). */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201Op = (typeof NB201_OPS)[number];

/** The six edges of the 4-node cell as `[from, to]`, in the order of the benchmark's string. */
export const NB201_EDGES = [
  [0, 1],
  [0, 2],
  [1, 2],
  [0, 3],
  [1, 3],
  [2, 3],
] as const;

/** Number of architectures in the space: 5 ops on each of 6 edges. */
export const NB201_SIZE = NB201_OPS.length ** NB201_EDGES.length;

/**
 * A NAS-Bench-201 cell: one op index (into NB201_OPS) per edge, in NB201_EDGES order
 * (0→1, 0→2, 1→2, 0→3, 1→3, 2→3).
 */
export type Nb201Arch = readonly [number, number, number, number, number, number];
type MutableArch = [number, number, number, number, number, number];

const OP_NAMES: ReadonlySet<string> = new Set(NB201_OPS);
const FORMAT = "'|op~0|+|op~0|op~1|+|op~0|op~1|op~2|'";

/** True when `x` is an array of 6 whole numbers in [0, 5). */
export function isNb201Arch(x: unknown): x is Nb201Arch {
  return (
    Array.isArray(x) &&
    x.length === NB201_EDGES.length &&
    x.every((op) => Number.isInteger(op) && op >= 0 && op < NB201_OPS.length)
  );
}

/** The benchmark's canonical string, e.g. `|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|`. */
export function nb201Key(arch: Nb201Arch): string {
  const op = (e: number) => NB201_OPS[arch[e]!];
  return `|${op(0)}~0|+|${op(1)}~0|${op(2)}~1|+|${op(3)}~0|${op(4)}~1|${op(5)}~2|`;
}

/** The position of `arch` in `enumerateNb201()`: its op indices read as a base-5 number, edge 0→1 first. */
export function nb201Index(arch: Nb201Arch): number {
  let index = 0;
  for (let e = 0; e < NB201_EDGES.length; e++) index = index * NB201_OPS.length + arch[e]!;
  return index;
}

/** Inverse of `nb201Index`. */
export function nb201FromIndex(index: number): Nb201Arch {
  if (!Number.isInteger(index) || index < 0 || index >= NB201_SIZE) {
    throw new RangeError(`a NAS-Bench-201 index is a whole number in [0, ${NB201_SIZE}), got ${index}`);
  }
  const ops: MutableArch = [0, 0, 0, 0, 0, 0];
  for (let e = NB201_EDGES.length - 1; e >= 0; e--) {
    ops[e] = index % NB201_OPS.length;
    index = Math.floor(index / NB201_OPS.length);
  }
  return ops;
}

/** All 15,625 architectures, in index order (base-5 counting over the edges, edge 0→1 most significant). */
export function enumerateNb201(): Nb201Arch[] {
  return Array.from({ length: NB201_SIZE }, (_, i) => nb201FromIndex(i));
}

// The fixed text around the six op names of a canonical string.
const SEPARATORS = ['|', '~0|+|', '~0|', '~1|+|', '~0|', '~1|', '~2|'] as const;

// Which op starts at `pos`, from at most two characters; -1 for none. The caller checks the whole name.
function opAt(s: string, pos: number): number {
  switch (s.charCodeAt(pos)) {
    case 0x6e: // n: none, nor_conv_1x1, nor_conv_3x3
      if (s.charCodeAt(pos + 2) === 0x6e) return 0;
      return s.charCodeAt(pos + 9) === 0x31 ? 2 : 3;
    case 0x73: // s
      return 1;
    case 0x61: // a
      return 4;
    default:
      return -1;
  }
}

/**
 * The index (`nb201Index`) of the canonical string `s.slice(start, end)`, or -1 when it is not
 * one. Reads the characters in place, without slicing or splitting, because the table loader
 * runs it 15,625 times and load time matters.
 */
export function nb201IndexOfKey(s: string, start = 0, end = s.length): number {
  let pos = start;
  let index = 0;
  for (let e = 0; e < NB201_EDGES.length; e++) {
    const sep = SEPARATORS[e]!;
    if (!s.startsWith(sep, pos)) return -1;
    pos += sep.length;
    const op = opAt(s, pos);
    if (op < 0) return -1;
    const name = NB201_OPS[op]!;
    if (!s.startsWith(name, pos)) return -1;
    pos += name.length;
    index = index * NB201_OPS.length + op;
  }
  const last = SEPARATORS[NB201_EDGES.length]!;
  return s.startsWith(last, pos) && pos + last.length === end ? index : -1;
}

/**
 * Parses the benchmark's canonical string and nothing else: three nodes separated by `+`, node
 * j listing its j input edges `op~i` for i = 0..j-1 in order, each between `|` characters. The
 * reason in the error names the first thing that is wrong.
 */
export function parseNb201Key(key: string, space = 'nb201'): Nb201Arch {
  const index = nb201IndexOfKey(key);
  if (index >= 0) return nb201FromIndex(index);
  // Not canonical: walk it again, slowly, to say what is wrong.
  const fail = (reason: string): never => {
    throw new MalformedArchitectureError(space, key, reason);
  };
  if (key === '') fail(`empty string; expected ${FORMAT}`);
  const ws = /\s/.exec(key);
  if (ws) fail(`stray whitespace at position ${ws.index}; expected ${FORMAT} with no spaces`);
  const first = key.indexOf('|');
  if (first < 0) fail(`no '|' in it; expected ${FORMAT}`);
  if (first > 0) fail(`stray characters '${key.slice(0, first)}' before the first '|'`);
  const tail = key.slice(key.lastIndexOf('|') + 1);
  // A tail with '~' is an unclosed edge, which the node check below reports better.
  if (tail !== '' && !tail.includes('~')) fail(`stray characters '${tail}' after the last '|'`);
  const nodes = key.split('+');
  if (nodes.length !== 3) {
    fail(`expected 3 nodes separated by '+', found ${nodes.length}; expected ${FORMAT}`);
  }
  nodes.forEach((node, n) => {
    const target = n + 1;
    if (node.length < 2 || !node.startsWith('|') || !node.endsWith('|')) {
      fail(`node ${target} must be its input edges between '|' characters, like '|op~0|', found '${node}'`);
    }
    const edges = node.slice(1, -1).split('|');
    if (edges.length !== target) {
      fail(
        `node ${target} must have ${target} input edge${target > 1 ? 's' : ''}, found ${edges.length} in '${node}'`,
      );
    }
    edges.forEach((edge, from) => {
      const tilde = edge.lastIndexOf('~');
      if (tilde < 0) fail(`edge '${edge}' into node ${target} has no '~${from}' naming its input node`);
      const input = edge.slice(tilde + 1);
      if (input !== String(from)) {
        fail(
          `edge ${from + 1} of node ${target} must come from node ${from} ('~${from}'), found '~${input}' in '${edge}'`,
        );
      }
      const name = edge.slice(0, tilde);
      if (!OP_NAMES.has(name)) {
        fail(
          `unknown operation '${name}' on edge ${from}→${target}; valid operations: ${NB201_OPS.join(', ')}`,
        );
      }
    });
  });
  // Unreachable while the two parsers agree; kept so a disagreement is an error, not a wrong architecture.
  return fail(`not the canonical form ${FORMAT}`);
}
