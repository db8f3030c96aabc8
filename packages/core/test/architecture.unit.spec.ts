import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// ARCHITECTURE.md's table "Packages and what each may import" is the rule; this checks every
// package against it: its package.json dependencies and the imports of its sources.
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const DOC = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');

/** package name → the @archlab packages it may import, from the table's rows. */
function allowedImports(doc: string): Map<string, Set<string>> {
  const section = doc.split('## Packages and what each may import')[1]?.split('\n## ')[0] ?? '';
  const rows = new Map<string, Set<string>>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`(@archlab\/[\w-]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!name) continue;
    const may = (cells[3] ?? '').split(/,\s*|\s+and\s+/).map((w) => w.trim());
    rows.set(name, new Set(may.filter((w) => /^[a-z][\w-]*$/.test(w)).map((w) => `@archlab/${w}`)));
  }
  return rows;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'test-workers' ? [] : sources(path);
    return /\.ts$/.test(entry) && !/\.spec\.ts$|\.d\.ts$/.test(entry) ? [path] : [];
  });
}

const packages = readdirSync(join(ROOT, 'packages')).map((dir) => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8'));
  return { dir, name: manifest.name as string, manifest };
});
const rules = allowedImports(DOC);

describe('ARCHITECTURE.md: packages and what each may import', () => {
  it('has a row for every package, and no row for a package that is gone', () => {
    expect([...rules.keys()].sort()).toEqual(packages.map((p) => p.name).sort());
  });

  it.each(packages.filter((p) => p.name !== '@archlab/cli'))(
    '$name depends on and imports only what its row allows',
    ({ dir, name, manifest }) => {
      const allowed = rules.get(name) ?? new Set();
      const declared = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).filter(
        (d) => d.startsWith('@archlab/') && d !== name,
      );
      expect(declared.filter((d) => !allowed.has(d))).toEqual([]);
      const wrong: string[] = [];
      for (const file of sources(join(ROOT, 'packages', dir, 'src'))) {
        for (const m of readFileSync(file, 'utf8').matchAll(
          /from '(@archlab\/[\w-]+)[^']*'|import\('(@archlab\/[\w-]+)/g,
        )) {
          const used = m[1] ?? m[2]!;
          if (used !== name && !allowed.has(used)) wrong.push(`${file.slice(ROOT.length)} imports ${used}`);
        }
      }
      expect(wrong).toEqual([]);
    },
  );

  it('each package names its public exports: no `export *` in any source', () => {
    const stars = packages.flatMap(({ dir }) =>
      sources(join(ROOT, 'packages', dir, 'src')).filter((f) =>
        /^export \* from/m.test(readFileSync(f, 'utf8')),
      ),
    );
    expect(stars.map((f) => f.slice(ROOT.length))).toEqual([]);
  });

  it('reads the table: core may import nothing, estimator-zero-cost three packages', () => {
    expect([...(rules.get('@archlab/core') ?? ['missing'])]).toEqual([]);
    expect([...(rules.get('@archlab/estimator-zero-cost') ?? [])].sort()).toEqual([
      '@archlab/core',
      '@archlab/nn',
      '@archlab/trainer-tfjs',
    ]);
  });
});
