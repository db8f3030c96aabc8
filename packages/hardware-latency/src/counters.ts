import {
  type HardwareModel,
  type HardwareModelFactory,
  InvalidOptionError,
  type Metrics,
  parseOptions,
  type SearchSpace,
} from '@archlab/core';
import { type NetworkDescription, product, type SpaceNetworks, type TfjsSpaceNetwork } from '@archlab/nn';
import {
  NETWORK_SHAPE_OPTIONS,
  type NetworkShapeOptions,
  networkShapeOptions,
  spaceDescription,
} from './space-network.js';

/** Analytic costs of a network, for one image. */
export interface ArchitectureCounts {
  /** Trainable parameters. */
  readonly params: number;
  /** Multiply-adds of convolutions and dense layers (NAS-Bench-201's convention). */
  readonly flops: number;
  /** Peak bytes of float32 activations held at once during batch-1 inference (see {@link peakActivationBytes}). */
  readonly peak_mem_bytes: number;
}

const FLOAT32_BYTES = 4;

/**
 * Peak activation memory of batch-1 inference, in bytes (float32). Walks the layers in
 * execution order; while a layer runs, the live tensors are the network's input (held by the
 * caller throughout), every earlier output some later layer (or this one) still reads, and the
 * layer's own output. A value is freed after its last reader, as the network's `apply` does.
 *
 * Approximation: weights and a kernel's scratch buffers (im2col, a batch norm's temporaries) are
 * not counted, and neither is the backend's allocator slack.
 */
export function peakActivationBytes(network: NetworkDescription): number {
  const inputSize = product(network.inputShape);
  const live = new Map<number, number>();
  let peak = inputSize;
  network.dataflow.forEach((s, i) => {
    const out = product(network.layers[i]!.outputShape);
    let held = inputSize + out;
    for (const size of live.values()) held += size;
    peak = Math.max(peak, held);
    live.set(s.output, out);
    for (const id of s.free) live.delete(id);
  });
  return peak * FLOAT32_BYTES;
}

/**
 * Params, FLOPs (multiply-adds) and peak activation memory of a network, for one image, from
 * its description (a space's `describe*Network`, or `describeNetwork` of a built one).
 */
export function countArchitecture(network: NetworkDescription): ArchitectureCounts {
  return {
    params: network.layers.reduce((n, l) => n + l.params, 0),
    flops: network.layers.reduce((n, l) => n + l.flops, 0),
    peak_mem_bytes: peakActivationBytes(network),
  };
}

export const COUNTER_METRICS = ['params', 'flops', 'peak_mem_bytes'] as const;
export type CounterMetric = (typeof COUNTER_METRICS)[number];

const COUNTERS_OPTIONS = {
  ...NETWORK_SHAPE_OPTIONS,
  metrics: {
    type: 'string',
    default: COUNTER_METRICS.join(','),
    description:
      "the counts to report, comma-separated; leave out those the estimator already reports (the 'train' estimator reports params and flops)",
  },
} as const;

/** Reads the `metrics` option: a non-empty list of distinct counter metrics. */
function counterMetrics(raw: string): CounterMetric[] {
  const names = raw.split(',').map((m) => m.trim());
  const unknown = names.filter((m) => !(COUNTER_METRICS as readonly string[]).includes(m));
  if (names.length === 0 || unknown.length > 0 || new Set(names).size !== names.length) {
    throw new InvalidOptionError(
      `counters: option 'metrics' is a comma-separated list of distinct counts among ${COUNTER_METRICS.join(', ')}; got '${raw}'`,
    );
  }
  return names as CounterMetric[];
}

/**
 * A HardwareModel of analytic counts, read from the architecture's network description (no
 * weights, no tfjs backend); the counts are cached by architecture key.
 */
export function countersModel(
  network: TfjsSpaceNetwork,
  space: SearchSpace,
  shape: NetworkShapeOptions = {},
  metrics: readonly CounterMetric[] = COUNTER_METRICS,
): HardwareModel {
  const cache = new Map<string, ArchitectureCounts>();
  return {
    name: 'counters',
    metrics,
    cheap: true,
    deterministic: true,
    device: { kind: 'analytic' },
    async cost(arch): Promise<Metrics> {
      const key = space.key(arch);
      let counts = cache.get(key);
      if (!counts) {
        counts = countArchitecture(spaceDescription(await network.load(), space, arch, shape));
        cache.set(key, counts);
      }
      return Object.fromEntries(metrics.map((m) => [m, counts[m]]));
    },
    dispose: () => cache.clear(),
  };
}

/** `counters`, for the spaces of `networks`. */
export function countersFactory(networks: SpaceNetworks): HardwareModelFactory {
  return {
    name: 'counters',
    description: 'params, FLOPs (multiply-adds) and peak activation memory (float32, batch 1) of the network',
    spaces: networks.spaces(),
    options: COUNTERS_OPTIONS,
    create: (space, options) => {
      const o = parseOptions('counters', COUNTERS_OPTIONS, options);
      return countersModel(
        networks.get(space.name, 'the counters hardware model'),
        space,
        networkShapeOptions('counters', o.input, o.classes),
        counterMetrics(o.metrics),
      );
    },
  };
}
