import { InvalidOptionError, MalformedArchitectureError, parseOptions, Rng } from '@archlab/core';
import { searchSpaceContract } from '@archlab/core/testing';
import { describe, expect, it } from 'vitest';
import { NB201_OPS, type Nb201Arch } from './nb201-arch.js';
import { nb201Space, nb201SpaceFactory } from './nb201-space.js';

const VALID = '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|';

const MALFORMED = [
  '',
  'garbage',
  '0,1,2,3,4,0',
  '|none~0|',
  '|none~0|+|none~0|none~1|',
  `${VALID}+|none~0|`,
  `${VALID}+`,
  '++',
  '|none~0|+|none~0|+|none~0|none~1|none~2|',
  '|none~0|none~0|+|none~0|none~1|+|none~0|none~1|none~2|',
  '|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|',
  '|NONE~0|+|none~0|none~1|+|none~0|none~1|none~2|',
  '|none~1|+|none~0|none~1|+|none~0|none~1|none~2|',
  '|none~0|+|none~1|none~0|+|none~0|none~1|none~2|',
  '|none~0|+|none~0|none~1|+|none~0|none~1|none~3|',
  '|none~0|+|none~0|none~01|+|none~0|none~1|none~2|',
  '|none0|+|none~0|none~1|+|none~0|none~1|none~2|',
  '|none~~0|+|none~0|none~1|+|none~0|none~1|none~2|',
  '|none~0||+|none~0|none~1|+|none~0|none~1|none~2|',
  '||+|none~0|none~1|+|none~0|none~1|none~2|',
  VALID.slice(0, -1),
  VALID.slice(1),
  ` ${VALID}`,
  `${VALID}\n`,
  `${VALID}x`,
  `x${VALID}`,
  '|none ~0|+|none~0|none~1|+|none~0|none~1|none~2|',
  VALID.replace('~', '\u223c'), // a tilde lookalike
  VALID.replaceAll('|', '/'),
];

searchSpaceContract('nb201', () => nb201SpaceFactory.create({}), MALFORMED);

function differingEdges(a: Nb201Arch, b: Nb201Arch): number[] {
  return a.flatMap((op, e) => (op === b[e] ? [] : [e]));
}

describe('nb201 space', () => {
  const space = nb201Space;

  it('has 15,625 architectures; its options size the network, defaults the benchmark', () => {
    expect(space.name).toBe('nb201');
    expect(space.size).toBe(15_625);
    // The benchmark's network: the very same space, no options recorded on it.
    expect(nb201SpaceFactory.create({})).toBe(nb201Space);
    expect(nb201SpaceFactory.create({ channels: 16, cells: 5, 'stem-stride': 1 })).toBe(nb201Space);
    const small = nb201SpaceFactory.create({ channels: 8, cells: 1, 'stem-stride': 2 });
    expect(small.options).toEqual({ channels: 8, cells: 1, 'stem-stride': 2 });
    // Only the network changes: the same cells under the same keys.
    expect(small.key(small.parse(VALID))).toBe(VALID);
    expect(small.size).toBe(15_625);
    expect(nb201SpaceFactory.create({ cells: 2 }).options).toEqual({
      channels: 16,
      cells: 2,
      'stem-stride': 1,
    });
    expect(() => parseOptions('space nb201', nb201SpaceFactory.options!, { layers: 5 })).toThrow(
      /unknown option 'layers'; known options: channels, cells, stem-stride/,
    );
    expect(() => nb201SpaceFactory.create({ channels: 0 })).toThrow(InvalidOptionError);
    expect(() => nb201SpaceFactory.create({ 'stem-stride': 5 })).toThrow(/stem-stride/);
  });

  it('samples each op about equally on each edge', () => {
    const rng = Rng.fromSeed(1);
    const counts = Array.from({ length: 6 }, () => new Array<number>(5).fill(0));
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      space.sample(rng).forEach((op, e) => {
        counts[e]![op]!++;
      });
    }
    for (const edge of counts) for (const c of edge) expect(Math.abs(c / n - 0.2)).toBeLessThan(0.02);
  });

  it('mutates exactly one edge to a different op, every edge and op reachable', () => {
    const rng = Rng.fromSeed(2);
    const edges = new Set<number>();
    const ops = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const arch = space.sample(rng);
      const child = space.mutate!(arch, rng);
      const diff = differingEdges(arch, child);
      expect(diff).toHaveLength(1);
      edges.add(diff[0]!);
      ops.add(child[diff[0]!]!);
    }
    expect(edges.size).toBe(6);
    expect(ops.size).toBe(5);
  });

  it('does not change the architecture it mutates', () => {
    const arch: Nb201Arch = [0, 1, 2, 3, 4, 0];
    space.mutate!(arch, Rng.fromSeed(3));
    expect(arch).toEqual([0, 1, 2, 3, 4, 0]);
  });

  it('lists the 24 single-edge changes, edge by edge, ops in order', () => {
    const arch: Nb201Arch = [0, 1, 2, 3, 4, 0];
    const ns = space.neighbours!(arch);
    expect(ns).toHaveLength(24);
    for (const n of ns) expect(differingEdges(arch, n)).toHaveLength(1);
    expect(new Set(ns.map((n) => space.key(n))).size).toBe(24);
    expect(ns.slice(0, 4)).toEqual([
      [1, 1, 2, 3, 4, 0],
      [2, 1, 2, 3, 4, 0],
      [3, 1, 2, 3, 4, 0],
      [4, 1, 2, 3, 4, 0],
    ]);
    expect(ns[4]).toEqual([0, 0, 2, 3, 4, 0]);
    expect(space.neighbours!(arch)).toEqual(ns);
  });

  it('encodes as 6 decisions over the op names', () => {
    const { decisions, encode, decode } = space.encoding!;
    expect(decisions.map((d) => d.name)).toEqual(['0->1', '0->2', '1->2', '0->3', '1->3', '2->3']);
    for (const d of decisions) expect(d.choices).toEqual([...NB201_OPS]);
    expect(encode([4, 3, 2, 1, 0, 4])).toEqual([4, 3, 2, 1, 0, 4]);
    expect(decode([4, 3, 2, 1, 0, 4])).toEqual([4, 3, 2, 1, 0, 4]);
    expect(() => decode([5, 0, 0, 0, 0, 0])).toThrow(MalformedArchitectureError);
    expect(() => decode([0, 0, 0])).toThrow(MalformedArchitectureError);
  });
});
