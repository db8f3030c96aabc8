import {
  ConfigError,
  type DeviceLatencyTable,
  type DeviceLatencyTableSource,
  type HardwareModel,
  type HardwareModelFactory,
  parseOptions,
  type SearchSpace,
} from '@archlab/core';
import { type LatencyModelFile, latencyPredictor, readLatencyModel } from './latency-model.js';

export const LEARNED_OPTIONS = {
  file: {
    type: 'string',
    default: '',
    description: 'latency model from archlab latency-model fit (required)',
  },
} as const;

/** The device table of `space` among `sources`, loaded; undefined when none is bound. */
export function spaceDeviceTable(
  sources: readonly DeviceLatencyTableSource[],
  space: string,
): DeviceLatencyTable | undefined {
  return sources.find((s) => s.space === space)?.load();
}

/**
 * A HardwareModel predicting `latency_ms` with a fitted latency model: cheap and deterministic,
 * so a latency constraint prunes before evaluation. A `transfer` model reads the space's device
 * table (from `sources`) at prediction time.
 */
export function learnedModel(
  space: SearchSpace,
  model: LatencyModelFile,
  sources: readonly DeviceLatencyTableSource[],
  source = 'the latency model',
): HardwareModel {
  const table = model.method === 'transfer' ? spaceDeviceTable(sources, space.name) : undefined;
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
export function learnedFactory(sources: readonly DeviceLatencyTableSource[]): HardwareModelFactory {
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
      return learnedModel(space, readLatencyModel(o.file), sources, o.file);
    },
  };
}
