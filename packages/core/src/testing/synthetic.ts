import { createHash } from 'node:crypto';
import { MalformedArchitectureError } from '../errors.js';
import type { Estimator, EstimatorFactory } from '../estimator/estimator.js';
import type { HardwareModel, HardwareModelFactory } from '../hardware/hardware-model.js';
import { Rng } from '../rng/rng.js';
import type { SearchSpace, SearchSpaceFactory } from '../space/search-space.js';
import type { StrategyFactory } from '../strategy/strategy.js';

/**
 * A tiny space for tests: `width` digits in base `base`, key like `2-0-4-1`. It has every
 * optional capability, so any strategy can run on it.
 */
export function digitsSpace(width = 4, base = 5): SearchSpace<number[]> {
  const check = (key: string): number[] => {
    const parts = key.split('-');
    if (parts.length !== width)
      throw new MalformedArchitectureError('digits', key, `expected ${width} digits`);
    return parts.map((p) => {
      const d = Number(p);
      if (!/^\d+$/.test(p) || d >= base)
        throw new MalformedArchitectureError('digits', key, `'${p}' is not a digit below ${base}`);
      return d;
    });
  };
  return {
    name: 'digits',
    size: base ** width,
    sample: (rng) => Array.from({ length: width }, () => rng.int(base)),
    key: (a) => a.join('-'),
    parse: check,
    mutate: (a, rng) => {
      const out = [...a];
      const i = rng.int(width);
      out[i] = (out[i]! + 1 + rng.int(base - 1)) % base;
      return out;
    },
    neighbours: (a) =>
      a.flatMap((d, i) =>
        Array.from({ length: base - 1 }, (_, k) => {
          const out = [...a];
          out[i] = (d + 1 + k) % base;
          return out;
        }),
      ),
    isomorphismKey: (a) => a.join('-'),
    encoding: {
      decisions: Array.from({ length: width }, (_, i) => ({
        name: `d${i}`,
        choices: Array.from({ length: base }, (_, k) => String(k)),
      })),
      encode: (a) => [...a],
      decode: (c) => [...c],
    },
  };
}

export const digitsSpaceFactory: SearchSpaceFactory = {
  name: 'digits',
  description: 'test space: fixed-width digit strings',
  create: () => digitsSpace(),
};

/** A deterministic score in [0, 100) from an architecture's key: smooth enough for search, cheap, no data. */
export function hashScore(key: string): number {
  const h = createHash('sha256').update(key).digest();
  return (h.readUInt32BE(0) / 0x100000000) * 100;
}

/** An estimator for tests: `score` from the key's hash, optionally failing on some keys. */
export function syntheticEstimator(opts: {
  failWhen?: (key: string) => boolean;
  space: SearchSpace;
}): Estimator {
  return {
    name: 'synthetic',
    metrics: [{ name: 'score', direction: 'max' }],
    deterministic: true,
    async evaluate(arch) {
      const key = opts.space.key(arch);
      if (opts.failWhen?.(key)) throw new Error(`synthetic failure on ${key}`);
      return { score: hashScore(key) };
    },
  };
}

export const syntheticEstimatorFactory: EstimatorFactory = {
  name: 'synthetic',
  description: 'test estimator: a hash of the architecture key',
  create: (space) => syntheticEstimator({ space }),
};

/**
 * `synthetic-screen`: a cheap, deterministic screen on any space, `proxy` = half the synthetic
 * score and half noise, so it ranks architectures roughly as the score does (as a zero-cost proxy).
 */
export const syntheticScreenFactory: EstimatorFactory = {
  name: 'synthetic-screen',
  description: 'test screen: a noisy copy of the synthetic score',
  create: (space) => ({
    name: 'synthetic-screen',
    metrics: [{ name: 'proxy', direction: 'max' }],
    deterministic: true,
    async evaluate(arch) {
      const key = space.key(arch);
      return { proxy: (hashScore(key) + hashScore(`noise:${key}`)) / 2 };
    },
  }),
};

/** `counting`: the synthetic estimator, calling `onEvaluate` before each evaluation, so a test can count them. */
export function countingEstimatorFactory(onEvaluate: () => void): EstimatorFactory {
  return {
    name: 'counting',
    description: 'synthetic score, counting evaluations',
    create: (space) => {
      const inner = syntheticEstimator({ space });
      return {
        ...inner,
        evaluate: (arch, ctx) => {
          onEvaluate();
          return inner.evaluate(arch, ctx);
        },
      };
    },
  };
}

/**
 * A hardware model for tests, on any space: `latency_ms` in [0, `scale`) and `params` (a whole
 * number below 10^6) from hashes of the architecture's key, so deterministic and free.
 * `prefix` renames the metrics (e.g. `hw_latency_ms`) where an estimator has those names already.
 */
export function syntheticCost(
  space: SearchSpace,
  opts: { cheap?: boolean; scale?: number; prefix?: string } = {},
): HardwareModel {
  const { cheap = true, scale = 10, prefix = '' } = opts;
  return {
    name: 'synthetic-cost',
    metrics: [`${prefix}latency_ms`, `${prefix}params`],
    cheap,
    deterministic: true,
    device: { kind: 'synthetic' },
    async cost(arch) {
      const key = space.key(arch);
      return {
        [`${prefix}latency_ms`]: (hashScore(`latency:${key}`) / 100) * scale,
        [`${prefix}params`]: Math.floor(hashScore(`params:${key}`) * 10_000),
      };
    },
  };
}

export const syntheticCostFactory: HardwareModelFactory = {
  name: 'synthetic-cost',
  description: 'test hardware model: latency_ms and params from a hash of the architecture key',
  options: {
    cheap: { type: 'boolean', default: true, description: 'cost every proposal before evaluating it' },
    scale: { type: 'number', default: 10, min: 0, description: 'latency_ms lies in [0, scale)' },
    prefix: { type: 'string', default: '', description: 'prefix of the metric names' },
  },
  create: (space, o) =>
    syntheticCost(space, { cheap: o.cheap as boolean, scale: o.scale as number, prefix: o.prefix as string }),
};

/**
 * Strategy `counting`: its state is its rng and the count of results told, which it snapshots
 * and restores (each restore pushes the count to `restores`), so resume can start from a checkpoint.
 */
export function countingStrategyFactory(restores: number[] = []): StrategyFactory {
  return {
    name: 'counting',
    description: '',
    options: {},
    requires: [],
    create(ctx) {
      let told = 0;
      let rng = ctx.rng;
      return {
        ask: () => ctx.space.sample(rng),
        tell: () => {
          told++;
        },
        snapshot: () => new TextEncoder().encode(JSON.stringify({ told, rng: rng.state() })),
        restore: (bytes) => {
          const s = JSON.parse(new TextDecoder().decode(bytes)) as {
            told: number;
            rng: [number, number, number, number];
          };
          told = s.told;
          rng = Rng.fromState(s.rng);
          restores.push(told);
        },
      };
    },
  };
}
