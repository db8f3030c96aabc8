import { describe, expect, it } from 'vitest';
import { cutEchoes, echo } from '../src/errors.js';

describe('echo', () => {
  it('keeps short input and cuts long input to 80 characters, saying how long it was', () => {
    expect(echo('nb201')).toBe('nb201');
    expect(echo('x'.repeat(80))).toBe('x'.repeat(80));
    expect(echo('x'.repeat(81))).toBe(`${'x'.repeat(80)}…(81 chars)`);
    expect(echo('abcdef', 3)).toBe('abc…(6 chars)');
  });

  it('leaves input it already cut as it is', () => {
    const once = echo('y'.repeat(50_000_000));
    expect(echo(once)).toBe(once);
    expect(once).toBe(`${'y'.repeat(80)}…(50000000 chars)`);
  });
});

describe('cutEchoes', () => {
  it('cuts every quoted part of a message, and the whole', () => {
    const long = 'z'.repeat(500);
    expect(cutEchoes(`unknown option '${long}'; known options: a, b`)).toBe(
      `unknown option '${echo(long)}'; known options: a, b`,
    );
    expect(cutEchoes(`option 'x' must be a number, got "${long}"`)).toBe(
      `option 'x' must be a number, got "${echo(long)}"`,
    );
    expect(cutEchoes(long.repeat(10)).length).toBeLessThan(2100);
  });
});
