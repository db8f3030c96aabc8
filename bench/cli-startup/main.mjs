#!/usr/bin/env node
// Whole-process time of `archlab runs` on a small database: what a user waits for before any
// command does its work (Node start-up, loading the CLI and its default plugin packages, opening
// the store). `--runs=N` (default 9) processes, median. `--baseline=DIR`, a built checkout of
// another commit: its CLI runs alternately with this tree's, and the line adds `vs_baseline`
// (this tree's median / the baseline's), measured in one run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const runs = Number(args.runs ?? 9);
const baseline = args.baseline && resolve(args.baseline);
const dir = mkdtempSync(join(tmpdir(), 'archlab-bench-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const bin = (root) => {
  const path = join(root, 'packages/cli/dist/bin.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: build ${root} first`);
  return path;
};
const seconds = (cli, ...a) => {
  const t0 = performance.now();
  execFileSync(process.execPath, [cli, ...a], { stdio: ['ignore', 'ignore', 'inherit'], cwd: dir });
  return (performance.now() - t0) / 1000;
};

try {
  const ours = bin(join(here, '../..'));
  const theirs = baseline && bin(baseline);
  const db = join(dir, 'runs.db');
  process.stderr.write('cli-startup: a 20-trial run to list...\n');
  execFileSync(process.execPath, [
    ours,
    ...['search', '--space', 'nb201', '--estimator', 'nb201:cifar10', '--trials', '20', '--db', db, '-q'],
  ]);
  const t = { ours: [], theirs: [] };
  for (let i = 0; i < runs; i++) {
    t.ours.push(seconds(ours, 'runs', '--db', db));
    if (theirs) t.theirs.push(seconds(theirs, 'runs', '--db', db));
  }
  const fmt = (x) => x.toFixed(3);
  const line = [`bench cli-startup runs_s=${fmt(median(t.ours))}`];
  if (theirs) {
    line.push(`baseline_runs_s=${fmt(median(t.theirs))}`);
    line.push(`vs_baseline=${fmt(median(t.ours) / median(t.theirs))}`);
  }
  process.stdout.write(`${line.join(' ')} runs=${runs}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
