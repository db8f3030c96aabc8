import { MalformedArchitectureError } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import { scaledKey, splitScaledKey } from './scaled-key.js';

describe('scaled keys', () => {
  it('write the three multipliers, then the base key, and read back the same', () => {
    const m = { depth: 1.44, width: 1, resolution: 1.323 };
    const key = scaledKey(m, 'r24-k35e46');
    expect(key).toBe('d1.44,w1,r1.323:r24-k35e46');
    expect(splitScaledKey('s', key)).toEqual({ m, base: 'r24-k35e46' });
  });

  it.each([
    ['r24-k35e46', /no ':'/],
    ['d1,w1:r24', /2 multipliers before ':'/],
    ['w1,d1,r1:r24', /multiplier 1 'w1' is not the depth multiplier 'd…'/],
    ['d1.20,w1,r1:r24', /depth multiplier '1.20' is not a number from 1 to 16/],
    ['d1,w0.9,r1:r24', /width multiplier '0.9'/],
    ['d1,w1,r1.2345:r24', /resolution multiplier '1.2345'/],
    ['d1,w1,r17:r24', /resolution multiplier '17'/],
    ['d01,w1,r1:r24', /depth multiplier '01'/],
    ['d1,w1,r1.:r24', /resolution multiplier '1.'/],
  ])('%j is malformed, saying why', (key, reason) => {
    expect(() => splitScaledKey('mbv3-scaled', key)).toThrow(MalformedArchitectureError);
    expect(() => splitScaledKey('mbv3-scaled', key)).toThrow(reason);
  });
});
