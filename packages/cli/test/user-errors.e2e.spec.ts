import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, BIN, exited, tempDir } from './cli-harness.js';

const TABLE = ['--space', 'nb201', '--estimator', 'nb201:cifar10'];
const SAFE_BEYOND = '9007199254740993';

/** The README's promise for a user error: exactly one line on stderr, exit 2, no stack trace. */
function expectOneLine(r: { code: number | null; stderr: string }, message?: RegExp): void {
  expect(r.stderr).toMatch(/^archlab: error: [^\n]+\n$/);
  if (message) expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
}

describe('every user error is one line, exit 2', () => {
  const dir = tempDir();

  it.each([
    ['an unknown option', ['search', '--bogus'], /unknown option '--bogus'/],
    ['a missing argument', ['show'], /missing required argument 'run'/],
    ['an unknown command', ['serach'], /unknown command 'serach'/],
    ['a missing required option', ['profile-device', '--out', 'x.json'], /--space/],
    ['an option without its value', ['runs', '--db'], /'--db <file>' argument missing/],
    ['a bad option value', ['search', '--trials', 'ten'], /--trials must be a whole number/],
    ['a value not among the choices', ['export', 'r', '--db', 'x.db', '--format', 'xml'], /xml/],
  ])('%s', (_, args, message) => {
    expectOneLine(archlab(dir, ...args), message);
  });

  it('no command prints the usage, and nothing else', () => {
    for (const args of [[], ['help', 'nosuch']]) {
      const r = archlab(dir, ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^Usage: archlab /);
      expect(r.stderr).not.toMatch(/error/);
    }
  });

  it('help and version are not errors', () => {
    expect(archlab(dir, '--help')).toMatchObject({ code: 0, stderr: '' });
    expect(archlab(dir, '--version')).toMatchObject({ code: 0, stderr: '', stdout: '0.1.0\n' });
  });
});

describe('echoed input is cut', () => {
  const dir = tempDir();
  const long = 'x'.repeat(100_000);

  it('a 50 MB config value gives a short error', () => {
    writeFileSync(join(dir, 'huge.json'), JSON.stringify({ space: 'y'.repeat(50_000_000) }));
    const r = archlab(dir, 'search', '--config', 'huge.json', '--estimator', 'nb201:cifar10', '--db', 'h.db');
    expectOneLine(r, /unknown space 'y+…\(50000000 chars\)'/);
    expect(r.stderr.length).toBeLessThan(1000);
  }, 300_000); // reading and parsing 50 MB takes a while on a busy machine

  it.each([
    ['a space option value', ['search', ...TABLE, '--strategy-option', `dedupe=${long}`, '--db', 'o.db']],
    ['a key=value pair without =', ['search', ...TABLE, '--space-option', long, '--db', 'o.db']],
    ['an architecture key', ['eval', ...TABLE, '--arch', long]],
    ['a run id', ['search', ...TABLE, '--run-id', long, '--db', 'o.db']],
    ['an unknown option name', ['search', ...TABLE, '--strategy-option', `${long}=1`, '--db', 'o.db']],
    ['a flag value', ['search', ...TABLE, '--trials', long]],
    ['an unknown command', [long]],
  ])('%s', (_, args) => {
    const r = archlab(dir, ...args);
    expectOneLine(r, /…\(100\d{3} chars\)/);
    expect(r.stderr.length).toBeLessThan(1000);
  });
});

describe('integers beyond 2^53 are rejected, not rounded', () => {
  const dir = tempDir();

  it.each([
    ['--trials', ['search', ...TABLE, '--trials', SAFE_BEYOND, '--db', 'i.db']],
    ['--seed', ['search', ...TABLE, '--seed', SAFE_BEYOND, '--db', 'i.db']],
    ['--checkpoint-every', ['search', ...TABLE, '--checkpoint-every', SAFE_BEYOND, '--db', 'i.db']],
    ['--top', ['show', 'r', '--db', 'i.db', '--top', SAFE_BEYOND]],
    [
      'an integer plugin option',
      [
        'search',
        ...TABLE,
        '--strategy',
        'evolution',
        '--strategy-option',
        `population=${SAFE_BEYOND}`,
        '--db',
        'i.db',
      ],
    ],
    ['a wall time beyond what a timer holds', ['search', ...TABLE, '--wall-time', '1e300', '--db', 'i.db']],
  ])('%s', (_, args) => {
    expectOneLine(archlab(dir, ...args), /9007199254740993|1e300|whole number|at most/);
    expect(existsSync(join(dir, 'i.db'))).toBe(false);
  });

  it('in a config file', () => {
    writeFileSync(
      join(dir, 'big.json'),
      `{"space":"nb201","estimator":"nb201:cifar10","trials":${SAFE_BEYOND}}`,
    );
    expectOneLine(archlab(dir, 'search', '--config', 'big.json', '--db', 'i.db'), /trials/);
    expect(existsSync(join(dir, 'i.db'))).toBe(false);
  });
});

