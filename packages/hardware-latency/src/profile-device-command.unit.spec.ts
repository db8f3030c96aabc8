import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nb201SpaceFactory, nb201SpaceNetwork } from '@archlab/bench-nb201';
import { ConfigError, InvalidOptionError, UnknownPluginError } from '@archlab/core';
import { initBackend, SpaceNetworks } from '@archlab/nn';
import { fmnistChainSpaceFactory, fmnistChainSpaceNetwork } from '@archlab/space-fmnist-chain';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLut } from './lut.js';
import { type ProfileDeviceContext, profileDeviceCommand } from './profile-device-command.js';

/** What the CLI passes: its plugins' spaces and networks. */
const CONTEXT: ProfileDeviceContext = {
  space: (name) => {
    const found = [nb201SpaceFactory, fmnistChainSpaceFactory].find((f) => f.name === name);
    if (!found) throw new UnknownPluginError('space', name, ['fmnist-chain', 'nb201']);
    return found;
  },
  networks: new SpaceNetworks([nb201SpaceNetwork, fmnistChainSpaceNetwork]),
};

beforeAll(async () => {
  await initBackend('cpu');
});

describe('profileDeviceCommand', () => {
  it('profiles a space from command-line flags and writes the table', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'archlab-profile-')), 'device.lut.json');
    const lines: string[] = [];
    const lut = await profileDeviceCommand(
      {
        space: 'fmnist-chain',
        out,
        backend: 'cpu',
        runs: '1',
        warmup: '0',
        spaceOptions: { imageSize: 8, maxDepth: 2, widths: '4' },
      },
      CONTEXT,
      (l) => lines.push(l),
    );
    expect(readLut(out)).toEqual(lut);
    expect(lut).toMatchObject({ space: 'fmnist-chain', backend: 'cpu', spaceOptions: { imageSize: 8 } });
    expect(lut.network.inputShape).toEqual([8, 8, 1]);
    expect(lines.at(-1)).toMatch(/^profiled \d+ operations, per-network overhead/);
  });

  it('says what is missing or wrong', async () => {
    await expect(profileDeviceCommand({ out: 'x.json' }, CONTEXT, () => {})).rejects.toThrow(
      /give --space fmnist-chain or nb201/,
    );
    await expect(profileDeviceCommand({ space: 'nb201' }, CONTEXT, () => {})).rejects.toThrow(ConfigError);
    await expect(
      profileDeviceCommand({ space: 'nb201', out: 'x', runs: '0' }, CONTEXT, () => {}),
    ).rejects.toThrow(InvalidOptionError);
  });
});
