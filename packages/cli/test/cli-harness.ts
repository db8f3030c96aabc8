import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, expect } from 'vitest';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const made: string[] = [];
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A scratch directory, removed when the test process exits. */
export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'archlab-e2e-'));
  made.push(d);
  return d;
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

/** `train` estimator flags that shrink a README command to a few seconds (later flags win): 1 epoch on 200 images, tested on 100. */
export const TINY_DATA = [
  '--epochs',
  '1',
  '--estimator-option',
  'max-train=200',
  '--estimator-option',
  'max-test=100',
];

/** The flags of a two-objective NSGA-II search on the NB201 table, as README's 'See a search' runs one. */
export const MO_SEARCH = [
  '--space',
  'nb201',
  '--estimator',
  'nb201:cifar10',
  '--strategy',
  'nsga2',
  '--objective',
  'test_acc:max',
  '--objective',
  'params:min',
  '--hardware',
  'counters',
] as const;

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

/** Resolves once the child has written RunStarted of run `runId` (it says so on stderr), or has ended. */
export function runStarted(child: ChildProcess, runId: string): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(`run ${runId} started`)) {
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.on('close', () => resolve());
  });
}

/**
 * Starts `archlab search SEARCH_ARGS` (run `runId`, its `--db` among the arguments), kills it
 * with SIGKILL `afterMs` after it wrote RunStarted, so the kill lands in the run itself, and
 * brings the run to its end: `resume --json`, or the search again when the kill came before
 * anything was stored. `midRun`: the kill hit an unfinished run.
 */
export async function killThenFinish(
  cwd: string,
  searchArgs: readonly string[],
  runId: string,
  afterMs: number,
): Promise<{ midRun: boolean; finished: CliResult }> {
  const child = archlabAsync(cwd, 'search', ...searchArgs);
  const done = exited(child);
  await runStarted(child, runId);
  await sleep(afterMs);
  child.kill('SIGKILL');
  const killed = await done;
  const db = searchArgs[searchArgs.indexOf('--db') + 1]!;
  const runs = archlab(cwd, 'runs', '--db', db, '--json');
  const listed = runs.code === 0 ? (JSON.parse(runs.stdout) as { status: string }[]) : [];
  if (listed.length === 0)
    return { midRun: false, finished: archlab(cwd, 'search', ...searchArgs, '--json') };
  return {
    midRun: killed.signal === 'SIGKILL' && listed[0]!.status !== 'completed',
    finished: archlab(cwd, 'resume', runId, '--db', db, '--json'),
  };
}

/** How long run `runId` in `db` ran, from RunStarted to RunCompleted, in ms: where kill points can land. */
export function runDurationMs(cwd: string, runId: string, db: string): number {
  const ends = archlabJson<{ ts: number }[]>(
    cwd,
    'events',
    runId,
    '--db',
    db,
    '--type',
    'RunStarted',
    '--type',
    'RunCompleted',
  );
  return ends[1]!.ts - ends[0]!.ts;
}

/**
 * The kill -9 property: `runs` times, a search of run `runId` (`searchArgs(db)`, a fresh `db`
 * each time) killed at a random point of its first `maxFraction` of `runMs` and finished
 * (`killThenFinish`), then `check(db, finished)`; at least `minMidRun` kills must hit the run
 * while unfinished, else the property proved nothing.
 */
export async function killAtRandomPoints(
  cwd: string,
  runId: string,
  searchArgs: (db: string) => readonly string[],
  opts: { runMs: number; runs: number; seed: number; minMidRun: number; minFraction?: number },
  check: (db: string, finished: CliResult) => void,
): Promise<void> {
  let attempt = 0;
  let midRun = 0;
  await fc.assert(
    fc.asyncProperty(fc.double({ min: opts.minFraction ?? 0, max: 0.9, noNaN: true }), async (fraction) => {
      const db = `k${attempt++}.db`;
      const { midRun: hit, finished } = await killThenFinish(
        cwd,
        searchArgs(db),
        runId,
        fraction * opts.runMs,
      );
      if (hit) midRun++;
      expect(finished.code, finished.stderr).toBe(0);
      check(db, finished);
    }),
    { numRuns: opts.runs, seed: opts.seed, endOnFailure: true },
  );
  expect(midRun).toBeGreaterThanOrEqual(opts.minMidRun);
}

/**
 * The CSV export without the timing column: what must be equal between two runs of one seed.
 * `storeArgs` go to `export` as they are (e.g. `--store-option schema=s`).
 */
export function trialsCsv(cwd: string, db: string, run: string, ...storeArgs: string[]): string {
  const r = archlab(cwd, 'export', run, '--db', db, ...storeArgs, '--format', 'csv');
  if (r.code !== 0) throw new Error(r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  const drop = rows[0]!.indexOf('duration_ms');
  return rows.map((cells) => cells.filter((_, i) => i !== drop).join(',')).join('\n');
}

const CORE = fileURLToPath(new URL('../../core', import.meta.url));

/**
 * Installs a one-file plugin package under `dir`/node_modules, as a user's project would have it:
 * `source` is its index.js, exporting the ContainerModule `moduleName`; `@archlab/core` is this
 * repository's.
 */
export function installPlugin(dir: string, name: string, moduleName: string, source: string): void {
  const pkg = join(dir, 'node_modules', name);
  mkdirSync(pkg, { recursive: true });
  mkdirSync(join(dir, 'node_modules', '@archlab'), { recursive: true });
  symlinkSync(CORE, join(dir, 'node_modules', '@archlab', 'core'), 'dir');
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({
      name,
      version: '0.1.0',
      type: 'module',
      exports: { '.': './index.js', './package.json': './package.json' },
      archlab: { module: moduleName },
    }),
  );
  writeFileSync(join(pkg, 'index.js'), source);
}

const README = new URL('../../../README.md', import.meta.url);

/** The `archlab` command lines of the `sh` block under `heading` (the first, or the `nth` from 0), continuation lines joined. */
export function readmeCommands(heading: string, nth = 0): string[] {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no section '${heading}'`);
  const block = [...text.slice(start).matchAll(/```sh\n([\s\S]*?)```/g)][nth]?.[1];
  if (block === undefined) throw new Error(`README's '${heading}' has no sh block ${nth}`);
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('archlab '));
}

/** Shell words of `line` (spaces separate; single quotes group), without the leading `archlab`. */
export function words(line: string): string[] {
  const out = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  if (out[0] !== 'archlab') throw new Error(`not an archlab command: ${line}`);
  return out.slice(1);
}

/** A running `archlab serve`: its URL (as printed, with the token if any) and how to stop it. */
export interface Served {
  readonly url: string;
  readonly child: ChildProcess;
  /** Sends `signal` and resolves with how it exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stderr: string }>;
}

/** Starts `archlab serve ARGS --port 0` in `cwd` and resolves once it prints its URL. */
export async function serve(cwd: string, ...args: string[]): Promise<Served> {
  const child = archlabAsync(cwd, 'serve', '--port', '0', ...args);
  const done = exited(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    done.then((r) => reject(new Error(`archlab serve exited ${r.code} before it listened: ${r.stderr}`)));
  });
  return {
    url,
    child,
    async stop(signal = 'SIGINT') {
      child.kill(signal);
      const { code, stderr } = await done;
      return { code, stderr };
    },
  };
}
