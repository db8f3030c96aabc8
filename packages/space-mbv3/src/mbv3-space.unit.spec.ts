import { InvalidOptionError, MalformedArchitectureError, Rng } from '@archlab/core';
import { neighbourWalk, searchSpaceContract } from '@archlab/core/testing';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MBV3_CONFIG, type Mbv3Arch, mbv3Key } from './mbv3-arch.js';
import { describeMbv3Network, mbv3NetworkConfig } from './mbv3-network.js';
import {
  mbv3CoveringArchitectures,
  mbv3Space,
  mbv3SpaceFactory,
  mbv3SpaceSize,
  SMALL_MBV3_OPTIONS,
} from './mbv3-space.js';

searchSpaceContract('mbv3', () => mbv3SpaceFactory.create({}), [
  '',
  'r28',
  'r28-k33e33-k33e33-k33e33',
  'r28-k33e33-k33e33-k33e33-k33e33-k33e33',
  'r30-k33e33-k33e33-k33e33-k33e33',
  'x28-k33e33-k33e33-k33e33-k33e33',
  'r28-k33e33-k3e33-k33e33-k33e33',
  'r28-k33e33-k33e33-k39e33-k33e33',
  'r28-k33e33-k33e33-k33e35-k33e33',
  'r28-k33e33-k33e33-k33333e33333-k33e33',
  'r28-k33e33-k33e33-k33e33-k33e33 ',
  'r28-k33e33-k33e33--k33e33',
]);

searchSpaceContract(
  'mbv3 with two stages, one resolution and one depth',
  () => mbv3Space({ resolutions: '16', depths: '3', widths: '8,16', strides: '2,2', kernels: '3,5' }),
  ['r16-k333e444-k33e44', 'r24-k333e444-k333e444'],
);

/** The reason of the MalformedArchitectureError that parsing `key` throws. */
function reason(key: string, options: Record<string, unknown> = {}): string {
  try {
    mbv3Space(options).parse(key);
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedArchitectureError);
    return (err as MalformedArchitectureError).reason;
  }
  throw new Error(`'${key}' parsed`);
}

