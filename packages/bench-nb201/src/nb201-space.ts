import {
  MalformedArchitectureError,
  type OptionsSpec,
  type OptionValues,
  parseOptions,
  type SearchSpace,
  type SearchSpaceFactory,
} from '@archlab/core';
import {
  isNb201Arch,
  NB201_EDGES,
  NB201_OPS,
  NB201_SIZE,
  type Nb201Arch,
  nb201Key,
  parseNb201Key,
} from './nb201-arch.js';
import { nb201Table } from './nb201-table.js';

const OPS = NB201_OPS.length;

function withOp(arch: Nb201Arch, edge: number, op: number): Nb201Arch {
  const out: [number, number, number, number, number, number] = [...arch];
  out[edge] = op;
  return out;
}

/**
 * The NAS-Bench-201 cell space: 4 nodes, 6 edges, 5 operations per edge, 15,625 cells. Keys
 * are the benchmark's own strings, so a logged key can be looked up in any NAS-Bench-201 tool.
 * Stateless: one instance serves any number of runs.
 */
export const nb201Space: SearchSpace<Nb201Arch> = {
  name: 'nb201',
  size: NB201_SIZE,

  sample(rng) {
    return [rng.int(OPS), rng.int(OPS), rng.int(OPS), rng.int(OPS), rng.int(OPS), rng.int(OPS)];
  },

  key: nb201Key,

  parse: (key) => parseNb201Key(key),

  // As the NAS-Bench-201 paper's regularized evolution: one edge, uniformly, gets a different op, uniformly.
  mutate(arch, rng) {
    const edge = rng.int(NB201_EDGES.length);
    return withOp(arch, edge, (arch[edge]! + 1 + rng.int(OPS - 1)) % OPS);
  },

  neighbours(arch) {
    const out: Nb201Arch[] = [];
    for (let edge = 0; edge < NB201_EDGES.length; edge++) {
      for (let op = 0; op < OPS; op++) if (op !== arch[edge]) out.push(withOp(arch, edge, op));
    }
    return out;
  },

  // The table's UniqueString rather than a recomputation, so it agrees with the benchmark by construction.
  isomorphismKey(arch) {
    const record = nb201Table().record(arch);
    if (!record) throw new MalformedArchitectureError('nb201', `[${arch}]`, 'not 6 op indices in [0, 5)');
    return record.isoKey;
  },

  encoding: {
    decisions: NB201_EDGES.map(([from, to]) => ({ name: `${from}->${to}`, choices: NB201_OPS })),
    encode: (arch) => [...arch],
    decode(choices) {
      if (!isNb201Arch(choices)) {
        throw new MalformedArchitectureError(
          'nb201',
          `[${choices.join(',')}]`,
          `an encoding is ${NB201_EDGES.length} op indices in [0, ${OPS})`,
        );
      }
      return [...choices];
    },
  },
};

/**
 * Options of `--space nb201`: the size of the network its cells are built into (by the `train`
 * estimator, zero-cost proxies and the counters). The defaults are the benchmark's network; the
 * cells, their keys and the table's values are the same whatever they are.
 */
export const NB201_SPACE_OPTIONS = {
  channels: {
    type: 'int',
    default: 16,
    min: 1,
    max: 256,
    description: "C: channels of the network's first stage (NAS-Bench-201: 16)",
  },
  cells: { type: 'int', default: 5, min: 1, max: 10, description: 'N: cells per stage (NAS-Bench-201: 5)' },
  'stem-stride': {
    type: 'int',
    default: 1,
    min: 1,
    max: 4,
    description: 'stride of the stem convolution (NAS-Bench-201: 1; 2 makes 28×28 inputs 4× cheaper)',
  },
} as const satisfies OptionsSpec;

export type Nb201SpaceOptions = OptionValues<typeof NB201_SPACE_OPTIONS>;

/** The nb201 space's options, checked (out of range: InvalidOptionError) and with defaults filled in. */
export function nb201SpaceOptions(options: Readonly<Record<string, unknown>> = {}): Nb201SpaceOptions {
  return parseOptions("space 'nb201'", NB201_SPACE_OPTIONS, options);
}

/** `--space nb201`; its options size the network (`NB201_SPACE_OPTIONS`). */
export const nb201SpaceFactory: SearchSpaceFactory = {
  name: 'nb201',
  description: 'NAS-Bench-201 cell: 4 nodes, 6 edges, 5 ops each (15,625 architectures)',
  options: NB201_SPACE_OPTIONS,
  create(options) {
    const o = nb201SpaceOptions(options);
    const defaults = nb201SpaceOptions();
    const same = (Object.keys(defaults) as (keyof Nb201SpaceOptions)[]).every((k) => o[k] === defaults[k]);
    // The benchmark's own network: the space as it always was, options and all.
    return same ? nb201Space : { ...nb201Space, options: o };
  },
};
