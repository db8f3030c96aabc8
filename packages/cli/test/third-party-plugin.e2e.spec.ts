import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, tempDir } from './cli-harness.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/plugin-greedy', import.meta.url));

describe('a third-party plugin package (examples/plugin-greedy, the README example)', () => {
  let dir: string;
  beforeAll(() => {
    // A user's project with the plugin installed: node_modules/archlab-plugin-greedy.
    dir = tempDir();
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(EXAMPLE, join(dir, 'node_modules', 'archlab-plugin-greedy'), 'dir');
  });

  it('is found by package name, runs, and is recorded in RunStarted', () => {
    const args = [
      '--space',
      'nb201',
      '--estimator',
      'nb201:cifar10',
      '--trials',
      '100',
      '--seed',
      '5',
      '--db',
      'p.db',
    ];
    const s = archlabJson<{ runId: string; trials: number; packages: Record<string, string> }>(
      dir,
      'search',
      '--plugin',
      'archlab-plugin-greedy',
      '--strategy',
      'greedy',
      '--strategy-option',
      'warmup=20',
      ...args,
    );
    expect(s.trials).toBe(100);
    expect(s.packages['archlab-plugin-greedy']).toBe('0.1.0');
    const verify = (cwd: string, ...plugins: string[]) =>
      archlab(cwd, 'replay', s.runId, '--db', 'p.db', '--verify', ...plugins.flatMap((p) => ['--plugin', p]));
    const replay = verify(dir, 'archlab-plugin-greedy');
    expect(replay.code).toBe(0);
    const started = JSON.parse(
      archlab(dir, 'events', s.runId, '--db', 'p.db', '--type', 'RunStarted', '--json').stdout,
    );
    expect(started[0].data.providers).toContainEqual({
      kind: 'strategy',
      name: 'greedy',
      package: 'archlab-plugin-greedy',
    });

    // Where the package is installed, replay and resume load it from the log, as they take every other setting.
    const auto = verify(dir);
    expect(auto.code).toBe(0);
    expect(auto.stderr).toBe(
      `archlab: loaded plugin package archlab-plugin-greedy@0.1.0, which run ${s.runId} used\n`,
    );
    expect(archlab(dir, 'resume', s.runId, '--db', 'p.db', '--quiet').code).toBe(0);

    // Where it is not: one line naming the package, its version and how to load it; the log is untouched.
    const elsewhere = tempDir();
    copyFileSync(join(dir, 'p.db'), join(elsewhere, 'p.db'));
    const before = readFileSync(join(elsewhere, 'p.db'));
    for (const cmd of ['replay', 'resume']) {
      const without = archlab(elsewhere, cmd, s.runId, '--db', 'p.db');
      expect(without.code).toBe(2);
      expect(without.stderr).toBe(
        `archlab: error: run '${s.runId}' used strategy 'greedy' from plugin package archlab-plugin-greedy@0.1.0; load it with --plugin archlab-plugin-greedy (or --plugin PATH to its folder)\n`,
      );
    }
    expect(readFileSync(join(elsewhere, 'p.db')).equals(before)).toBe(true);

    // Loaded from a folder at another version: a warning, and the replay goes on.
    const newer = join(elsewhere, 'greedy-0.2.0');
    cpSync(EXAMPLE, newer, { recursive: true, filter: (f) => !f.includes('node_modules') });
    const manifest = JSON.parse(readFileSync(join(newer, 'package.json'), 'utf8'));
    writeFileSync(join(newer, 'package.json'), JSON.stringify({ ...manifest, version: '0.2.0' }));
    symlinkSync(join(EXAMPLE, 'node_modules'), join(newer, 'node_modules'), 'dir');
    const other = verify(elsewhere, './greedy-0.2.0');
    expect(other.code).toBe(0);
    expect(other.stderr).toBe(
      `archlab: warning: run '${s.runId}' was recorded with archlab-plugin-greedy@0.1.0, but archlab-plugin-greedy@0.2.0 is loaded; its decisions may differ\n`,
    );
  });

  it('loads a plugin from a folder path, relative to the current directory', () => {
    const s = archlabJson<{ trials: number; packages: Record<string, string> }>(
      EXAMPLE,
      'search',
      '--plugin',
      '.',
      '--strategy',
      'greedy',
      '--space',
      'nb201',
      '--estimator',
      'nb201:cifar10',
      '--trials',
      '12',
      '--db',
      join(dir, 'path.db'),
    );
    expect(s.trials).toBe(12);
    expect(s.packages['archlab-plugin-greedy']).toBe('0.1.0');
  });

  /**
   * `search` with a plugin package (in `dir`'s node_modules) whose module is `body`; it must fail
   * before anything is written.
   */
  const searchWithPlugin = (name: string, body: string) => {
    const pkg = join(dir, 'node_modules', name);
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({
        name,
        version: '1.0.0',
        type: 'module',
        exports: './index.js',
        archlab: { module: 'm' },
      }),
    );
    writeFileSync(join(pkg, 'index.js'), body);
    const args = ['--space', 'nb201', '--estimator', 'nb201:cifar10', '--db', 'new.db', '--plugin', name];
    const r = archlab(dir, 'search', ...args);
    expect(existsSync(join(dir, 'new.db'))).toBe(false);
    return [r.code, r.stderr];
  };

  it('gives up on a plugin whose module never finishes loading, naming it, after ARCHLAB_PLUGIN_TIMEOUT seconds', () => {
    // Long enough for the first-party plugins to load on a busy machine.
    process.env.ARCHLAB_PLUGIN_TIMEOUT = '5';
    try {
      expect(
        searchWithPlugin('archlab-plugin-hangs', 'await new Promise(() => {});\nexport const m = 1;\n'),
      ).toEqual([2, "archlab: error: plugin 'archlab-plugin-hangs' did not finish loading within 5 s\n"]);
    } finally {
      delete process.env.ARCHLAB_PLUGIN_TIMEOUT;
    }
  });

  it('names a plugin whose module throws while loading, and its message', () => {
    expect(
      searchWithPlugin('archlab-plugin-throws', "throw new TypeError('cannot read the licence file');\n"),
    ).toEqual([
      2,
      "archlab: error: plugin package 'archlab-plugin-throws' failed while loading: cannot read the licence file\n",
    ]);
  });

  it('reports a plugin package that is not installed', () => {
    const r = archlab(dir, 'runs', '--db', 'p.db', '--plugin', 'archlab-plugin-missing');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /plugin package 'archlab-plugin-missing' is not installed .* install it with 'pnpm add archlab-plugin-missing'/,
    );
  });
});