describe('mbv3 keys', () => {
  it('round-trips a readable key', () => {
    const space = mbv3Space();
    const key = 'r24-k357e346-k35e46-k3355e6644-k77e33';
    const arch = space.parse(key);
    expect(arch.resolution).toBe(24);
    expect(arch.stages.map((s) => s.length)).toEqual([3, 2, 4, 2]);
    expect(arch.stages[0]).toEqual([
      { kernel: 3, expand: 3 },
      { kernel: 5, expand: 4 },
      { kernel: 7, expand: 6 },
    ]);
    expect(space.key(arch)).toBe(key);
    expect(mbv3Key(arch)).toBe(key);
  });

  it('names the bad token and what is wrong with it', () => {
    expect(reason('')).toMatch(/^empty string; expected a resolution and a token per stage, like 'r28-/);
    expect(reason('r28-k33e33-k33e33-k33e33')).toMatch(
      /^4 tokens; this space takes a resolution and 4 stage tokens/,
    );
    expect(reason('r28-k33e33-k33e33-k33e33-k33e33 ')).toMatch(/stray whitespace at position 31/);
    expect(reason('28-k33e33-k33e33-k33e33-k33e33')).toBe("token 1 '28' is not a resolution like 'r28'");
    expect(reason('r30-k33e33-k33e33-k33e33-k33e33')).toBe(
      "token 1 'r30': resolution 30 is not one of 20, 24, 28",
    );
    expect(reason('r28-k33e33-k3e33-k33e33-k33e33')).toBe(
      "token 3 'k3e33' (stage 2) has 1 kernel but 2 expand ratios; give one of each per block",
    );
    expect(reason('r28-k33e33-k33e33--k33e33')).toBe(
      "token 4 '' (stage 3) is not kernels then expand ratios, a digit per block, like 'k357e346'",
    );
    expect(reason('r28-k33e33-k33e33-k33e33-e33k33')).toMatch(/^token 5 'e33k33' \(stage 4\) is not kernels/);
    expect(reason('r28-k33333e33333-k33e33-k33e33-k33e33')).toBe(
      "token 2 'k33333e33333' (stage 1): depth 5 is not one of 2, 3, 4",
    );
    expect(reason('r28-k33e33-k33e33-k39e33-k33e33')).toBe(
      "token 4 'k39e33' (stage 3): kernel 9 is not one of 3, 5, 7",
    );
    expect(reason('r28-k33e33-k33e33-k33e33-k33e35')).toBe(
      "token 5 'k33e35' (stage 4): expand ratio 5 is not one of 3, 4, 6",
    );
    // The error is one line that names the space and echoes the key.
    expect(() => mbv3Space().parse('r30-k33e33-k33e33-k33e33-k33e33')).toThrow(
      "malformed mbv3 architecture 'r30-k33e33-k33e33-k33e33-k33e33': token 1 'r30': resolution 30",
    );
  });
});

describe('mbv3 sampling and moves', () => {
  const space = mbv3Space();

  it('samples uniformly over resolution, depth, kernel and expand ratio, the same from the same seed', () => {
    const rng = Rng.fromSeed(5);
    const archs = Array.from({ length: 3000 }, () => space.sample(rng));
    const share = (f: (a: Mbv3Arch) => boolean) => archs.filter(f).length / archs.length;
    for (const r of [20, 24, 28]) expect(share((a) => a.resolution === r)).toBeCloseTo(1 / 3, 1);
    for (const d of [2, 3, 4]) expect(share((a) => a.stages[2]!.length === d)).toBeCloseTo(1 / 3, 1);
    for (const k of [3, 5, 7]) expect(share((a) => a.stages[1]![0]!.kernel === k)).toBeCloseTo(1 / 3, 1);
    for (const e of [3, 4, 6]) expect(share((a) => a.stages[3]![1]!.expand === e)).toBeCloseTo(1 / 3, 1);
    const again = Rng.fromSeed(5);
    expect(archs.slice(0, 20).map(mbv3Key)).toEqual(
      Array.from({ length: 20 }, () => mbv3Key(space.sample(again))),
    );
  });

  it('mutates one choice: the resolution, a depth, a kernel or an expand ratio', () => {
    const rng = Rng.fromSeed(6);
    const arch = space.parse('r24-k357e346-k35e46-k3355e6644-k77e33');
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const child = space.mutate(arch, rng);
      const a = mbv3Key(arch).split('-');
      const c = mbv3Key(child).split('-');
      const changed = a.map((t, j) => (t === c[j] ? '' : String(j))).filter(Boolean);
      expect(changed).toHaveLength(1);
      seen.add(
        changed[0] === '0'
          ? 'resolution'
          : c[Number(changed[0])]!.length === a[Number(changed[0])]!.length
            ? 'block'
            : 'depth',
      );
    }
    expect([...seen].sort()).toEqual(['block', 'depth', 'resolution']);
  });

  it('lists neighbours one choice away, deeper stages repeating their last block', () => {
    const arch = space.parse('r20-k33e33-k33e33-k33e33-k57e46');
    const keys = space.neighbours(arch).map(mbv3Key);
    expect(keys.slice(0, 2)).toEqual(['r24-k33e33-k33e33-k33e33-k57e46', 'r28-k33e33-k33e33-k33e33-k57e46']);
    expect(keys).toContain('r20-k33e33-k33e33-k33e33-k577e466');
    expect(keys).toContain('r20-k33e33-k33e33-k33e33-k5777e4666');
    expect(keys).toContain('r20-k33e33-k33e33-k33e33-k37e46');
    expect(keys).toContain('r20-k33e33-k33e33-k33e33-k57e43');
    // 2 resolutions, 2 other depths per stage, 2 other kernels and 2 other ratios per block
    expect(keys).toHaveLength(2 + 4 * 2 + 8 * 4);
  });

  it('encodes to fixed decisions and decodes any choices to a valid architecture', () => {
    const { encoding } = space;
    expect(encoding.decisions).toHaveLength(1 + 4 * (1 + 2 * 4));
    expect(encoding.decisions.slice(0, 4).map((d) => d.name)).toEqual([
      'resolution',
      's1.depth',
      's1.b1.kernel',
      's1.b1.expand',
    ]);
    const code = encoding.encode(space.parse('r28-k57e64-k33e33-k33e33-k333e333'));
    expect(code.slice(0, 10)).toEqual([2, 0, 1, 2, 2, 1, 0, 0, 0, 0]);
    const zeros = encoding.decisions.map(() => 0);
    expect(mbv3Key(encoding.decode(zeros))).toBe('r20-k33e33-k33e33-k33e33-k33e33');
    expect(() => encoding.decode([0])).toThrow(MalformedArchitectureError);
    expect(() => encoding.decode(zeros.map((c, i) => (i === 1 ? 3 : c)))).toThrow(MalformedArchitectureError);
  });
});

