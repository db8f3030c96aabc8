import {
  ConfigError,
  DataError,
  type DeviceLatencyTable,
  type HardwareModel,
  type HardwareModelFactory,
  type Metrics,
  parseOptions,
  type SearchSpace,
} from '@archlab/core';
import type { DeviceTables } from './device-tables.js';

/** An architecture the space's device table has no row for (a table covering part of a space). */
export class DeviceTableMissError extends DataError {
  override readonly code = 'DEVICE_TABLE_MISS';
  constructor(
    readonly space: string,
    readonly key: string,
  ) {
    super(`the device latency table of space '${space}' has no row for architecture '${key}'`);
  }
}

/**
 * A HardwareModel reading `latency_ms` from column `device` of a measured table: cheap and
 * deterministic, so a latency constraint prunes before evaluation and `replay --verify`
 * recomputes it.
 */
export function deviceModel(space: SearchSpace, table: DeviceLatencyTable, device: string): HardwareModel {
  const column = table.column(device);
  const info = table.devices.find((d) => d.name === device)!;
  return {
    name: 'device',
    metrics: ['latency_ms'],
    cheap: true,
    deterministic: true,
    device: {
      kind: 'device',
      name: info.name,
      hardware: info.hardware,
      batch: String(info.batch),
      description: info.description,
      source: table.source,
    },
    async cost(arch): Promise<Metrics> {
      const key = space.key(arch);
      const row = table.indexOf(key);
      if (row === undefined) throw new DeviceTableMissError(space.name, key);
      return { latency_ms: column[row]! };
    },
  };
}

const deviceOptions = (tables: DeviceTables) =>
  ({
    name: {
      type: 'string',
      default: '',
      description: `the device (required); ${tables.spaces().length ? tables.summary() : 'no loaded plugin binds a device table'}`,
    },
  }) as const;

/** `device`, for the spaces whose packages bound a device latency table. */
export function deviceFactory(tables: DeviceTables): HardwareModelFactory {
  const options = deviceOptions(tables);
  return {
    name: 'device',
    description: "latency measured on a real device, read from the space's device table (HW-NAS-Bench, HELP)",
    spaces: tables.spaces(),
    options,
    create: (space, raw) => {
      const { name } = parseOptions('device', options, raw);
      const source = tables.get(space.name, 'the device hardware model');
      if (!name) {
        throw new ConfigError(
          `device: name the device as --hardware device:name=NAME; devices of space '${space.name}': ${source.devices.map((d) => d.name).join(', ')}`,
        );
      }
      tables.device(space.name, name, 'the device hardware model');
      return deviceModel(space, source.load(), name);
    },
  };
}
