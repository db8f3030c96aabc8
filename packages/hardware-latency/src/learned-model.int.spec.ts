import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nb201DeviceTableSource, nb201Space } from '@archlab/bench-nb201';
import { ConfigError, sampleKeys } from '@archlab/core';
import { hardwareModelContract } from '@archlab/core/testing';
import { describe, expect, it } from 'vitest';
import { DeviceTables } from './device-tables.js';
import { fitLatencyModel, latencyPredictor } from './latency-model.js';
import { learnedFactory } from './learned-model.js';

const table = nb201DeviceTableSource.load();
const fpga = table.column('fpga');
const samples = sampleKeys(nb201Space, 20, 4).map((arch) => ({
  arch,
  latencyMs: fpga[table.indexOf(arch)!]!,
}));
const model = fitLatencyModel(nb201Space, samples, { table, excludeDevices: ['fpga'] });
const file = join(mkdtempSync(join(tmpdir(), 'archlab-learned-')), 'fpga.json');
writeFileSync(file, JSON.stringify(model));
const tables = new DeviceTables([nb201DeviceTableSource]);

describe('the learned hardware model', () => {
  it("predicts what the model file does, cheaply and deterministically, recording the model's provenance", async () => {
    const hw = learnedFactory(tables).create(nb201Space, { file });
    expect(hw).toMatchObject({ name: 'learned', metrics: ['latency_ms'], cheap: true, deterministic: true });
    expect(hw.device).toEqual({
      kind: 'learned',
      method: 'transfer',
      references: model.references.join(','),
      samples: `20 sha256:${model.samples.sha256}`,
      created: model.created,
    });
    const predict = latencyPredictor(model, nb201Space, table);
    for (const key of sampleKeys(nb201Space, 10, 9)) {
      const arch = nb201Space.parse(key);
      expect((await hw.cost(arch)).latency_ms).toBe(predict(arch));
    }
  });

  it('needs the file, and the space its model reads a table of', () => {
    expect(() => learnedFactory(tables).create(nb201Space, {})).toThrow(
      new ConfigError(
        'learned: give the model as --hardware learned:file=PATH (from archlab latency-model fit)',
      ),
    );
    expect(() => learnedFactory(new DeviceTables([])).create(nb201Space, { file })).toThrow(
      `${file} predicts from the device latency table of space 'nb201' (devices ${model.references.join(', ')}), and no loaded plugin binds one; load the space's package`,
    );
  });
});

hardwareModelContract(
  'learned (nb201, fitted from 20 fpga cells)',
  () => learnedFactory(tables).create(nb201Space, { file }),
  nb201Space,
);