describe('mbv3 options and size', () => {
  it('has defaults and checks its options', () => {
    expect(mbv3Space().config).toEqual(DEFAULT_MBV3_CONFIG);
    expect(mbv3Space({ resolutions: '32, 16' }).config.resolutions).toEqual([16, 32]);
    expect(() => mbv3Space({ kernels: '3,4' })).toThrow(InvalidOptionError);
    expect(() => mbv3Space({ kernels: '3,4' })).toThrow(
      "mbv3: option 'kernels' is whole numbers in [1, 9] (odd) separated by commas; '4' is not one",
    );
    expect(() => mbv3Space({ expands: '3,10' })).toThrow(/option 'expands' .* '10' is not one/);
    expect(() => mbv3Space({ depths: '2,2' })).toThrow(/option 'depths' lists a value twice/);
    // Compound scaling deepens stages beyond the elastic choices: a key spells any depth.
    const deep = mbv3Space({ depths: '2,12' });
    const key = 'r28-k333333333333e666666666666-k33e33-k33e33-k33e33';
    expect(deep.key(deep.parse(key))).toBe(key);
    expect(() => mbv3Space({ depths: '33' })).toThrow(/option 'depths' is whole numbers in \[1, 32\]/);
    expect(() => mbv3Space({ resolutions: '0' })).toThrow(/option 'resolutions' .* '0' is not one/);
    expect(() => mbv3Space({ widths: '16,24', strides: '1,2,2' })).toThrow(
      "mbv3: options 'widths' (2 stages) and 'strides' (3) need one entry per stage each",
    );
    expect(() => mbv3Space({ widths: '16,x' })).toThrow(/option 'widths' .* one per stage; 'x' is not one/);
    expect(() => mbv3Space({ stem: 0 })).toThrow(/option 'stem' must be at least 1/);
    expect(() => mbv3Space({ depth: 3 })).toThrow(/unknown option 'depth'/);
  });

  it('counts its architectures: by enumeration on a small space, by formula on the default one', () => {
    const small = mbv3Space({
      resolutions: '8,12',
      depths: '1,2',
      kernels: '3,5',
      expands: '1',
      widths: '4,8',
      strides: '1,2',
    });
    // Neighbours connect the whole space: a walk over them from one architecture enumerates it.
    const all = neighbourWalk(small, small.sample(Rng.fromSeed(0)));
    // 2 resolutions × (2 + 2²)² stages
    expect(small.size).toBe(2 * 6 ** 2);
    expect(all).toHaveLength(small.size!);
    expect(mbv3SpaceSize(DEFAULT_MBV3_CONFIG)).toBe(3 * (9 ** 2 + 9 ** 3 + 9 ** 4) ** 4);
    expect(mbv3Space({ widths: '8,8,8,8,8', strides: '1,1,1,1,1' }).size).toBeUndefined();
  });

  it('covers every layer at every input of its networks with a few architectures (what a latency table must time)', () => {
    const small = mbv3Space(SMALL_MBV3_OPTIONS);
    const network = mbv3NetworkConfig(small.config, { numClasses: 10 });
    const opsOf = (archs: readonly Mbv3Arch[]) =>
      new Set(
        archs.flatMap((a) =>
          describeMbv3Network(a, network).layers.map((l) => JSON.stringify([l.kind, l.attrs, l.inputShape])),
        ),
      );
    const all: Mbv3Arch[] = [];
    const rng = Rng.fromSeed(1);
    for (let i = 0; i < 2000; i++) all.push(small.sample(rng));
    const cover = mbv3CoveringArchitectures(small.config);
    expect(cover).toHaveLength(2 * 2 * 2);
    for (const a of cover) expect(small.parse(mbv3Key(a))).toEqual(a);
    expect([...opsOf(all)].filter((op) => !opsOf(cover).has(op))).toEqual([]);
  });
});
