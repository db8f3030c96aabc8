import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPlugins } from '../src/di/plugin-loader.js';

// No code outside a space's own package tests a space's name: what a plugin does for a space
// comes from what the space's package binds (its SpaceNetwork...), so a third-party space gets it
// too. This test finds every comparison with, `case` on, or list of a registered space's name in
// the sources (not the tests) of every workspace package and example.

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const PLUGIN_DIRS = ['packages', 'examples'].flatMap((group) =>
  readdirSync(join(ROOT, group)).map((name) => join(ROOT, group, name)),
);

/** The lines of `source` (1-based) that compare with, switch on or list one of `names`. */
function spaceNameUses(source: string, names: readonly string[]): { line: number; text: string }[] {
  if (names.length === 0) return [];
  const name = `(['"\`])(?:${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\1`;
  const patterns = [
    new RegExp(`[!=]==?\\s*${name}`), // x === 'nb201'
    new RegExp(`${name}\\s*[!=]==?`), // 'nb201' === x
    new RegExp(`\\bcase\\s+${name}`), // case 'nb201':
    new RegExp(`[[,]\\s*${name}\\s*[,\\]]`), // ['nb201', ...], [..., 'nb201']
    new RegExp(`\\.(?:includes|indexOf|has)\\(\\s*${name}`), // SPACES.includes('nb201')
  ];
  return source
    .split('\n')
    .map((text, i) => ({ line: i + 1, text: text.trim() }))
    .filter(
      ({ text }) => !text.startsWith('//') && !text.startsWith('*') && patterns.some((p) => p.test(text)),
    );
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mts|js|mjs)$/.test(entry) && !/\.spec\.ts$/.test(entry) ? [path] : [];
  });
}

describe('spaceNameUses', () => {
  it('finds comparisons, cases and lists of space names, and nothing else', () => {
    const src = [
      "if (space.name === 'nb201') return;",
      "if ('fmnist-chain' !== space.name) return;",
      "  case 'nb201':",
      "export const SPACES = ['nb201', 'fmnist-chain'] as const;",
      'if (KNOWN.includes("nb201")) x();',
      "// space.name === 'nb201' in a comment",
      "const description = 'a space, e.g. nb201';",
      "if (space.name === 'nb2010') return;",
    ].join('\n');
    expect(spaceNameUses(src, ['nb201', 'fmnist-chain']).map((u) => u.line)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('space names', () => {
  it('are compared, switched on or listed only inside the package of their space', async () => {
    const plugins = PLUGIN_DIRS.filter((dir) => {
      try {
        return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).archlab?.module !== undefined;
      } catch {
        return false;
      }
    });
    const set = await loadPlugins(plugins, [ROOT]);
    const owners = set.providers.space ?? {};
    expect(Object.keys(owners)).toEqual(expect.arrayContaining(['nb201', 'fmnist-chain']));
    const found: string[] = [];
    for (const dir of PLUGIN_DIRS) {
      let pkg: string;
      try {
        pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
      } catch {
        continue;
      }
      const others = Object.keys(owners).filter((space) => owners[space] !== pkg);
      for (const file of sources(join(dir, 'src'))) {
        for (const use of spaceNameUses(readFileSync(file, 'utf8'), others)) {
          found.push(`${relative(ROOT, file)}:${use.line}: ${use.text}`);
        }
      }
    }
    expect(found, 'ask the container for what the space binds instead').toEqual([]);
  });
});
