import { InvalidOptionError, MalformedArchitectureError, Rng } from '@archlab/core';
import { searchSpaceContract } from '@archlab/core/testing';
import { describe, expect, it } from 'vitest';
import { describeChainNetwork } from './chain-network.js';
import {
  type ChainArch,
  chainKey,
  DEFAULT_CHAIN_CONFIG,
  maxPoolings,
  overPooled,
} from './fmnist-chain-arch.js';
import {
  chainCoveringArchitectures,
  chainSpaceSize,
  fmnistChainSpace,
  fmnistChainSpaceFactory,
} from './fmnist-chain-space.js';

searchSpaceContract('fmnist-chain', () => fmnistChainSpaceFactory.create({}), [
  '',
  'conv3x3-32',
  'conv3x3-32|max_pool|max_pool|max_pool|max_pool|max_pool|max_pool',
  'conv3x3|max_pool',
  'conv3x3-48|max_pool',
  'max_pool-32|identity',
  'identity+skip|identity',
  'conv7x7-32|identity',
  'conv3x3-32 |identity',
]);

searchSpaceContract(
  'fmnist-chain on 4×4 images without skips',
  () => fmnistChainSpace({ imageSize: 4, minDepth: 1, maxDepth: 5, widths: '8,16', skips: false }),
  ['conv3x3-8+skip', 'max_pool|avg_pool|max_pool'],
);

/** The reason of the MalformedArchitectureError that parsing `key` throws. */
function reason(key: string, options: Record<string, unknown> = {}): string {
  try {
    fmnistChainSpace(options).parse(key);
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedArchitectureError);
    return (err as MalformedArchitectureError).reason;
  }
  throw new Error(`'${key}' parsed`);
}

describe('fmnist-chain keys', () => {
  it('round-trips a readable key', () => {
    const space = fmnistChainSpace();
    const key = 'conv3x3-32|max_pool|sep_conv5x5-64+skip|avg_pool|identity|conv5x5-128|sep_conv3x3-16';
    const arch = space.parse(key);
    expect(arch[2]).toEqual({ op: 'sep_conv5x5', width: 64, skip: true });
    expect(arch[1]).toEqual({ op: 'max_pool' });
    expect(space.key(arch)).toBe(key);
  });

  it('says what is wrong with a malformed key', () => {
    expect(reason('')).toMatch(/empty string/);
    expect(reason('conv3x3-32')).toBe('1 layer; this space has 2 to 8');
    expect(reason('identity|'.repeat(8) + 'identity')).toBe('9 layers; this space has 2 to 8');
    expect(reason('conv3x3-32||identity')).toMatch(/layer 2 is empty/);
    expect(reason('conv3x3-32 |identity')).toMatch(/whitespace at position 10/);
    expect(reason('conv7x7-32|identity')).toMatch(
      /layer 1: unknown operation 'conv7x7'; valid operations: conv3x3, conv5x5/,
    );
    expect(reason('identity|conv3x3')).toMatch(/layer 2: 'conv3x3' needs a width, like 'conv3x3-16'/);
    expect(reason('identity|conv3x3-48')).toBe("layer 2: width '48' is not one of 16, 32, 64, 128");
    expect(reason('identity|conv3x3-032')).toMatch(/width '032' is not one of/);
    expect(reason('max_pool-32|identity')).toMatch(/layer 1: 'max_pool' takes no width/);
    expect(reason('max_pool+skip|identity')).toMatch(/'\+skip' applies to convolutions only, not 'max_pool'/);
    expect(reason('conv3x3-32+res|identity')).toMatch(/unknown suffix '\+res'/);
    expect(reason('conv3x3-16+skip|identity', { skips: false })).toMatch(/skip connections are off/);
  });

  it('rejects a chain that pools the image below 1×1, naming the layer', () => {
    // 28 → 14 → 7 → 4 → 2 → 1: five poolings fit, a sixth does not.
    expect(maxPoolings(28)).toBe(5);
    expect(maxPoolings(32)).toBe(5);
    expect(maxPoolings(1)).toBe(0);
    const five = 'max_pool|avg_pool|max_pool|avg_pool|max_pool';
    expect(fmnistChainSpace().parse(five)).toHaveLength(5);
    expect(reason(`${five}|conv3x3-16|avg_pool`)).toBe(
      'layer 7 is pooling number 6, which would halve a 1×1 feature map: a 28×28 image allows at most 5 poolings',
    );
    expect(reason('max_pool|max_pool|max_pool', { imageSize: 4 })).toMatch(/layer 3 is pooling number 3/);
    expect(overPooled(fmnistChainSpace().parse('max_pool|max_pool'), 8, 2)).toMatch(
      /halve a 4×1 feature map/,
    );
  });
});

