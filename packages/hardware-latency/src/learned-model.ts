import {
  ConfigError,
  type DeviceLatencyTable,
  type HardwareModel,
  type HardwareModelFactory,
  parseOptions,
  type SearchSpace,
} from '@archlab/core';
import type { DeviceTables } from './device-tables.js';
import { type LatencyModelFile, latencyPredictor, readLatencyModel } from './latency-model.js';

export const LEARNED_OPTIONS = {
  file: {
    type: 'string',
    default: '',
    description: 'latency model from archlab latency-model fit (required)',
  },
} as const;

/** The device table of `space`, loaded; undefined when no loaded plugin binds one. */
export function spaceDeviceTable(tables: DeviceTables, space: string): DeviceLatencyTable | undefined {
  return tables.spaces().includes(space) ? tables.get(space, 'a latency model').load() : undefined;
}

/**
 * A HardwareModel predicting `latency_ms` with a fitted latency model: cheap and deterministic,
 * so a latency constraint prunes before evaluation. A `transfer` model reads the space's device
 * table (from `tables`) at prediction time.
 */
export function learnedModel(
  space: SearchSpace,
  model: LatencyModelFile,
  tables: DeviceTables,
  source = 'the latency model',
): HardwareModel {
  const table = model.method === 'transfer' ? spaceDeviceTable(tables, space.name) : undefined;
  const predict = latencyPredictor(model, space, table, source);
  return {
    name: 'learned',
    metrics: ['latency_ms'],
    cheap: true,
    deterministic: true,
    device: {
      kind: 'learned',
      method: model.method,
      references: model.references.join(','),
      samples: `${model.samples.n} sha256:${model.samples.sha256}`,
      created: model.created,
    },
    cost: async (arch) => ({ latency_ms: predict(arch) }),
  };
}

/** `learned`, for any space its model file was fitted for. */
export function learnedFactory(tables: DeviceTables): HardwareModelFactory {
  return {
    name: 'learned',
    description: 'batch-1 latency on one device, predicted by a model fitted with archlab latency-model fit',
    options: LEARNED_OPTIONS,
    create: (space, options) => {
      const o = parseOptions('learned', LEARNED_OPTIONS, options);
      if (!o.file) {
        throw new ConfigError(
          'learned: give the model as --hardware learned:file=PATH (from archlab latency-model fit)',
        );
      }
      return learnedModel(space, readLatencyModel(o.file), tables, o.file);
    },
  };
}
