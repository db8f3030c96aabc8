#!/usr/bin/env node
// Regenerates docs/report-compare.png and docs/report-multiobjective.png: runs the commands of
// the README's "See a search" (a compare and a two-objective search on the NB201 table, and their
// reports) in a scratch folder, and has headless Chromium (Debian's, or ARCHLAB_CHROMIUM)
// photograph the two pages. Run after `pnpm build`: `node scripts/report-screenshots.mjs`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'packages/cli/dist/bin.js');
const chromium = process.env.ARCHLAB_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromium)) {
  process.stderr.write(`no Chromium at ${chromium}: apt-get install -y chromium, or set ARCHLAB_CHROMIUM\n`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'archlab-shots-'));
const archlab = (...args) => execFileSync(process.execPath, [bin, ...args], { cwd: dir, stdio: 'inherit' });

/** The `archlab` command lines of the README's "See a search", as argument lists. */
function readmeCommands() {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const section = text.slice(text.indexOf('\n## See a search\n'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)[1];
  return block
    .split('\n')
    .filter((line) => line.startsWith('archlab '))
    .map((line) => line.split(/\s+/).filter(Boolean).slice(1));
}

/** A full-width photograph of `html`'s top `height` pixels, once its charts are drawn. */
function shoot(html, png, height) {
  execFileSync(
    chromium,
    [
      '--headless',
      '--disable-gpu',
      '--hide-scrollbars',
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      `--window-size=1300,${height}`,
      '--virtual-time-budget=10000',
      `--screenshot=${png}`,
      pathToFileURL(html).href,
    ],
    { stdio: 'ignore' },
  );
  process.stderr.write(`wrote ${png}\n`);
}

try {
  for (const args of readmeCommands()) archlab(...args);
  shoot(join(dir, 'compare.html'), join(root, 'docs/report-compare.png'), 1500);
  shoot(join(dir, 'mo.html'), join(root, 'docs/report-multiobjective.png'), 2300);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