describe('fmnist-chain moves', () => {
  // Small images make the pooling limit bite often.
  const space = fmnistChainSpace({ imageSize: 4, maxDepth: 6 });
  const valid = (a: ChainArch) => space.key(space.parse(space.key(a))) === space.key(a);

  it('never samples, mutates or lists a chain that pools too much', () => {
    const rng = Rng.fromSeed(11);
    for (let i = 0; i < 300; i++) {
      const arch = space.sample(rng);
      expect(valid(arch)).toBe(true);
      expect(valid(space.mutate(arch, rng))).toBe(true);
    }
    const full = space.parse('max_pool|conv3x3-16|avg_pool');
    const ns = space.neighbours(full);
    expect(ns.every(valid)).toBe(true);
    const keys = ns.map(chainKey);
    expect(keys).toContain('avg_pool|conv3x3-16|avg_pool');
    expect(keys).not.toContain('max_pool|max_pool|avg_pool');
    expect(keys.filter((k) => k.split('|').length === 4).every((k) => k.split('pool').length - 1 === 2)).toBe(
      true,
    );
  });

  it('lists neighbours in a fixed order: op, width and skip changes, removals, insertions', () => {
    const a = space.parse('conv3x3-16+skip|identity');
    const keys = space.neighbours(a).map(chainKey);
    expect(keys.slice(0, 6)).toEqual([
      'conv5x5-16+skip|identity',
      'sep_conv3x3-16+skip|identity',
      'sep_conv5x5-16+skip|identity',
      'max_pool|identity',
      'avg_pool|identity',
      'identity|identity',
    ]);
    expect(keys).toContain('conv3x3-128+skip|identity');
    expect(keys).toContain('conv3x3-16|identity');
    expect(keys).toContain('conv3x3-16+skip|conv5x5-64');
    expect(keys).toContain('conv3x3-16+skip|identity|identity');
    expect(keys).toContain('max_pool|conv3x3-16+skip|identity');
    expect(space.neighbours(a).map(chainKey)).toEqual(keys);
  });

  it('encodes to fixed-length decisions with absent slots, and decodes any choices to a valid chain', () => {
    const { encoding } = fmnistChainSpace();
    const enc = encoding;
    expect(enc.decisions).toHaveLength(8 * 3);
    expect(enc.decisions[0]).toEqual({
      name: 'layer1.op',
      choices: ['conv3x3', 'conv5x5', 'sep_conv3x3', 'sep_conv5x5', 'max_pool', 'avg_pool', 'identity'],
    });
    expect(enc.decisions[6]!.choices.at(-1)).toBe('absent');
    const code = enc.encode(fmnistChainSpace().parse('sep_conv5x5-64+skip|max_pool'));
    expect(code.slice(0, 9)).toEqual([3, 2, 1, 4, 0, 0, 7, 0, 0]);
    // Seven poolings: the sixth and seventh become identity; absent slots drop out.
    const pools = Array.from({ length: 8 }, (_, s) => (s === 3 ? [7, 0, 0] : [4, 0, 0])).flat();
    expect(chainKey(enc.decode(pools))).toBe(
      'max_pool|max_pool|max_pool|max_pool|max_pool|identity|identity',
    );
    expect(() => enc.decode([0, 0])).toThrow(MalformedArchitectureError);
    expect(() => enc.decode(code.map((c, i) => (i === 1 ? 4 : c)))).toThrow(MalformedArchitectureError);
  });

  it('gives chains equal but for identity layers one isomorphism key', () => {
    const s = fmnistChainSpace();
    expect(s.isomorphismKey(s.parse('identity|conv3x3-32|identity|max_pool'))).toBe('conv3x3-32|max_pool');
    expect(s.isomorphismKey(s.parse('identity|identity'))).toBe('identity');
  });
});

