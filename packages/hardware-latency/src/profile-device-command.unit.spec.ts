import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, InvalidOptionError } from '@archlab/core';
import { initBackend } from '@archlab/nn';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLut } from './lut.js';
import { profileDeviceCommand } from './profile-device-command.js';

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
      (l) => lines.push(l),
    );
    expect(readLut(out)).toEqual(lut);
    expect(lut).toMatchObject({ space: 'fmnist-chain', backend: 'cpu', spaceOptions: { imageSize: 8 } });
    expect(lut.network.inputShape).toEqual([8, 8, 1]);
    expect(lines.at(-1)).toMatch(/^profiled \d+ operations, per-network overhead/);
  });

  it('says what is missing or wrong', async () => {
    await expect(profileDeviceCommand({ out: 'x.json' }, () => {})).rejects.toThrow(
      /give --space nb201 or fmnist-chain/,
    );
    await expect(profileDeviceCommand({ space: 'nb201' }, () => {})).rejects.toThrow(ConfigError);
    await expect(profileDeviceCommand({ space: 'nb201', out: 'x', runs: '0' }, () => {})).rejects.toThrow(
      InvalidOptionError,
    );
  });
});
