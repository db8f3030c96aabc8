import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec.js';

describe('checkpoint codec', () => {
  it('round-trips Float32Arrays bit for bit, views included, and non-finite numbers', () => {
    const weights = new Float32Array([0.1, -2.5e-30, 3.4e38, Number.NaN, -0]);
    const view = new Float32Array(new Float32Array([9, 8, 7, 6]).buffer, 4, 2);
    const back = decodeCheckpoint(
      encodeCheckpoint({
        weights,
        view,
        scores: [1.5, Number.NaN, Number.NEGATIVE_INFINITY],
        nested: { s: 'x' },
      }),
    ) as { weights: Float32Array; view: Float32Array; scores: number[]; nested: { s: string } };
    expect(back.weights).toBeInstanceOf(Float32Array);
    expect(new Uint8Array(back.weights.buffer)).toEqual(new Uint8Array(weights.buffer));
    expect([...back.view]).toEqual([8, 7]);
    expect(back.scores).toEqual([1.5, Number.NaN, Number.NEGATIVE_INFINITY]);
    expect(back.nested).toEqual({ s: 'x' });
  });
});
