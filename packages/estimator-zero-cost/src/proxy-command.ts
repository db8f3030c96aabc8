import {
  type CommandServices,
  type Estimator,
  kendall,
  median,
  type PluginRegistry,
  parseOptions,
  readArchKeys,
  type SearchSpace,
  sampleKeys,
  spearman,
} from '@archlab/core';
import { SpaceNetworks } from '@archlab/nn';
import { type ScoredArchitecture, scoreArchitectures } from './score-architectures.js';

export interface ProxyFlags {
  space: string;
  spaceOption?: string[];
  /** Comma-separated proxy names, e.g. `synflow,params`. */
  proxy: string;
  /** Architectures to draw (distinct keys), when no `archs` file is given. */
  sample?: number;
  seed?: number;
  /** A file with one architecture key per line (blank lines and `#` comments skipped). */
  archs?: string;
  /** Options of the proxies (`batch-size=64`, `backend=cpu`, ...). */
  proxyOption?: string[];
  plugin?: string[];
  json?: boolean;
  quiet?: boolean;
}

/** A tabular benchmark of the space: an estimator that knows its optimum and is deterministic. */
interface Benchmark {
  readonly name: string;
  readonly metric: string;
  readonly estimator: Estimator;
}

/** Rank correlation of one proxy with one benchmark, over the architectures both scored. */
export interface ProxyCorrelation {
  readonly proxy: string;
  readonly benchmark: string;
  readonly spearman: number;
  readonly kendall: number;
  readonly n: number;
}

/**
 * `archlab proxy`: scores architectures with zero-cost proxies and, where the space has a tabular
 * benchmark (NAS-Bench-201's `nb201:*` estimators), prints each proxy's Spearman ρ and Kendall τ
 * against each of its data sets.
 */
export async function proxyCommand(flags: ProxyFlags, cli: CommandServices): Promise<number> {
  const registry = await cli.loadPlugins(flags.plugin);
  const spaceFactory = registry.get('space', flags.space);
  const rawSpaceOptions = cli.keyValues(flags.spaceOption, '--space-option');
  const space = spaceFactory.create(
    spaceFactory.options
      ? parseOptions(`space '${spaceFactory.name}'`, spaceFactory.options, rawSpaceOptions)
      : rawSpaceOptions,
  );
  const keys = flags.archs
    ? readArchKeys(flags.archs, space)
    : sampleKeys(space, flags.sample ?? 100, flags.seed ?? 0);
  const benchmarks = benchmarksOf(registry, space);
  const log = (line: string) => {
    if (!flags.quiet) cli.progress(`archlab: ${line}`);
  };
  log(`scoring ${keys.length} ${space.name} architectures with ${flags.proxy}`);
  const started = performance.now();
  let lastLine = 0;
  const scored = await scoreArchitectures(
    SpaceNetworks.of(registry),
    space,
    keys,
    flags.proxy,
    cli.keyValues(flags.proxyOption, '--option'),
    (done, total) => {
      const now = performance.now();
      if (done < total && now - lastLine < 5000) return;
      lastLine = now;
      const perArch = (now - started) / done;
      log(
        `${done}/${total} scored  ${perArch.toFixed(0)} ms/arch  eta ${Math.ceil(((total - done) * perArch) / 1000)}s`,
      );
    },
  );
  const warnings = scored.flatMap((s) => s.warnings);
  for (const w of warnings.slice(0, 5)) log(`warning: ${w}`);
  if (warnings.length > 5) log(`warning: ... and ${warnings.length - 5} more`);
  const proxies = Object.keys(scored[0]?.values ?? {});
  const truth = await benchmarkValues(benchmarks, space, keys);
  const correlations = correlate(scored, proxies, truth);
  const medianMs = median(scored.map((s) => s.ms));
  if (flags.json) {
    cli.out(
      JSON.stringify({
        space: space.name,
        proxies,
        archs: scored.length,
        medianMsPerArch: medianMs,
        warnings,
        correlations,
        scores: scored.map((s) => ({
          key: s.key,
          values: s.values,
          ms: s.ms,
          ...(truth.size && {
            benchmarks: Object.fromEntries([...truth].map(([b, v]) => [b, v[scored.indexOf(s)]])),
          }),
        })),
      }),
    );
    return 0;
  }
  cli.out(`${scored.length} architectures, ${medianMs.toFixed(0)} ms each (median, all proxies)`);
  if (benchmarks.length === 0) {
    cli.out(`no tabular benchmark for space '${space.name}': no correlation to report`);
    for (const s of scored.slice(0, 20)) cli.out(`${s.key}  ${JSON.stringify(s.values)}`);
    return 0;
  }
  const names = benchmarks.map((b) => b.name);
  const width = Math.max(...proxies.map((p) => p.length), 5);
  cli.out(`${'proxy'.padEnd(width)}  ${names.map((n) => `${n} ρ / τ`.padEnd(24)).join('')}`.trimEnd());
  for (const p of proxies) {
    const cells = names.map((b) => {
      const c = correlations.find((x) => x.proxy === p && x.benchmark === b)!;
      return `${c.spearman.toFixed(3)} / ${c.kendall.toFixed(3)}`.padEnd(24);
    });
    cli.out(`${p.padEnd(width)}  ${cells.join('')}`.trimEnd());
  }
  return 0;
}

/** The space's tabular benchmarks: estimators for it that are deterministic and know their optimum. */
function benchmarksOf(registry: PluginRegistry, space: SearchSpace): Benchmark[] {
  const out: Benchmark[] = [];
  for (const f of registry.all('estimator')) {
    if (!f.spaces?.includes(space.name) || Object.keys(f.options ?? {}).length > 0) continue;
    const estimator = f.create(space, {});
    if (estimator.deterministic && estimator.optimum && estimator.metrics[0]) {
      out.push({ name: f.name, metric: estimator.metrics[0].name, estimator });
    } else void estimator.dispose?.();
  }
  return out;
}

async function benchmarkValues(
  benchmarks: readonly Benchmark[],
  space: SearchSpace,
  keys: readonly string[],
): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  const signal = new AbortController().signal;
  for (const b of benchmarks) {
    const values: number[] = [];
    for (const key of keys) {
      const m = await b.estimator.evaluate(space.parse(key), {
        trialId: 0,
        seed: 0,
        signal,
        report: () => {},
      });
      values.push(m[b.metric] ?? Number.NaN);
    }
    out.set(b.name, values);
    await b.estimator.dispose?.();
  }
  return out;
}

function correlate(
  scored: readonly ScoredArchitecture[],
  proxies: readonly string[],
  truth: ReadonlyMap<string, readonly number[]>,
): ProxyCorrelation[] {
  const out: ProxyCorrelation[] = [];
  for (const proxy of proxies) {
    const xs = scored.map((s) => (s.values as Record<string, number>)[proxy]!);
    for (const [benchmark, ys] of truth) {
      out.push({ proxy, benchmark, spearman: spearman(xs, ys), kendall: kendall(xs, ys), n: xs.length });
    }
  }
  return out;
}
