import { readFileSync } from 'node:fs';
import { ConfigError, echo } from '../errors.js';
import { Rng } from '../rng/rng.js';
import type { SearchSpace } from './search-space.js';

/**
 * `n` distinct architectures' keys drawn with `seed` (all of them when the space has fewer):
 * what a command's `--sample N --seed S` means.
 */
export function sampleKeys(space: SearchSpace, n: number, seed: number): string[] {
  const rng = Rng.fromSeed(seed);
  const keys = new Set<string>();
  const limit = space.size === undefined ? n : Math.min(n, space.size);
  for (let misses = 0; keys.size < limit && misses < 100 * n; ) {
    const key = space.key(space.sample(rng));
    if (keys.has(key)) misses++;
    else keys.add(key);
  }
  return [...keys];
}

/**
 * The canonical keys of the architectures listed in `file` (a command's `--archs`): one key a
 * line (blank lines and `#` comments skipped), or a CSV whose header names an `arch` column. A
 * key the space cannot parse is a ConfigError naming its line.
 */
export function readArchKeys(file: string, space: SearchSpace): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read --archs ${file}: ${(err as Error).message}`);
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const listed = lines
    .map((l, i) => ({ text: l.trim(), line: i + 1 }))
    .filter((l) => l.text && !l.text.startsWith('#'));
  const header = listed[0]?.text.split(',').map((h) => h.trim()) ?? [];
  const column = header.indexOf('arch');
  const keys = (column >= 0 ? listed.slice(1) : listed).map(({ text, line }) => {
    const key = column >= 0 ? (text.split(',')[column] ?? '').trim() : text;
    try {
      return space.key(space.parse(key));
    } catch (err) {
      throw new ConfigError(
        `--archs ${file} line ${line}: '${echo(key)}' is not an architecture of space '${space.name}' (${(err as Error).message})`,
      );
    }
  });
  if (keys.length === 0) throw new ConfigError(`--archs ${file} lists no architecture (one key per line)`);
  return keys;
}
