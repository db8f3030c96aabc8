import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** Every module a file imports, statically (`from '…'`, `import '…'`) or dynamically (`import('…')`). */
function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

describe('the CLI knows no plugin by its package', () => {
  it('no file in packages/cli/src imports a plugin package (only @archlab/core)', () => {
    const offenders = sources(SRC).flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter((m) => m.startsWith('@archlab/') && m !== '@archlab/core')
        .map((m) => `${relative(SRC, file)} imports ${m}`),
    );
    expect(offenders).toEqual([]);
  });

  it('names plugin packages only in the list of default plugins (cli-context.ts)', () => {
    const offenders = sources(SRC)
      .filter((file) => relative(SRC, file) !== 'cli-context.ts')
      .flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/['"`](@archlab\/(?!core\b)[a-z0-9-]+)/g)].map(
          (m) => `${relative(SRC, file)} names ${m[1]}`,
        ),
      );
    expect(offenders).toEqual([]);
  });

  it('sees an import when there is one', () => {
    expect(
      importsOf(
        "import { a } from '@archlab/trainer-tfjs';\nconst m = await import('@archlab/x');\nimport '@archlab/y';",
      ),
    ).toEqual(['@archlab/trainer-tfjs', '@archlab/x', '@archlab/y']);
  });
});
