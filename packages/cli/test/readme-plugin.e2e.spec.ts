import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, tempDir } from './cli-harness.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The files and the commands of the README's plugin recipe: each block follows `<!-- plugin-recipe: NAME -->`. */
function recipe(): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Writing a plugin'), readme.indexOf('### Using the engine'));
  const blocks = new Map<string, string>();
  for (const m of section.matchAll(/<!-- plugin-recipe: (\S+) -->\n```\w*\n([\s\S]*?)```/g)) {
    blocks.set(m[1]!, m[2]!);
  }
  return blocks;
}

describe("the README's plugin recipe, as written", () => {
  it('builds a plugin outside the repository, passes its contract suite, searches and verifies', () => {
    const blocks = recipe();
    expect([...blocks.keys()].sort()).toEqual([
      'commands',
      'package.json',
      'src/greedy-module.ts',
      'src/greedy.int.spec.ts',
      'src/index.ts',
      'tsconfig.json',
    ]);
    const dir = tempDir();
    for (const [name, text] of blocks) {
      if (name === 'commands') continue;
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    // A user's shell: `archlab` is the Quick start's alias; nothing of this test process's
    // module lookup (NODE_PATH) or vitest state leaks in. pnpm installs from its store only.
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => k !== 'NODE_PATH' && !k.startsWith('VITEST')),
    );
    const r = spawnSync(
      'bash',
      [
        '-euo',
        'pipefail',
        '-c',
        `archlab() { node ${JSON.stringify(BIN)} "$@"; }\n${blocks.get('commands')}`,
      ],
      {
        cwd: dir,
        encoding: 'utf8',
        env: { ...env, ARCHLAB: ROOT, npm_config_offline: 'true', NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' },
      },
    );
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/Test Files\s+1 passed/);
    expect(out).toMatch(/Tests\s+\d+ passed/);
    expect(out).not.toMatch(/Tests\s+\d+ failed/);
    expect(r.stdout).toMatch(/search\s+greedy on nb201, scored by nb201:cifar10, seed 1/);
    expect(r.stdout).toMatch(/trials\s+50 \(50 completed, 0 failed\)/);
    expect(r.stdout).toMatch(/^verified: run greedy-1, \d+ events, 50 trials; hash chain intact/m);
  }, 600_000);
});
