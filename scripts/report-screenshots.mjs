#!/usr/bin/env node
// Regenerates docs/report-compare.png and docs/report-multiobjective.png: runs a small compare
// and a two-objective NSGA-II search on the NB201 table, writes their reports with
// `archlab report`, and has headless Chromium (Debian's, or ARCHLAB_CHROMIUM) photograph them.
// Run after `pnpm build`: `node scripts/report-screenshots.mjs`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
const nb201 = ['--space', 'nb201', '--estimator', 'nb201:cifar10', '--db', 'runs.db'];

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
  archlab('compare', ...nb201, '--strategies', 'random,evolution,local-search', '--seeds', '5', '--trials', '150', '--name', 'cmp', '-q');
  archlab('report', '--compare', 'cmp', '--db', 'runs.db', '--out', 'compare.html');
  shoot(join(dir, 'compare.html'), join(root, 'docs/report-compare.png'), 1500);
  archlab(
    'search', ...nb201, '--strategy', 'nsga2', '--objective', 'test_acc:max', '--objective', 'params:min',
    '--hardware', 'counters', '--trials', '300', '--seed', '1', '--run-id', 'mo', '-q',
  );
  archlab('report', 'mo', '--db', 'runs.db', '--out', 'mo.html');
  shoot(join(dir, 'mo.html'), join(root, 'docs/report-multiobjective.png'), 2300);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
