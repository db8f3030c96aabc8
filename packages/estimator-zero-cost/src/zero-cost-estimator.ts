import {
  type Estimator,
  type EstimatorFactory,
  type MetricSpec,
  type Metrics,
  parseOptions,
  percentile,
  Rng,
  type SearchSpace,
} from '@archlab/core';
import type { SpaceNetworks } from '@archlab/nn';
import {
  DATA_PROXIES,
  DEFAULT_COMBINED_PROXIES,
  PROXIES,
  type ProxyName,
  parseProxies,
  proxyMetric,
  UNDEFINED_SCORE,
} from './proxies.js';
import { ProxyScorer, ZERO_COST_USER } from './proxy-scorer.js';
import { zeroCostOptionsSpec } from './zero-cost-options.js';

const EXACT: readonly ProxyName[] = ['params', 'flops'];

/**
 * An estimator reporting `proxies` (and, with `reference`, a first metric `zc_rank`). The
 * scorer is made in `prepare` (or the first `evaluate`). Only params and flops are
 * `deterministic`: the others give the same value for the same architecture on one backend,
 * but float rounding differs between backends, so replay does not re-evaluate them.
 */
function zeroCostEstimator(
  networks: SpaceNetworks,
  name: string,
  space: SearchSpace,
  proxies: readonly ProxyName[],
  options: Readonly<Record<string, unknown>>,
  reference?: { readonly count: number; readonly seed: number },
): Estimator {
  let scorer: Promise<ProxyScorer> | undefined;
  let sorted: Map<ProxyName, number[]> | undefined;
  let warned = false;
  const ready = () => {
    scorer ??= ProxyScorer.create(networks, space, proxies, options);
    return scorer;
  };
  const warn = (warnings: readonly string[]) => {
    if (warned || warnings.length === 0) return;
    warned = true;
    process.emitWarning(`${name}: ${warnings[0]} (further such warnings of this run are not shown)`, {
      type: 'ZeroCostWarning',
    });
  };
  const metrics: MetricSpec[] = proxies.map(proxyMetric);
  if (reference) {
    metrics.unshift({
      name: 'zc_rank',
      direction: 'max',
      description: `mean over ${proxies.join(', ')} of the percentile (0-100) among ${reference.count} reference architectures`,
    });
  }
  return {
    name,
    metrics,
    deterministic: proxies.every((p) => EXACT.includes(p)),
    parallelism: 1,
    async prepare() {
      const s = await ready();
      if (reference && !sorted) sorted = scoreReference(s, reference.count, reference.seed);
      return {
        backend: s.backend,
        ...(proxies.some((p) => DATA_PROXIES.includes(p))
          ? { batch: `${s.options['batch-size']} ${s.options.dataset} images` }
          : {}),
        ...(reference ? { reference: `${reference.count} architectures` } : {}),
      };
    },
    async evaluate(arch): Promise<Metrics> {
      const s = await ready();
      if (reference && !sorted) sorted = scoreReference(s, reference.count, reference.seed);
      const { values, warnings } = s.score(arch);
      warn(warnings);
      if (!sorted) return values as Metrics;
      const ranks = proxies.map((p) => percentile(sorted!.get(p)!, values[p]!));
      return { zc_rank: ranks.reduce((a, b) => a + b, 0) / ranks.length, ...values };
    },
    async dispose() {
      if (scorer) (await scorer).dispose();
    },
  };
}

/**
 * The proxy values of `count` distinct architectures drawn from the space with `seed` (fewer
 * when the space is smaller), each sorted ascending: what `zc_rank` places an architecture in.
 */
function scoreReference(scorer: ProxyScorer, count: number, seed: number): Map<ProxyName, number[]> {
  const { space } = scorer;
  const rng = Rng.fromSeed(`zero-cost-reference/${seed}`);
  const archs = new Map<string, unknown>();
  for (let tries = 0; archs.size < count && tries < count * 20; tries++) {
    const a = space.sample(rng);
    archs.set(space.key(a), a);
  }
  const values = new Map(scorer.proxies.map((p) => [p, [] as number[]]));
  for (const arch of archs.values()) {
    const scored = scorer.score(arch).values;
    for (const p of scorer.proxies) values.get(p)!.push(scored[p] ?? UNDEFINED_SCORE);
  }
  for (const v of values.values()) v.sort((a, b) => a - b);
  return values;
}

/** `zc:NAME`, one per proxy: the proxy's value as the metric of the same name, on the spaces of `networks`. */
export function proxyEstimatorFactory(networks: SpaceNetworks, proxy: ProxyName): EstimatorFactory {
  const name = `zc:${proxy}`;
  return {
    name,
    description: `zero-cost proxy: ${proxyMetric(proxy).description} (fresh network, seeded by init-seed)`,
    spaces: networks.spaces(),
    options: zeroCostOptionsSpec,
    create(space, options) {
      parseOptions(name, zeroCostOptionsSpec, options);
      networks.get(space.name, ZERO_COST_USER);
      return zeroCostEstimator(networks, name, space, [proxy], options);
    },
  };
}

/** Options of the combined `zc` estimator: those of every `zc:*` plus the proxies and the reference sample. */
export const combinedOptionsSpec = {
  ...zeroCostOptionsSpec,
  proxies: {
    type: 'string',
    default: DEFAULT_COMBINED_PROXIES.join(','),
    description: `proxies to compute and rank by, comma-separated, of: ${PROXIES.join(', ')}`,
  },
  reference: {
    type: 'int',
    // Scoring the reference takes a while: with synflow and jacob_cov at batch 16, 100
    // NAS-Bench-201 architectures took 65 s on one core, 50 about half that.
    default: 50,
    min: 1,
    max: 100_000,
    description:
      'architectures sampled (seeded by init-seed) and scored in prepare, which zc_rank is relative to',
  },
} as const;

/**
 * `zc`: several proxies at once, each reported under its name, plus a first metric `zc_rank`,
 * the mean over the proxies of the architecture's percentile (0-100, ties counting half) among
 * `reference` architectures sampled from the space with `init-seed` and scored once in
 * `prepare`. Proxies live on unrelated scales (synflow spans dozens of orders of magnitude,
 * jacob_cov is a negative log-determinant), so they are combined by rank, not by value; a fixed
 * reference sample makes an architecture's zc_rank independent of which others the search
 * happened to evaluate, so it is a fixed function of the architecture, as a metric must be.
 */
export function combinedEstimatorFactory(networks: SpaceNetworks): EstimatorFactory {
  return {
    name: 'zc',
    description:
      'several zero-cost proxies and zc_rank, their mean percentile among a fixed reference sample',
    spaces: networks.spaces(),
    options: combinedOptionsSpec,
    create(space, options) {
      const o = parseOptions('zc', combinedOptionsSpec, options);
      const proxies = parseProxies(o.proxies, "zc: option 'proxies'");
      networks.get(space.name, ZERO_COST_USER);
      const { proxies: _, reference, ...scorerOptions } = o;
      return zeroCostEstimator(networks, 'zc', space, proxies, scorerOptions, {
        count: reference,
        seed: o['init-seed'],
      });
    },
  };
}

/** Every factory of this package, given the spaces' networks: `zc` and one `zc:NAME` per proxy. */
export const zeroCostFactories: readonly ((networks: SpaceNetworks) => EstimatorFactory)[] = [
  combinedEstimatorFactory,
  ...PROXIES.map((p) => (networks: SpaceNetworks) => proxyEstimatorFactory(networks, p)),
];
