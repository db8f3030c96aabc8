import { benchNb201Module, nb201DeviceTableSource, nb201Space } from '@archlab/bench-nb201';
import {
  ConfigError,
  Container,
  coreModule,
  type DeviceLatencyTable,
  type DeviceLatencyTableSource,
  PluginRegistry,
  replayRun,
  UnknownDeviceError,
} from '@archlab/core';
import { hardwareModelContract, runSearch } from '@archlab/core/testing';
import { describe, expect, it } from 'vitest';
import { DeviceTableMissError, deviceFactory, deviceModel } from './device.js';
import { DeviceTables } from './device-tables.js';
import { hardwareLatencyModule } from './hardware-latency-module.js';

// Row 1 of nb201-devices.csv (NB201 API index 1), copied from the file by hand.
const ROW1 =
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';

/** A source over the real nb201 table that counts its loads, to show what reads the figures. */
function countingSource(): DeviceLatencyTableSource & { loads: number } {
  const source = {
    space: 'nb201',
    devices: nb201DeviceTableSource.devices,
    loads: 0,
    load() {
      source.loads++;
      return nb201DeviceTableSource.load();
    },
  };
  return source;
}

describe('the device hardware model', () => {
  it('reads the measured latency of the named device', async () => {
    const model = deviceFactory(new DeviceTables([nb201DeviceTableSource])).create(nb201Space, {
      name: 'pixel3',
    });
    expect(await model.cost(nb201Space.parse(ROW1))).toEqual({ latency_ms: 17.2381 });
    const other = deviceFactory(new DeviceTables([nb201DeviceTableSource])).create(nb201Space, {
      name: 'titan_rtx_256',
    });
    expect(await other.cost(nb201Space.parse(ROW1))).toEqual({ latency_ms: 26.5128755569458 });
    expect(model).toMatchObject({
      name: 'device',
      metrics: ['latency_ms'],
      cheap: true,
      deterministic: true,
    });
    expect(other.device).toEqual({
      kind: 'device',
      name: 'titan_rtx_256',
      hardware: 'titan_rtx',
      batch: '256',
      description: expect.stringMatching(/Titan RTX GPU, batch 256; HELP \(Lee et al\., NeurIPS 2021\)/),
      source: expect.stringMatching(/HW-NAS-Bench .* and HELP/),
    });
  });

  it('serves the spaces that bound a table, and lists their devices in its option', () => {
    const tables = new DeviceTables([
      nb201DeviceTableSource,
      { ...nb201DeviceTableSource, space: 'another' },
    ]);
    const factory = deviceFactory(tables);
    expect(factory.spaces).toEqual(['another', 'nb201']);
    expect(factory.options!.name!.description).toMatch(
      /^the device \(required\); another: pixel3, eyeriss, .*; nb201: pixel3, /,
    );
    expect(deviceFactory(new DeviceTables([])).spaces).toEqual([]);
  });

  it('refuses an unknown or missing device name before reading the table, listing the devices', () => {
    const source = countingSource();
    const factory = deviceFactory(new DeviceTables([source]));
    expect(() => factory.create(nb201Space, { name: 'pixel4' })).toThrow(UnknownDeviceError);
    expect(() => factory.create(nb201Space, { name: 'pixel4' })).toThrow(
      "space 'nb201' has no device 'pixel4' in its latency table; devices: pixel3, eyeriss, fpga, 1080ti_1, 1080ti_32, 1080ti_256, 2080ti_1, 2080ti_32, 2080ti_256, titanx_1, titanx_32, titanx_256, titanxp_1, titanxp_32, titanxp_256, titan_rtx_1, titan_rtx_256, gold_6226, silver_4114, samsung_a50, essential_ph_1",
    );
    expect(() => factory.create(nb201Space, {})).toThrow(ConfigError);
    expect(() => factory.create(nb201Space, {})).toThrow(
      /name the device as --hardware device:name=NAME; devices of space 'nb201': pixel3, /,
    );
    expect(() => factory.create(nb201Space, { name: 'pixel3', file: 'x' })).toThrow(/unknown option 'file'/);
    expect(source.loads).toBe(0);
    factory.create(nb201Space, { name: 'pixel3' });
    expect(source.loads).toBe(1);
  });

  it('names the architecture a table lacks', async () => {
    const full = nb201DeviceTableSource.load();
    const partial: DeviceLatencyTable = {
      ...full,
      devices: full.devices,
      keys: full.keys.slice(0, 10),
      column: (d) => full.column(d),
      indexOf: (key) => {
        const i = full.indexOf(key);
        return i !== undefined && i < 10 ? i : undefined;
      },
    };
    const model = deviceModel(nb201Space, partial, 'fpga');
    expect(await model.cost(nb201Space.parse(full.keys[3]!))).toEqual({ latency_ms: full.column('fpga')[3] });
    const err = await model.cost(nb201Space.parse(ROW1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceTableMissError);
    expect((err as DeviceTableMissError).message).toBe(
      `the device latency table of space 'nb201' has no row for architecture '${ROW1}'`,
    );
  });

  it('prunes before evaluation in a run, and replay --verify recomputes its costs', async () => {
    const container = new Container();
    for (const m of [coreModule, benchNb201Module, hardwareLatencyModule]) container.load(m);
    const registry = new PluginRegistry(container);
    const { state, store } = await runSearch(registry, {
      space: 'nb201',
      estimator: 'nb201:cifar10',
      strategy: 'random',
      seed: 4,
      budget: { trials: 30 },
      hardware: [{ name: 'device', options: { name: 'eyeriss' } }],
      constraints: [{ metric: 'latency_ms', op: '<=', bound: 5 }],
    });
    const eyeriss = nb201DeviceTableSource.load().column('eyeriss');
    const truth = (key: string) => eyeriss[nb201DeviceTableSource.load().indexOf(key)!]!;
    const pruned = state.trials.filter((t) => t.status === 'pruned');
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of state.trials) {
      expect(t.metrics!.latency_ms).toBe(truth(t.arch!));
      expect(t.status).toBe(truth(t.arch!) <= 5 ? 'completed' : 'pruned');
    }
    const replayed = await replayRun(store, registry, state.runId, { mode: 'verify' });
    expect(replayed.reevaluated).toBe(state.trials.length);
  });
});

hardwareModelContract(
  'device (nb201, pixel3)',
  () => deviceFactory(new DeviceTables([nb201DeviceTableSource])).create(nb201Space, { name: 'pixel3' }),
  nb201Space,
);
