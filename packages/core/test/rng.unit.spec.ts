import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/index.js';

describe('Rng', () => {
  it('gives the same sequence for the same seed and a different one for another', () => {
    const a = Rng.fromSeed(42);
    const b = Rng.fromSeed(42);
    const c = Rng.fromSeed(43);
    const xs = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('restores exactly from a serialized state', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 0, max: 500 }), (seed, skip) => {
        const r = Rng.fromSeed(seed);
        for (let i = 0; i < skip; i++) r.float();
        const copy = Rng.fromState(JSON.parse(JSON.stringify(r.state())));
        return (
          Array.from({ length: 20 }, () => r.int(1000)).join() ===
          Array.from({ length: 20 }, () => copy.int(1000)).join()
        );
      }),
    );
  });

  it('draws integers in range with roughly uniform frequencies', () => {
    const r = Rng.fromSeed(1);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 50_000; i++) counts[r.int(5)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    const f = Array.from({ length: 10_000 }, () => r.float());
    expect(Math.min(...f)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...f)).toBeLessThan(1);
  });

  it('forks independent streams without advancing the parent', () => {
    const r = Rng.fromSeed(5);
    const before = r.state();
    const f1 = r.fork('a');
    const f2 = r.fork('b');
    expect(r.state()).toEqual(before);
    expect(f1.nextUint32()).not.toBe(f2.nextUint32());
    expect(Rng.fromSeed(5).fork('a').nextUint32()).toBe(Rng.fromSeed(5).fork('a').nextUint32());
  });

  it('rejects bad states and ranges', () => {
    expect(() => Rng.fromState([1, 2, 3] as unknown as [number, number, number, number])).toThrow(TypeError);
    expect(() => Rng.fromSeed(1).int(0)).toThrow(RangeError);
    expect(() => Rng.fromSeed(1).sample([1, 2], 3)).toThrow(RangeError);
  });
});
