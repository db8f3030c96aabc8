import { MalformedArchitectureError } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import {
  enumerateNb201,
  NB201_OPS,
  NB201_SIZE,
  nb201FromIndex,
  nb201Index,
  nb201IndexOfKey,
  nb201Key,
  parseNb201Key,
} from './nb201-arch.js';

const EXAMPLE =
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';

function reasonOf(key: string): string {
  try {
    parseNb201Key(key);
  } catch (e) {
    expect(e).toBeInstanceOf(MalformedArchitectureError);
    return (e as MalformedArchitectureError).reason;
  }
  throw new Error(`'${key}' parsed`);
}

describe('nb201 architecture strings', () => {
  it('writes and reads the benchmark string, edges in order 0→1, 0→2, 1→2, 0→3, 1→3, 2→3', () => {
    expect(parseNb201Key(EXAMPLE)).toEqual([3, 3, 4, 1, 3, 1]);
    expect(nb201Key([3, 3, 4, 1, 3, 1])).toBe(EXAMPLE);
  });

  it('enumerates every architecture once, in index order, and round-trips each', () => {
    const all = enumerateNb201();
    expect(all).toHaveLength(NB201_SIZE);
    expect(all[0]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(all[1]).toEqual([0, 0, 0, 0, 0, 1]);
    expect(all[NB201_SIZE - 1]).toEqual([4, 4, 4, 4, 4, 4]);
    const keys = all.map(nb201Key);
    expect(new Set(keys).size).toBe(NB201_SIZE);
    const wrong = all.filter((arch, i) => {
      const back = parseNb201Key(keys[i]!);
      return (
        nb201Index(arch) !== i || nb201IndexOfKey(keys[i]!) !== i || back.some((op, e) => op !== arch[e])
      );
    });
    expect(wrong).toEqual([]);
  });

  it('reads a key in place inside a longer string', () => {
    const line = `93.66,${EXAMPLE},iso`;
    expect(nb201IndexOfKey(line, 6, 6 + EXAMPLE.length)).toBe(nb201Index([3, 3, 4, 1, 3, 1]));
    expect(nb201IndexOfKey(line, 6, 6 + EXAMPLE.length - 1)).toBe(-1);
    expect(nb201IndexOfKey(line, 6, 6 + EXAMPLE.length + 1)).toBe(-1);
  });

  it('rejects out-of-range indices', () => {
    expect(() => nb201FromIndex(NB201_SIZE)).toThrow(RangeError);
    expect(() => nb201FromIndex(-1)).toThrow(RangeError);
    expect(() => nb201FromIndex(1.5)).toThrow(RangeError);
  });
});

describe('nb201 parse errors name the problem', () => {
  const valid = '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|';

  it('a wrong number of nodes', () => {
    expect(reasonOf('|none~0|+|none~0|none~1|')).toMatch(/expected 3 nodes separated by '\+', found 2/);
    expect(reasonOf(`${valid}+|none~0|`)).toMatch(/expected 3 nodes .* found 4/);
  });

  it('a wrong number of edges into a node', () => {
    expect(reasonOf('|none~0|+|none~0|+|none~0|none~1|none~2|')).toMatch(
      /node 2 must have 2 input edges, found 1/,
    );
    expect(reasonOf('|none~0|none~1|+|none~0|none~1|+|none~0|none~1|none~2|')).toMatch(
      /node 1 must have 1 input edge, found 2/,
    );
  });

  it('an unknown operation, listing the valid ones', () => {
    const reason = reasonOf('|conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|');
    expect(reason).toMatch(/unknown operation 'conv_3x3' on edge 0→1/);
    expect(reason).toContain(NB201_OPS.join(', '));
    expect(reasonOf('|NONE~0|+|none~0|none~1|+|none~0|none~1|none~2|')).toMatch(/unknown operation 'NONE'/);
  });

  it('a wrong or missing input index', () => {
    expect(reasonOf('|none~1|+|none~0|none~1|+|none~0|none~1|none~2|')).toMatch(
      /edge 1 of node 1 must come from node 0 \('~0'\), found '~1'/,
    );
    expect(reasonOf('|none~0|+|none~1|none~0|+|none~0|none~1|none~2|')).toMatch(/must come from node 0/);
    expect(reasonOf('|none~0|+|none~0|none~1|+|none~0|none~1|none~3|')).toMatch(
      /must come from node 2.*found '~3'/,
    );
    expect(reasonOf('|none~0|+|none~0|none~01|+|none~0|none~1|none~2|')).toMatch(/found '~01'/);
    expect(reasonOf('|none0|+|none~0|none~1|+|none~0|none~1|none~2|')).toMatch(
      /has no '~0' naming its input node/,
    );
  });

  it('stray characters and whitespace', () => {
    expect(reasonOf(`x${valid}`)).toMatch(/stray characters 'x' before the first '\|'/);
    expect(reasonOf(`${valid}x`)).toMatch(/stray characters 'x' after the last '\|'/);
    expect(reasonOf(` ${valid}`)).toMatch(/stray whitespace at position 0/);
    expect(reasonOf(`${valid}\n`)).toMatch(/stray whitespace/);
    expect(reasonOf('')).toMatch(/empty string/);
    expect(reasonOf('none')).toMatch(/no '\|' in it/);
  });

  it('an unclosed edge', () => {
    expect(reasonOf(valid.slice(0, -1))).toMatch(/node 3 must be its input edges between '\|' characters/);
  });

  it('carries the key and the space name', () => {
    const err = (() => {
      try {
        parseNb201Key('nope');
      } catch (e) {
        return e as MalformedArchitectureError;
      }
    })();
    expect(err?.space).toBe('nb201');
    expect(err?.key).toBe('nope');
    expect(err?.code).toBe('MALFORMED_ARCHITECTURE');
  });
});
