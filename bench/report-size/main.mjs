#!/usr/bin/env node
// Size and build time of `archlab report` for a 100,000-trial run: the run is a real random
// search on the NB201 table (store-throughput's search phase, so that the report's replay
// --verify checks it whole), then `archlab report` is timed as a user runs it (its own process:
// plugins loaded, every event read, the run verified, the page written).
//
// `--trials=N` (default 100000), `--verify=full|decisions|off` (default full).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const trials = Number(args.trials ?? 100_000);
const verify = args.verify ?? 'full';
const dir = mkdtempSync(join(tmpdir(), 'archlab-bench-'));
const db = join(dir, 'run.db');
const out = join(dir, 'report.html');

try {
  process.stderr.write(`report-size: writing a ${trials}-trial random run on nb201:cifar10...\n`);
  execFileSync(
    process.execPath,
    [join(here, '../store-throughput/phase.mjs'), 'search', db, String(trials)],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  process.stderr.write(`report-size: archlab report (--verify ${verify})...\n`);
  const t0 = performance.now();
  execFileSync(
    process.execPath,
    [
      join(here, '../../packages/cli/dist/bin.js'),
      'report',
      'bench',
      '--db',
      db,
      '--out',
      out,
      '--verify',
      verify,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const seconds = (performance.now() - t0) / 1000;
  const bytes = statSync(out).size;
  process.stdout.write(
    `bench report-size trials=${trials} build_s=${seconds.toFixed(2)} bytes=${bytes} mb=${(bytes / 1e6).toFixed(2)} verify=${verify}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
