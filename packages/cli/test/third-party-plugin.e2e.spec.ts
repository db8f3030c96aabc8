import { mkdirSync, symlinkSync } from 'node:fs';
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
    const replay = archlab(
      dir,
      'replay',
      s.runId,
      '--db',
      'p.db',
      '--verify',
      '--plugin',
      'archlab-plugin-greedy',
    );
    expect(replay.code).toBe(0);
    // Without the plugin loaded, the recorded strategy is unknown: a clear error, not a crash.
    const without = archlab(dir, 'replay', s.runId, '--db', 'p.db', '--verify');
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/unknown strategy 'greedy'; known strategies: (\S+, )*random/);
  });

  it('reports a plugin package that is not installed', () => {
    const r = archlab(dir, 'runs', '--db', 'p.db', '--plugin', 'archlab-plugin-missing');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /plugin package 'archlab-plugin-missing' is not installed .* install it with 'pnpm add archlab-plugin-missing'/,
    );
  });
});
