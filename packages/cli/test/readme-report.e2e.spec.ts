import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { archlab, readmeCommands, tempDir, words } from './cli-harness.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe("README's 'See a search'", () => {
  it('runs as pasted: a compare and a two-objective search, and their reports', () => {
    const commands = readmeCommands('## See a search').map(words);
    expect(commands.map((c) => c[0])).toEqual(['compare', 'report', 'search', 'report']);
    const cwd = tempDir();
    for (const c of commands) {
      const r = archlab(cwd, ...c);
      expect(r.code, `${c.join(' ')}: ${r.stderr}`).toBe(0);
    }
    for (const file of ['compare.html', 'mo.html']) {
      const html = readFileSync(join(cwd, file), 'utf8');
      expect(html).toMatch(/"verify":\{"mode":"full","ok":true/);
    }
  }, 120_000);

  it('shows the pictures it names, and they are in the repository', () => {
    const pictures = [...README.matchAll(/!\[[^\]]*\]\((docs\/[^)]+\.png)\)/g)].map((m) => m[1]!);
    expect(pictures).toEqual(
      expect.arrayContaining(['docs/report-compare.png', 'docs/report-multiobjective.png']),
    );
    for (const p of pictures) expect(existsSync(new URL(`../../../${p}`, import.meta.url)), p).toBe(true);
  });
});
