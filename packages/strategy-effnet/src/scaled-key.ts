import { MalformedArchitectureError } from '@archlab/core';
import { DIMENSIONS, MAX_MULTIPLIER, type Multipliers, quantize } from './scaling.js';

const LETTER = { depth: 'd', width: 'w', resolution: 'r' } as const;

/**
 * The key of a base architecture scaled by `m`: the three multipliers, then `:`, then the base's
 * key: `d1.44,w1.21,r1.323:r24-k35e46-k35e46-k35e46-k35e46`. Multipliers are written as
 * JavaScript prints them (no trailing zeros), to a thousandth.
 */
export function scaledKey(m: Multipliers, baseKey: string): string {
  return `${DIMENSIONS.map((d) => `${LETTER[d]}${m[d]}`).join(',')}:${baseKey}`;
}

const EXAMPLE = "'d1.2,w1.1,r1.15:BASE'";
const NUMBER = /^(?:0|[1-9]\d*)(?:\.\d*[1-9])?$/;

/**
 * Splits a scaled key into its multipliers and its base's key, which the caller parses; a
 * MalformedArchitectureError of `space` names the first thing wrong.
 */
export function splitScaledKey(space: string, key: string): { m: Multipliers; base: string } {
  const fail = (reason: string): never => {
    throw new MalformedArchitectureError(space, key, reason);
  };
  const colon = key.indexOf(':');
  if (colon < 0)
    fail(`no ':' between the multipliers and the base architecture; expected a key like ${EXAMPLE}`);
  const parts = key.slice(0, colon).split(',');
  if (parts.length !== DIMENSIONS.length) {
    fail(
      `${parts.length} multiplier${parts.length > 1 ? 's' : ''} before ':'; expected d, w and r, like ${EXAMPLE}`,
    );
  }
  const values = DIMENSIONS.map((d, i) => {
    const part = parts[i]!;
    const letter = LETTER[d];
    if (!part.startsWith(letter))
      fail(`multiplier ${i + 1} '${part}' is not the ${d} multiplier '${letter}…'`);
    const text = part.slice(1);
    const value = Number(text);
    if (!NUMBER.test(text) || quantize(value) !== value || value < 1 || value > MAX_MULTIPLIER) {
      fail(
        `${d} multiplier '${text}' is not a number from 1 to ${MAX_MULTIPLIER} with at most 3 decimals and no trailing zeros, like '1.15'`,
      );
    }
    return value;
  });
  const [depth, width, resolution] = values as [number, number, number];
  return { m: { depth, width, resolution }, base: key.slice(colon + 1) };
}
