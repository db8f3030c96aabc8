import os from 'node:os';
import {
  ConfigError,
  type HardwareModel,
  type HardwareModelFactory,
  type Metrics,
  parseOptions,
  type SearchSpace,
} from '@archlab/core';
import {
  type BackendName,
  initBackend,
  type Network,
  type SpaceNetworks,
  type TfjsSpaceNetwork,
} from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import {
  buildSpaceNetwork,
  NETWORK_SHAPE_OPTIONS,
  type NetworkShapeOptions,
  networkShapeOptions,
} from './space-network.js';
import { type TimingStats, timingStats } from './stats.js';

export interface MeasureOptions {
  /** Images per inference; default 1. */
  readonly batch?: number;
  /** Untimed inferences first (kernel compilation, caches); default 3. */
  readonly warmup?: number;
  /** Timed inferences; default 10. */
  readonly runs?: number;
  /** The tfjs backend expected to run it (`tf.getBackend()` name); a different current backend is a ConfigError. */
  readonly backend?: string;
  /** Milliseconds from some origin; default `performance.now` (tests pass a virtual clock). */
  readonly clock?: () => number;
}

export interface LatencyMeasurement extends TimingStats {
  /** The tfjs backend that ran it. */
  readonly backend: string;
  readonly batch: number;
}

function count(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`measureLatency: ${name} must be a whole number ≥ ${min}, got ${value}`);
  }
  return value;
}

/**
 * Times inference of `network` on the current tfjs backend: `warmup` untimed runs, then `runs`
 * timed ones, each from `apply` until the logits are read back (so asynchronous backends
 * finish). The input is one fixed random batch. Returns the median and spread in milliseconds.
 */
export async function measureLatency(
  network: Network,
  options: MeasureOptions = {},
): Promise<LatencyMeasurement> {
  const batch = count('batch', options.batch ?? 1, 1);
  const warmup = count('warmup', options.warmup ?? 3, 0);
  const runs = count('runs', options.runs ?? 10, 1);
  const backend = tf.getBackend();
  if (options.backend !== undefined && options.backend !== backend) {
    throw new ConfigError(
      `measureLatency: the current tfjs backend is '${backend}', not '${options.backend}'; initialise '${options.backend}' first`,
    );
  }
  const x = tf.randomUniform([batch, ...network.inputShape], 0, 1, 'float32', 1) as tf.Tensor4D;
  try {
    const times = await timeRuns(() => readBack(network.apply(x)), {
      warmup,
      runs,
      repeats: 1,
      clock: options.clock,
    });
    return { ...timingStats(times), backend, batch };
  } finally {
    x.dispose();
  }
}

/** Waits for `y`'s values (so an asynchronous backend finishes computing it), then frees it. */
export async function readBack(y: tf.Tensor): Promise<void> {
  try {
    await y.data();
  } finally {
    y.dispose();
  }
}

/**
 * Milliseconds per step of `run(n)` (which does `n` steps), over `runs` timed runs after
 * `warmup` untimed single steps. `repeats` steps per timed run; `auto`: enough for a run to
 * last about 2 ms (at most 100), which shares a run's fixed cost (read-back) among its steps.
 */
export async function timeRuns(
  run: (n: number) => Promise<void>,
  options: {
    readonly warmup: number;
    readonly runs: number;
    readonly repeats: number | 'auto';
    readonly clock?: () => number;
  },
): Promise<number[]> {
  const now = options.clock ?? (() => performance.now());
  const timed = async (n: number) => {
    const t0 = now();
    await run(n);
    return (now() - t0) / n;
  };
  for (let i = 0; i < options.warmup; i++) await run(1);
  const n =
    options.repeats === 'auto'
      ? Math.min(AUTO_MAX_REPEATS, Math.max(1, Math.ceil(AUTO_RUN_MS / (await timed(1)))))
      : options.repeats;
  const times: number[] = [];
  for (let i = 0; i < options.runs; i++) times.push(await timed(n));
  return times;
}

const AUTO_RUN_MS = 2;
const AUTO_MAX_REPEATS = 100;

/** What a measurement ran on: backend, CPU model, cores, platform. */
export function machineDevice(backend: string): Record<string, string> {
  const cpus = os.cpus();
  return {
    kind: 'measured',
    backend,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: String(cpus.length),
    platform: `${os.platform()}-${os.arch()}`,
  };
}

export const LATENCY_BACKENDS = ['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'] as const;

export const LATENCY_OPTIONS = {
  ...NETWORK_SHAPE_OPTIONS,
  backend: {
    type: 'enum',
    default: 'wasm',
    values: LATENCY_BACKENDS,
    description: 'tfjs backend to time on (wasm, cpu, tensorflow = tfjs-node, tensorflow-gpu)',
  },
  batch: { type: 'int', default: 1, min: 1, description: 'images per timed inference' },
  warmup: { type: 'int', default: 3, min: 0, description: 'untimed inferences before timing' },
  runs: { type: 'int', default: 10, min: 1, description: 'timed inferences; the median is reported' },
} as const;

/** Initialises `backend` for this thread, or says which one the process already uses. */
export async function useBackend(backend: BackendName): Promise<string> {
  const info = await initBackend(backend);
  if (info.name !== backend) {
    throw new ConfigError(
      `this process already runs on tfjs backend '${info.name}', not '${backend}'; choose backend=${info.name}`,
    );
  }
  return info.tfjsName;
}

export interface LatencyModelOptions extends NetworkShapeOptions, Omit<MeasureOptions, 'backend'> {
  readonly backend: BackendName;
}

/**
 * A HardwareModel timing each architecture's network: `latency_ms` (median) with
 * `latency_p10_ms` and `latency_p90_ms`. Not cheap, not deterministic.
 */
export function latencyModel(
  network: TfjsSpaceNetwork,
  space: SearchSpace,
  options: LatencyModelOptions,
): HardwareModel {
  const { backend, inputShape, numClasses, ...measure } = options;
  return {
    name: 'latency',
    metrics: ['latency_ms', 'latency_p10_ms', 'latency_p90_ms'],
    cheap: false,
    deterministic: false,
    device: { ...machineDevice(backend), batch: String(measure.batch ?? 1) },
    async cost(arch): Promise<Metrics> {
      await useBackend(backend);
      const built = buildSpaceNetwork(await network.load(), space, arch, { inputShape, numClasses });
      try {
        const m = await measureLatency(built, measure);
        return { latency_ms: m.median, latency_p10_ms: m.p10, latency_p90_ms: m.p90 };
      } finally {
        built.dispose();
      }
    },
  };
}

/** `latency`, for the spaces of `networks`. */
export function latencyFactory(networks: SpaceNetworks): HardwareModelFactory {
  return {
    name: 'latency',
    description: 'measured inference latency (median and p10/p90 in ms) of the network on a tfjs backend',
    spaces: networks.spaces(),
    options: LATENCY_OPTIONS,
    create: (space, options) => {
      const o = parseOptions('latency', LATENCY_OPTIONS, options);
      return latencyModel(networks.get(space.name, 'the latency hardware model'), space, {
        ...networkShapeOptions('latency', o.input, o.classes),
        backend: o.backend as BackendName,
        batch: o.batch,
        warmup: o.warmup,
        runs: o.runs,
      });
    },
  };
}
