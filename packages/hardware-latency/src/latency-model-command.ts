import {
  ConfigError,
  type HardwareModelFactory,
  readArchKeys,
  type SearchSpaceFactory,
  sampleKeys,
} from '@archlab/core';
import type { DeviceTables } from './device-tables.js';
import {
  fitLatencyModel,
  type LatencyModelFile,
  latencyPredictor,
  readLatencyModel,
  samplesCsv,
} from './latency-model.js';
import { readLatencySamples } from './latency-samples.js';
import { spaceDeviceTable } from './learned-model.js';
import { refuseToReplace, writeWhole } from './output-file.js';

/** Where the latency-model commands find spaces, device tables and hardware models (the CLI passes its plugins'). */
export interface LatencyModelContext {
  space(name: string): SearchSpaceFactory;
  readonly tables: DeviceTables;
  hardware(name: string): HardwareModelFactory;
}

export interface LatencyModelFitFlags {
  readonly space: string;
  readonly spaceOptions?: Readonly<Record<string, unknown>>;
  readonly samples: string;
  readonly out: string;
  readonly excludeDevice?: readonly string[];
}

/**
 * `archlab latency-model fit --space S --samples S.csv --out M.json [--exclude-device NAME…]`:
 * fits a latency model from the measured samples and writes it; nothing is written when the
 * samples are refused.
 */
export function latencyModelFit(flags: LatencyModelFitFlags, context: LatencyModelContext): LatencyModelFile {
  const space = context.space(flags.space).create(flags.spaceOptions ?? {});
  refuseToReplace('latency-model fit', flags.out, 'a latency model', readLatencyModel);
  const samples = readLatencySamples(flags.samples);
  const model = fitLatencyModel(space, samples, {
    table: spaceDeviceTable(context.tables, space.name),
    excludeDevices: flags.excludeDevice ?? [],
  });
  writeWhole(flags.out, `${JSON.stringify(model, null, 2)}\n`, 'latency model');
  return model;
}

export interface LatencyModelPredictFlags {
  readonly model: string;
  readonly spaceOptions?: Readonly<Record<string, unknown>>;
  /** A file of architecture keys, one a line (or a samples CSV: its `arch` column). */
  readonly archs?: string;
  readonly sample?: number;
  readonly seed?: number;
}

/**
 * `archlab latency-model predict --model M.json (--archs FILE | --sample N --seed S)`: the
 * model's latency for each architecture, in the order given (sampled ones distinct).
 */
export function latencyModelPredict(
  flags: LatencyModelPredictFlags,
  context: LatencyModelContext,
): { key: string; latency_ms: number }[] {
  if ((flags.archs === undefined) === (flags.sample === undefined)) {
    throw new ConfigError('latency-model predict: give either --archs FILE or --sample N (with --seed S)');
  }
  const model = readLatencyModel(flags.model);
  const space = context.space(model.space).create(flags.spaceOptions ?? model.spaceOptions);
  const predict = latencyPredictor(model, space, spaceDeviceTable(context.tables, space.name), flags.model);
  const keys =
    flags.archs !== undefined
      ? readArchKeys(flags.archs, space)
      : sampleKeys(space, flags.sample!, flags.seed ?? 0);
  return keys.map((key) => ({ key, latency_ms: predict(space.parse(key)) }));
}

export interface LatencyModelMeasureFlags {
  readonly space: string;
  readonly spaceOptions?: Readonly<Record<string, unknown>>;
  readonly hardware: string;
  readonly hardwareOptions?: Readonly<Record<string, unknown>>;
  readonly sample: number;
  readonly seed?: number;
  readonly out: string;
}

/**
 * `archlab latency-model measure --space S --hardware NAME --sample N --seed S --out S.csv`:
 * `N` distinct seeded architectures costed by a hardware model with a `latency_ms` metric
 * (`latency` measures on this machine, `device` reads a device table), as a samples CSV.
 */
export async function latencyModelMeasure(
  flags: LatencyModelMeasureFlags,
  context: LatencyModelContext,
): Promise<number> {
  const space = context.space(flags.space).create(flags.spaceOptions ?? {});
  refuseToReplace('latency-model measure', flags.out, 'a samples CSV', readLatencySamples);
  const model = context.hardware(flags.hardware).create(space, flags.hardwareOptions ?? {});
  try {
    if (!model.metrics.includes('latency_ms')) {
      throw new ConfigError(
        `latency-model measure: hardware model '${flags.hardware}' gives ${model.metrics.join(', ')}, not latency_ms`,
      );
    }
    const rows: { arch: string; latencyMs: number }[] = [];
    for (const key of sampleKeys(space, flags.sample, flags.seed ?? 0)) {
      rows.push({ arch: key, latencyMs: Number((await model.cost(space.parse(key))).latency_ms) });
    }
    writeWhole(flags.out, samplesCsv(rows), 'samples');
    return rows.length;
  } finally {
    await model.dispose?.();
  }
}