describe('fmnist-chain options and size', () => {
  it('has defaults and checks its options', () => {
    expect(fmnistChainSpace().config).toEqual(DEFAULT_CHAIN_CONFIG);
    expect(fmnistChainSpace({ widths: '64, 8,32' }).config.widths).toEqual([8, 32, 64]);
    expect(() => fmnistChainSpace({ minDepth: 5, maxDepth: 3 })).toThrow(InvalidOptionError);
    expect(() => fmnistChainSpace({ widths: '16,x' })).toThrow(/'x' is not one/);
    expect(() => fmnistChainSpace({ widths: '16,16' })).toThrow(/lists a width twice/);
    expect(() => fmnistChainSpace({ depth: 3 })).toThrow(/unknown option 'depth'/);
    expect(fmnistChainSpace({ head: 'flatten' }).config.head).toBe('flatten');
    expect(() => fmnistChainSpace({ head: 'max' })).toThrow(InvalidOptionError);
    expect(fmnistChainSpaceFactory.options).toHaveProperty('imageSize.default', 28);
  });

  it('counts its chains: by enumeration on a small space, by formula on the default one', () => {
    const small = fmnistChainSpace({ imageSize: 2, minDepth: 1, maxDepth: 3, widths: '8', skips: false });
    // per layer: 4 convolutions + identity = 5 plain choices, 2 poolings, at most one pooling
    const count = (d: number) => 5 ** d + d * 2 * 5 ** (d - 1);
    expect(small.size).toBe(count(1) + count(2) + count(3));
    // Neighbours connect the whole space: a walk over them from one chain enumerates it.
    const seen = new Set(['identity']);
    const queue = [small.parse('identity')];
    for (let a = queue.pop(); a; a = queue.pop()) {
      for (const n of small.neighbours(a)) {
        if (!seen.has(small.key(n))) queue.push(n);
        seen.add(small.key(n));
      }
    }
    expect(seen.size).toBe(small.size);
    expect(chainSpaceSize(DEFAULT_CHAIN_CONFIG)).toBeGreaterThan(1e12);
    expect(fmnistChainSpace({ maxDepth: 32 }).size).toBeUndefined();
  });

  it('covers every layer at every input of its networks with a few chains (what a latency table must time)', () => {
    const small = fmnistChainSpace({
      imageSize: 4,
      minDepth: 2,
      maxDepth: 3,
      widths: '4,8',
      head: 'flatten',
    });
    const opsOf = (archs: readonly ChainArch[]) =>
      new Set(
        archs.flatMap((a) =>
          describeChainNetwork(a, { inputShape: [4, 4, 1], head: 'flatten' }).layers.map((l) =>
            JSON.stringify([l.kind, l.attrs, l.inputShape]),
          ),
        ),
      );
    // Every chain of the space, by brute force: all token sequences that parse.
    const tokens = ['max_pool', 'avg_pool', 'identity'].concat(
      ['conv3x3', 'conv5x5', 'sep_conv3x3', 'sep_conv5x5'].flatMap((op) =>
        ['4', '8', '4+skip', '8+skip'].map((w) => `${op}-${w}`),
      ),
    );
    const all: ChainArch[] = [];
    const grow = (prefix: string[]) => {
      if (prefix.length >= 2) {
        try {
          all.push(small.parse(prefix.join('|')));
        } catch {
          return; // over-pooled: so is every longer chain with this prefix
        }
      }
      if (prefix.length < 3) for (const t of tokens) grow([...prefix, t]);
    };
    grow([]);
    expect(all).toHaveLength(small.size!);
    const cover = chainCoveringArchitectures(small.config);
    for (const a of cover) expect(small.parse(chainKey(a))).toEqual(a);
    expect(cover.length).toBeLessThan(all.length / 10);
    expect([...opsOf(all)].filter((op) => !opsOf(cover).has(op))).toEqual([]);
  });
});
