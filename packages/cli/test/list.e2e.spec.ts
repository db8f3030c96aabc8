import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PluginKind } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../src/cli-context.js';
import { archlab, archlabJson, tempDir } from './cli-harness.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/plugin-greedy', import.meta.url));

interface Listed {
  name: string;
  description: string;
  package?: string;
  options: ({ name: string } & Record<string, unknown>)[];
}
type Listing = Record<'spaces' | 'strategies' | 'estimators' | 'hardwareModels' | 'stores', Listed[]> & {
  configSchema: string;
};

const KEYS: [PluginKind, keyof Listing][] = [
  ['space', 'spaces'],
  ['strategy', 'strategies'],
  ['estimator', 'estimators'],
  ['hardware model', 'hardwareModels'],
  ['store', 'stores'],
];

describe('archlab list', () => {
  const dir = tempDir();

  it('--json: every registered plugin of each kind, with its options as its OptionsSpec declares them', async () => {
    const listing = archlabJson<Listing>(dir, 'list');
    const { registry } = await loadRegistry();
    for (const [kind, key] of KEYS) {
      const listed = listing[key] as Listed[];
      expect(
        listed.map((p) => p.name),
        kind,
      ).toEqual(registry.names(kind));
      expect(listed.length, kind).toBeGreaterThan(0);
      for (const p of listed) {
        const f = registry.get(kind, p.name);
        expect(p.description).toBe(f.description);
        expect(p.package).toBe(registry.provider(kind, p.name)?.package);
        expect(Object.fromEntries(p.options.map(({ name, ...spec }) => [name, spec]))).toEqual(
          f.options ?? {},
        );
      }
    }
    expect(existsSync(listing.configSchema)).toBe(true);
  });

  it('prints each option with its type, default, range and description', () => {
    const r = archlab(dir, 'list');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^strategies \(--strategy\):$/m);
    expect(r.stdout).toMatch(/^ {2}evolution {2}regularized .*\(@archlab\/strategy-evolution\)$/m);
    expect(r.stdout).toMatch(/^ +population +int +10 +≥ 2 +members kept alive/m);
    expect(r.stdout).toMatch(/^ +crossover +number +0\.5 +\[0, 1\] +probability/m);
    expect(r.stdout).toMatch(/^ +durability +enum +"normal" +normal\|full +'normal'/m);
    expect(r.stdout).toMatch(/^config file \(--config\) JSON Schema: .*config\.schema\.json$/m);
  });

  it("lists a --plugin package's plugins too, and refuses an unknown one in one line", () => {
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(EXAMPLE, join(dir, 'node_modules', 'archlab-plugin-greedy'), 'dir');
    const listing = archlabJson<Listing>(dir, 'list', '--plugin', 'archlab-plugin-greedy');
    expect(listing.strategies.find((s) => s.name === 'greedy')).toMatchObject({
      package: 'archlab-plugin-greedy',
      options: [{ name: 'warmup', type: 'int', default: 10, min: 1, description: 'random trials first' }],
    });
    const bad = archlab(dir, 'list', '--plugin', 'no-such-plugin');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^archlab: error: .*no-such-plugin/);
  });
});
