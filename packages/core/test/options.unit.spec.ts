import { describe, expect, it } from 'vitest';
import { InvalidOptionError, parseOptions } from '../src/index.js';

const spec = {
  population: { type: 'int', default: 10, min: 1, description: 'p' },
  rate: { type: 'number', default: 0.5, min: 0, max: 1, description: 'r' },
  greedy: { type: 'boolean', default: false, description: 'g' },
  mode: { type: 'enum', default: 'a', values: ['a', 'b'], description: 'm' },
} as const;

describe('parseOptions', () => {
  it('fills defaults and coerces CLI strings', () => {
    expect(parseOptions('s', spec, {})).toEqual({ population: 10, rate: 0.5, greedy: false, mode: 'a' });
    expect(parseOptions('s', spec, { population: '20', rate: '0.25', greedy: 'true', mode: 'b' })).toEqual({
      population: 20,
      rate: 0.25,
      greedy: true,
      mode: 'b',
    });
  });

  it.each([
    [{ populaton: 3 }, /unknown option 'populaton'; known options: population, rate, greedy, mode/],
    [{ population: 0 }, /'population' must be at least 1, got 0/],
    [{ population: 2.5 }, /'population' must be a whole number/],
    [{ rate: 'x' }, /'rate' must be a number/],
    [{ rate: 2 }, /'rate' must be at most 1/],
    [{ greedy: 'yes' }, /'greedy' must be true or false/],
    [{ mode: 'c' }, /'mode' must be one of a, b/],
    // Beyond 2^53 a double rounds: 9007199254740993 would become ...992 without a word.
    [{ population: '9007199254740993' }, /'population' must be a whole number of at most 9007199254740991/],
    [{ population: 2 ** 60 }, /'population' must be a whole number of at most/],
    [{ mode: 'q'.repeat(1000) }, /got "q{80}…\(1000 chars\)"$/],
  ])('rejects %j with a clear message', (raw, message) => {
    expect(() => parseOptions("strategy 'x'", spec, raw)).toThrow(InvalidOptionError);
    expect(() => parseOptions("strategy 'x'", spec, raw)).toThrow(message);
  });
});
