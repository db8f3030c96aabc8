import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, installPlugin, tempDir } from './cli-harness.js';

// A third-party space: chains of 0/1 digits, whose architectures no network is built for.
const PLUGIN = `
import { ContainerModule, SearchSpaceFactory } from '@archlab/core';
export const toySpaceModule = new ContainerModule((bind) => {
  bind(SearchSpaceFactory).toConstantValue({
    name: 'toy-space',
    description: 'test: three binary digits',
    create: () => ({
      name: 'toy-space',
      sample: (rng) => [0, 1, 2].map(() => (rng.next() < 0.5 ? 0 : 1)),
      key: (arch) => arch.join(''),
      parse: (key) => key.split('').map(Number),
    }),
  });
});
`;

describe('archlab profile-device --plugin', () => {
  let dir: string;

  beforeAll(() => {
    dir = tempDir();
    installPlugin(dir, 'archlab-toy-space', 'toySpaceModule', PLUGIN);
  });

  it("looks the space up among the loaded plugins' spaces, and names the ones it knows", () => {
    const unknown = archlab(dir, 'profile-device', '--space', 'toy-space', '--out', 'toy.lut.json');
    expect(unknown.stderr).toBe(
      "archlab: error: unknown space 'toy-space'; known spaces: fmnist-chain, mbv3, nb201\n",
    );
    expect(unknown.code).toBe(2);
  });

  it('finds a plugin space, and says in one line that no latency table can be made for it', () => {
    const r = archlab(
      dir,
      'profile-device',
      '--plugin',
      'archlab-toy-space',
      '--space',
      'toy-space',
      '--out',
      'toy.lut.json',
    );
    expect(r.stderr).toBe(
      "archlab: error: profile-device: space 'toy-space' has no network (no loaded plugin binds a SpaceNetwork for it); spaces with one: fmnist-chain, mbv3, nb201\n",
    );
    expect(r.code).toBe(2);
    expect(existsSync(join(dir, 'toy.lut.json'))).toBe(false);
  });

  it('replaces an older latency table, and refuses any other file (a run database), touching nothing', () => {
    const search = archlab(
      dir,
      'search',
      '--space',
      'nb201',
      '--estimator',
      'nb201:cifar10',
      '--trials',
      '5',
      '--db',
      'runs.db',
      '--run-id',
      'r',
      '-q',
    );
    expect(search.code).toBe(0);
    const before = readFileSync(join(dir, 'runs.db'));
    const profile = (out: string) =>
      archlab(dir, 'profile-device', '--space', 'nb201', '--out', out, '--runs', '1', '--warmup', '0');
    const refused = profile('runs.db');
    expect(refused.stderr).toBe(
      "archlab: error: profile-device: --out 'runs.db' exists and is not a latency table; it is left as it is: give another file\n",
    );
    expect(refused.code).toBe(2);
    expect(readFileSync(join(dir, 'runs.db')).equals(before)).toBe(true);
    expect(archlab(dir, 'replay', 'r', '--db', 'runs.db', '--verify').code).toBe(0);
    // A table is replaced whole, by rename: no temporary file is left.
    expect(profile('nb201.lut.json').code).toBe(0);
    const first = JSON.parse(readFileSync(join(dir, 'nb201.lut.json'), 'utf8')) as { created: string };
    expect(profile('nb201.lut.json').code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'nb201.lut.json'), 'utf8')).created).not.toBe(first.created);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);
});