describe('bad input creates no database', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  const files = () => readdirSync(dir).filter((f) => f.startsWith('new.db'));

  it.each([
    ['an unknown space', ['search', '--space', 'nosuch', '--estimator', 'nb201:cifar10']],
    ['no space', ['search', '--estimator', 'nb201:cifar10']],
    ['an unknown strategy', ['search', ...TABLE, '--strategy', 'nosuch']],
    ['a bad strategy option', ['search', ...TABLE, '--strategy-option', 'dedupe=maybe']],
    ['a bad run id', ['search', ...TABLE, '--run-id', '../x']],
    ['a bad store option', ['search', ...TABLE, '--store-option', 'durability=sometimes']],
  ])('%s', (_, args) => {
    expectOneLine(archlab(dir, ...args, '--db', 'new.db'));
    expect(files()).toEqual([]);
  });

  it('a read command on a missing database says so and creates nothing', () => {
    for (const cmd of [['runs'], ['show', 'r'], ['events', 'r'], ['resume', 'r'], ['replay', 'r']]) {
      expectOneLine(archlab(dir, ...cmd, '--db', 'new.db'), /'new\.db' does not exist/);
    }
    expectOneLine(archlab(dir, 'eval', '--run', 'r', '--db', 'new.db'), /does not exist/);
    expect(files()).toEqual([]);
  });
});

describe('a database that cannot be opened is a one-line error', () => {
  const dir = tempDir();

  it('/dev/null', () => {
    expectOneLine(archlab(dir, 'search', ...TABLE, '--trials', '3', '--db', '/dev/null'), /\/dev\/null/);
    expectOneLine(archlab(dir, 'runs', '--db', '/dev/null'), /\/dev\/null/);
  });

  it('a directory', () => {
    expectOneLine(archlab(dir, 'search', ...TABLE, '--trials', '3', '--db', dir), /cannot open/);
  });
});

describe('closed pipes', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    archlabJson(dir, 'search', ...TABLE, '--trials', '50', '--db', 'p.db', '--run-id', 'p', '-q');
  });

  it('a search whose stderr reader went away still finishes, exit 0', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'search', ...TABLE, '--trials', '2000', '--db', 'p.db', '--run-id', 'q'],
      {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stderr.destroy();
    const r = await exited(child);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^run {8}q {2}\(completed: trials\)/);
    const runs = archlabJson<{ runId: string; status: string; trials: number }[]>(
      dir,
      'runs',
      '--db',
      'p.db',
    );
    expect(runs.find((x) => x.runId === 'q')).toMatchObject({ status: 'completed', trials: 2000 });
  });

  it.each([
    ['search', ['search', ...TABLE, '--trials', '300', '--db', 'p.db', '--run-id', 's']],
    ['runs', ['runs', '--db', 'p.db']],
    ['events', ['events', 'p', '--db', 'p.db']],
  ])('%s with both pipes closed: exit 0, no stack trace', async (_, args) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    const keep = args[0] === 'search';
    if (keep) child.stderr.destroy();
    else child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('smaller defects', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    archlabJson(
      dir,
      'search',
      ...TABLE,
      '--strategy',
      'evolution',
      '--trials',
      '30',
      '--db',
      'd.db',
      '--run-id',
      'e',
      '-q',
    );
  });

  it("eval --run takes the run's estimator when --estimator is not given", () => {
    const r = archlabJson<{ arch: string; metrics: { test_acc: number } }>(
      dir,
      'eval',
      '--run',
      'e',
      '--db',
      'd.db',
    );
    const show = archlabJson<{ best: { arch: string; metrics: { test_acc: number } } }>(
      dir,
      'show',
      'e',
      '--db',
      'd.db',
    );
    expect(r).toEqual({ arch: show.best.arch, metrics: { test_acc: show.best.metrics.test_acc } });
    expectOneLine(archlab(dir, 'eval', '--space', 'nb201', '--arch', show.best.arch), /--estimator/);
  });

  it('show prints the resolved strategy options, defaults included', () => {
    const text = archlab(dir, 'show', 'e', '--db', 'd.db').stdout;
    expect(text).toMatch(/^strategy {3}evolution \(population=\d+, sampleSize=\d+, dedupe=true/m);
    const json = archlabJson<{ strategyOptions: Record<string, unknown> }>(dir, 'show', 'e', '--db', 'd.db');
    expect(Object.keys(json.strategyOptions)).toEqual(
      expect.arrayContaining(['population', 'sampleSize', 'dedupe']),
    );
  });

  it('the proxy command names its own flag for the data set directory', () => {
    const r = archlab(
      dir,
      'proxy',
      '--space',
      'fmnist-chain',
      '--proxy',
      'snip',
      '--sample',
      '1',
      '-q',
      '--proxy-option',
      'data-dir=/nonexistent',
    );
    expectOneLine(r, /--proxy-option data-dir=DIR/);
  });
});
