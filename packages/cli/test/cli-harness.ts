import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'archlab-e2e-'));
}

/** Runs `archlab ARGS` in `cwd` and waits for it. */
export function archlab(cwd: string, ...args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function archlabJson<T = Record<string, unknown>>(cwd: string, ...args: string[]): T {
  const r = archlab(cwd, ...args, '--json');
  if (r.code !== 0) throw new Error(`archlab ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as T;
}

export function archlabAsync(cwd: string, ...args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function exited(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

/** The CSV export without the timing column: what must be equal between two runs of one seed. */
export function trialsCsv(cwd: string, db: string, run: string): string {
  const r = archlab(cwd, 'export', run, '--db', db, '--format', 'csv');
  if (r.code !== 0) throw new Error(r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const drop = rows[0]!.indexOf('duration_ms');
  return rows.map((cells) => cells.filter((_, i) => i !== drop).join(',')).join('\n');
}
