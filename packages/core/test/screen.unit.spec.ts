import { describe, expect, it } from 'vitest';
import { Rng, TopFraction } from '../src/index.js';

describe('TopFraction', () => {
  it('gives the smallest of the best ceil(fraction · n) scores so far, as sorting does', () => {
    const rng = Rng.fromSeed('top-fraction');
    for (const fraction of [0.1, 0.25, 0.3, 0.5, 2 / 3, 0.999, 1]) {
      const top = new TopFraction(fraction);
      const seen: number[] = [];
      for (let n = 1; n <= 300; n++) {
        // Few distinct values, so ties are common.
        const x = rng.int(40) - 20;
        seen.push(x);
        const sorted = [...seen].sort((a, b) => b - a);
        const k = Math.max(1, Math.round(Math.ceil(fraction * n * (1 - 1e-12))));
        const ahead = top.thresholdWith(x);
        expect(top.add(x), `fraction ${fraction}, n ${n}`).toBe(sorted[k - 1]);
        expect(ahead, `thresholdWith: fraction ${fraction}, n ${n}`).toBe(sorted[k - 1]);
        expect(top.size).toBe(n);
      }
    }
  });
});
