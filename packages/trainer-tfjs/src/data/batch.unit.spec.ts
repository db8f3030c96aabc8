import { Rng } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import { makeBatch } from './batch.js';
import type { Split } from './dataset.js';

// Two 2x3 RGB images: pixel (y, x), channel ch of image i is 10 * (i * 6 + y * 3 + x) + ch.
const shape = [2, 3, 3] as const;
const split: Split = {
  count: 2,
  images: Uint8Array.from({ length: 36 }, (_, k) => 10 * Math.floor(k / 3) + (k % 3)),
  labels: Uint8Array.from([4, 1]),
};
const ds = { imageShape: shape, mean: [0.1, 0.2, 0.3], std: [0.5, 0.25, 2] };
const norm = (v: number, ch: number) => (v / 255 - ds.mean[ch]!) / ds.std[ch]!;

describe('makeBatch', () => {
  it('normalises each channel with the data set mean and std, in the order asked', () => {
    const batch = makeBatch(ds, split, [1, 0]);
    expect(batch.size).toBe(2);
    expect([...batch.labels]).toEqual([1, 4]);
    const expected = [...split.images.subarray(18), ...split.images.subarray(0, 18)].map((v, k) => norm(v, k % 3));
    expect(Array.from(batch.images)).toEqual(expected.map((v) => Math.fround(v)));
  });

  it('crops after zero padding and flips, from the rng: every output pixel is a shifted, maybe mirrored, source pixel or padding', () => {
    const rng = Rng.fromSeed(5);
    const seen = new Set<string>();
    for (let trial = 0; trial < 200; trial++) {
      const batch = makeBatch(ds, split, [0], { padding: 1, flip: true, rng });
      const px = (y: number, x: number, ch: number) => batch.images[(y * 3 + x) * 3 + ch]!;
      // Recover the transformation from where pixel values came from.
      const matches: string[] = [];
      for (const mirror of [false, true]) {
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            let ok = true;
            for (let y = 0; y < 2 && ok; y++) {
              for (let x = 0; x < 3 && ok; x++) {
                const sy = y + dy;
                const sx = (mirror ? 2 - x : x) + dx;
                const inside = sy >= 0 && sy < 2 && sx >= 0 && sx < 3;
                for (let ch = 0; ch < 3; ch++) {
                  const v = inside ? split.images[(sy * 3 + sx) * 3 + ch]! : 0;
                  if (px(y, x, ch) !== Math.fround(norm(v, ch))) ok = false;
                }
              }
            }
            if (ok) matches.push(`${mirror}/${dy}/${dx}`);
          }
        }
      }
      expect(matches.length).toBeGreaterThan(0);
      seen.add(matches[0]!);
    }
    // All 18 transformations turn up.
    expect(seen.size).toBe(18);
  });

  it('is deterministic for a seed', () => {
    const a = makeBatch(ds, split, [0, 1], { padding: 2, flip: true, rng: Rng.fromSeed(1) });
    const b = makeBatch(ds, split, [0, 1], { padding: 2, flip: true, rng: Rng.fromSeed(1) });
    expect(a.images).toEqual(b.images);
  });
});
