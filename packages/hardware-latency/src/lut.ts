import {
  ConfigError,
  DataError,
  type HardwareModel,
  type HardwareModelFactory,
  parseOptions,
  Rng,
  type SearchSpace,
} from '@archlab/core';
import {
  add,
  batchNorm,
  conv2d,
  dense,
  depthwiseConv2d,
  flatten,
  globalAvgPool,
  type ImageShape,
  type Layer,
  type LayerInfo,
  layerContext,
  type Network,
  NetworkBuilder,
  type Padding,
  pool2d,
  relu,
  type SpaceNetworkModule,
  type SpaceNetworks,
  type TfjsSpaceNetwork,
  zeros,
} from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { machineDevice, measureLatency, readBack, timeRuns } from './measure.js';
import { readJson, writeWhole } from './output-file.js';
import { spaceLayers } from './space-network.js';
import { timingStats } from './stats.js';

export const LUT_FORMAT = 'archlab-latency-lut';
export const LUT_VERSION = 1;

/** A portable per-op latency table: built on one device, read on any other. */
export interface LatencyLut {
  readonly format: typeof LUT_FORMAT;
  readonly version: typeof LUT_VERSION;
  /** The space whose networks it covers. */
  readonly space: string;
  /** The space's options when it was built (for the record). */
  readonly spaceOptions: Readonly<Record<string, unknown>>;
  /** The networks it was built for: image shape and classes. */
  readonly network: { readonly inputShape: ImageShape; readonly numClasses: number };
  /** The tfjs backend it was measured on. */
  readonly backend: string;
  /** The machine it was measured on. */
  readonly device: Readonly<Record<string, string>>;
  /** ISO time of the profile. */
  readonly created: string;
  /** Time a batch-1 inference costs beyond its operations (dispatch, input check, read-back). */
  readonly overheadMs: number;
  /** Median batch-1 milliseconds per operation, by {@link opKey}. */
  readonly entries: Readonly<Record<string, number>>;
}

/** An operation as the table knows it: kind, attributes (sorted) and input shape, e.g. `conv2d(filters=16,…)@32x32x16`. */
export function opKey(info: Pick<LayerInfo, 'kind' | 'attrs' | 'inputShape'>): string {
  const attrs = Object.keys(info.attrs)
    .sort()
    .map((k) => `${k}=${info.attrs[k]}`)
    .join(',');
  return `${info.kind}(${attrs})@${info.inputShape.join('x')}`;
}

let standalone = 0;

/** A fresh layer doing what `info` describes, with its own variables (the caller disposes them). */
export function layerFromInfo(info: LayerInfo): Layer {
  const ctx = layerContext(`archlab-lut${++standalone}`, info.name, Rng.fromSeed(0));
  const a = info.attrs;
  const num = (k: string) => Number(a[k]);
  const conv = {
    kernelSize: num('kernelSize'),
    stride: num('stride'),
    dilation: num('dilation'),
    padding: a.padding as Padding,
    useBias: a.useBias === true,
  };
  switch (info.kind) {
    case 'conv2d':
      return conv2d(ctx, info.inputShape, { ...conv, filters: num('filters') });
    case 'depthwise_conv2d':
      return depthwiseConv2d(ctx, info.inputShape, { ...conv, depthMultiplier: num('depthMultiplier') });
    case 'batch_norm':
      return batchNorm(ctx, info.inputShape, { momentum: num('momentum'), epsilon: num('epsilon') });
    case 'relu':
      return relu(ctx, info.inputShape);
    case 'max_pool':
    case 'avg_pool':
      return pool2d(ctx, info.inputShape, info.kind === 'max_pool' ? 'max' : 'avg', {
        size: num('size'),
        stride: num('stride'),
        padding: a.padding as Padding,
      });
    case 'global_avg_pool':
      return globalAvgPool(ctx, info.inputShape);
    case 'flatten':
      return flatten(ctx, info.inputShape);
    case 'dense':
      return dense(ctx, info.inputShape, { units: num('units'), useBias: a.useBias === true });
    case 'add':
      return add(
        ctx,
        Array.from({ length: num('inputs') }, () => info.inputShape),
      );
    case 'zero':
      return zeros(ctx, info.inputShape);
    default:
      throw new ConfigError(`cannot time operation '${info.kind}' (layer ${info.name}) on its own`);
  }
}

export interface TimingOptions {
  readonly warmup: number;
  readonly runs: number;
  /**
   * Back-to-back applications per timed run, the last one read back: the read-back, which a
   * network pays once and not per layer, is shared among them. Default: enough for a run to
   * last about 2 ms (at most 100).
   */
  readonly repeats?: number;
  /** Makes the layer an operation's info describes; default {@link layerFromInfo} (the layer library). */
  readonly makeLayer?: (info: LayerInfo) => Layer;
  /** Milliseconds from some origin; default `performance.now` (tests pass a virtual clock). */
  readonly clock?: () => number;
}

/** Median milliseconds of one batch-1 application of the operation `info` describes, on the current backend. */
export async function timeOp(
  info: LayerInfo,
  { warmup, runs, repeats, makeLayer = layerFromInfo, clock }: TimingOptions,
): Promise<number> {
  const layer = makeLayer(info);
  const arity = info.kind === 'add' ? Number(info.attrs.inputs) : 1;
  const inputs = Array.from({ length: arity }, (_, i) =>
    tf.randomUniform([1, ...info.inputShape], 0, 1, 'float32', i + 1),
  );
  try {
    const run = (n: number) => {
      for (let r = 1; r < n; r++) tf.tidy(() => layer.apply(inputs, false)).dispose();
      return readBack(tf.tidy(() => layer.apply(inputs, false)));
    };
    const times = await timeRuns(run, { warmup, runs, repeats: repeats ?? 'auto', clock });
    return timingStats(times).median;
  } finally {
    for (const t of [...inputs, ...layer.variables, ...layer.buffers]) t.dispose();
  }
}

/** The smallest network of an image shape: global average pooling and the classifier. */
export function minimalNetwork(inputShape: ImageShape, numClasses: number): Network {
  const b = new NetworkBuilder(inputShape, 0);
  return b.build(b.dense('head.dense', b.globalAvgPool('head.pool', b.input), { units: numClasses }));
}

/** What a profile times: one operation, or the fixed cost of running any network. */
export type ProfileTarget =
  | { readonly kind: 'op'; readonly key: string; readonly layer: LayerInfo }
  | { readonly kind: 'overhead'; readonly inputShape: ImageShape; readonly numClasses: number };

/** Milliseconds a target costs; the default times it on the current backend. */
export type ProfileTimer = (target: ProfileTarget) => Promise<number>;

/** A network of `depth` ReLUs on a 1×1×1 image, then the minimal head. */
function reluChain(depth: number, numClasses: number): Network {
  const b = new NetworkBuilder([1, 1, 1], 0);
  let x = b.input;
  for (let i = 0; i < depth; i++) x = b.relu(`relu${i}`, x);
  return b.build(b.dense('head.dense', b.globalAvgPool('head.pool', x), { units: numClasses }));
}

async function networkMs(network: Network, timing: TimingOptions): Promise<number> {
  try {
    const { warmup, runs, clock } = timing;
    return (await measureLatency(network, { batch: 1, warmup, runs, clock })).median;
  } finally {
    network.dispose();
  }
}

/**
 * Milliseconds a layer costs in a network beyond what it costs timed alone: a chain of 50 ReLUs
 * on a 1×1×1 image less the minimal network, per ReLU, less one ReLU timed alone. Negative when
 * timing an op alone (its own tidy scope, read-back share) costs more than a network spends on
 * a layer (looking values up, freeing them).
 */
export async function dispatchMs(timing: TimingOptions, numClasses = 10): Promise<number> {
  const depth = 50;
  const chain = reluChain(depth, numClasses);
  const relu = chain.layers()[0]!;
  const perLayer =
    ((await networkMs(chain, timing)) - (await networkMs(reluChain(0, numClasses), timing))) / depth;
  return perLayer - (await timeOp(relu, timing));
}

/**
 * The default timer, on the current backend. An operation costs its median time alone plus the
 * per-layer correction of {@link dispatchMs} (never below 0); the overhead is a minimal network's
 * measured latency less the costs of its layers so counted (never below 0): what a network run
 * costs beyond its layers.
 */
export function defaultTimer(timing: TimingOptions): ProfileTimer {
  let dispatch: Promise<number> | undefined;
  const opMs = async (layer: LayerInfo) => {
    // The median of three calibrations: one network run disturbed by another process skews a single one.
    dispatch ??= (async () => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) runs.push(await dispatchMs(timing));
      return timingStats(runs).median;
    })();
    return Math.max(0, (await timeOp(layer, timing)) + (await dispatch));
  };
  return async (target) => {
    if (target.kind === 'op') return opMs(target.layer);
    const network = minimalNetwork(target.inputShape, target.numClasses);
    let layers = 0;
    for (const layer of network.layers()) layers += await opMs(layer);
    return Math.max(0, (await networkMs(network, timing)) - layers);
  };
}

export interface ProfileOptions {
  /** Where to write the table as JSON; not written when absent. */
  readonly out?: string;
  /** Timed runs per operation; default 20. */
  readonly runs?: number;
  /** Untimed runs first; default 3. */
  readonly warmup?: number;
  /** Default the space's image shape. */
  readonly inputShape?: ImageShape;
  /** Default 10. */
  readonly numClasses?: number;
  /** The space's options, recorded in the table. */
  readonly spaceOptions?: Readonly<Record<string, unknown>>;
  /** Replaces timing on the current backend (tests, other devices). */
  readonly timer?: ProfileTimer;
  /**
   * Passes over all operations (default 3); an entry is the median of its passes, so that a
   * transient slowdown (another process, code not yet optimised) spoils no entry.
   */
  readonly passes?: number;
  /** Called after each operation is timed. */
  readonly onProgress?: (done: number, total: number, key: string) => void;
}

/**
 * Runs every operation until a pass over them all takes within 5% of the previous one (at
 * most 20 passes): V8 first runs JavaScript and WebAssembly through baseline compilers and
 * optimises hot code later, in the background, so early timings are several times too slow.
 */
export async function warmUp(layers: readonly LayerInfo[]): Promise<void> {
  let previous = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 20; pass++) {
    const t0 = performance.now();
    for (const layer of layers) await timeOp(layer, { warmup: 0, runs: 1, repeats: 3 });
    const ms = performance.now() - t0;
    if (Math.abs(ms - previous) <= 0.05 * previous) return;
    previous = ms;
  }
}

/** The distinct operations of the networks of `archs`, by {@link opKey}, in first-seen order. */
export function distinctOps(
  network: SpaceNetworkModule,
  space: SearchSpace,
  archs: readonly unknown[],
  shape: { inputShape: ImageShape; numClasses: number },
): Map<string, LayerInfo> {
  const ops = new Map<string, LayerInfo>();
  for (const arch of archs) {
    for (const layer of spaceLayers(network, space, arch, shape)) {
      const key = opKey(layer);
      if (!ops.has(key)) ops.set(key, layer);
    }
  }
  return ops;
}

/**
 * Measures every distinct operation of the space's networks (those of its `network`'s covering
 * architectures) at every input shape they take, plus the fixed per-network overhead, on the
 * current tfjs backend; returns the table and writes it to `out` when given.
 */
export async function profileDevice(
  spaceNetwork: SpaceNetworkModule,
  space: SearchSpace,
  options: ProfileOptions = {},
): Promise<LatencyLut> {
  const network = {
    inputShape: options.inputShape ?? spaceNetwork.inputShape(space),
    numClasses: options.numClasses ?? 10,
  };
  const timing = { runs: options.runs ?? 20, warmup: options.warmup ?? 3 };
  const timer = options.timer ?? defaultTimer(timing);
  const archs = spaceNetwork.coveringArchitectures(space);
  const ops = distinctOps(spaceNetwork, space, archs, network);
  if (!options.timer) await warmUp([...ops.values()]);
  const passes = options.passes ?? 3;
  const times = new Map<string, number[]>();
  let done = 0;
  for (let pass = 0; pass < passes; pass++) {
    for (const [key, layer] of ops) {
      times.set(key, [...(times.get(key) ?? []), await timer({ kind: 'op', key, layer })]);
      options.onProgress?.(++done, passes * ops.size, key);
    }
  }
  const entries = Object.fromEntries([...times].map(([key, ms]) => [key, timingStats(ms).median]));
  // Listing nb201 layers initialises no backend: with a custom timer none may be yet.
  if (!tf.getBackend()) await tf.ready();
  const backend = tf.getBackend();
  const lut: LatencyLut = {
    format: LUT_FORMAT,
    version: LUT_VERSION,
    space: space.name,
    spaceOptions: { ...options.spaceOptions },
    network,
    backend,
    device: machineDevice(backend),
    created: new Date().toISOString(),
    overheadMs: await timer({ kind: 'overhead', ...network }),
    entries,
  };
  if (options.out) writeLut(options.out, lut);
  return lut;
}

/** Writes the table whole or not at all (a temporary file beside it, renamed over it). */
export function writeLut(path: string, lut: LatencyLut): void {
  writeWhole(path, `${JSON.stringify(lut, null, 2)}\n`, 'latency table');
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Checks that `data` (parsed JSON) is a latency table; `source` names it in errors. */
export function parseLut(data: unknown, source: string): LatencyLut {
  const bad = (what: string): never => {
    throw new DataError(`${source} is not a latency table: ${what}; build one with archlab profile-device`);
  };
  if (!isRecord(data) || data.format !== LUT_FORMAT) return bad(`format is not '${LUT_FORMAT}'`);
  if (data.version !== LUT_VERSION) return bad(`version ${String(data.version)} is not ${LUT_VERSION}`);
  if (typeof data.space !== 'string') return bad('no space');
  if (typeof data.backend !== 'string') return bad('no backend');
  const net = data.network;
  if (
    !isRecord(net) ||
    !Array.isArray(net.inputShape) ||
    net.inputShape.length !== 3 ||
    !net.inputShape.every((d) => Number.isInteger(d) && d > 0) ||
    !Number.isInteger(net.numClasses)
  ) {
    return bad('network is not {inputShape: [h, w, c], numClasses}');
  }
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (!finite(data.overheadMs)) return bad('overheadMs is not a number ≥ 0');
  if (!isRecord(data.entries)) return bad('no entries');
  const wrong = Object.entries(data.entries).find(([, v]) => !finite(v));
  if (wrong) return bad(`entry ${wrong[0]} is ${JSON.stringify(wrong[1])}, not a number ≥ 0`);
  return data as unknown as LatencyLut;
}

export function readLut(path: string): LatencyLut {
  const data = readJson(
    path,
    'latency table',
    () => new DataError(`${path} is not JSON; build a latency table with archlab profile-device`),
  );
  return parseLut(data, path);
}

/**
 * Predicted batch-1 latency of `network`: the table's overhead plus its entry for every layer.
 * A layer without an entry is a DataError naming the operation and its input shape.
 */
export function predictLatency(lut: LatencyLut, network: Network, source = 'the latency table'): number {
  return predictLayers(lut, network.layers(), source);
}

/** Predicted batch-1 latency of a network with these layers (see {@link predictLatency}). */
export function predictLayers(
  lut: LatencyLut,
  layers: readonly Pick<LayerInfo, 'name' | 'kind' | 'attrs' | 'inputShape'>[],
  source = 'the latency table',
): number {
  let ms = lut.overheadMs;
  for (const layer of layers) {
    const key = opKey(layer);
    const entry = lut.entries[key];
    if (entry === undefined) {
      throw new DataError(
        `${source} has no entry for ${entryText(layer)}; rebuild it with archlab profile-device --space ${lut.space}`,
      );
    }
    ms += entry;
  }
  return ms;
}

/** An operation as a table's errors name it: `avg_pool at input 32x32x16 (KEY, layer NAME)`. */
function entryText(layer: Pick<LayerInfo, 'name' | 'kind' | 'attrs' | 'inputShape'>): string {
  return `${layer.kind} at input ${layer.inputShape.join('x')} (${opKey(layer)}, layer ${layer.name})`;
}

const warned = new Set<string>();

/**
 * A HardwareModel predicting `latency_ms` from a table: the architecture's layers (listed
 * without weights, see {@link spaceLayers}) costed from the table. A table for another space is
 * a ConfigError naming an operation of this space it has no entry for, raised by `floors`
 * (before a run) or the first `cost`; one measured on a backend other than `backend` (default:
 * the backend this process already runs, if any) warns once on stderr. Its floor, when the
 * space can name its cheapest network (`SpaceNetworkModule.cheapest`), is the exact least
 * latency over the space: the table is additive per layer.
 */
export function lutModel(
  network: TfjsSpaceNetwork,
  space: SearchSpace,
  lut: LatencyLut,
  options: { readonly source?: string; readonly backend?: string } = {},
): HardwareModel {
  const source = options.source ?? 'the latency table';
  const backend = options.backend || tf.engine().backendName;
  if (backend && backend !== lut.backend && !warned.has(`${source}|${backend}`)) {
    warned.add(`${source}|${backend}`);
    process.stderr.write(
      `warning: ${source} was measured on tfjs backend '${lut.backend}', not '${backend}': its latencies may not hold here\n`,
    );
  }
  let loaded: Promise<SpaceNetworkModule> | undefined;
  /** The space's network module, once the table is known to be this space's. */
  const load = () =>
    (loaded ??= (async () => {
      const module = await network.load();
      if (lut.space !== space.name) {
        const missing = firstMissing(module);
        const what = missing ? `: it has no entry for ${entryText(missing)}` : '';
        throw new ConfigError(
          `${source} was built for space '${lut.space}', not '${space.name}'${what}; build one with archlab profile-device --space ${space.name}`,
        );
      }
      return module;
    })());
  /** The first operation of the space's networks the table has no entry for. */
  const firstMissing = (module: SpaceNetworkModule) => {
    const ops = distinctOps(module, space, module.coveringArchitectures(space), lut.network);
    return [...ops.values()].find((layer) => lut.entries[opKey(layer)] === undefined);
  };
  const cache = new Map<string, number>();
  const cost = async (arch: unknown): Promise<number> => {
    const key = space.key(arch);
    let ms = cache.get(key);
    if (ms === undefined) {
      ms = predictLayers(lut, spaceLayers(await load(), space, arch, lut.network), source);
      cache.set(key, ms);
    }
    return ms;
  };
  return {
    name: 'lut',
    metrics: ['latency_ms'],
    cheap: true,
    deterministic: true,
    device: { ...lut.device, kind: 'lut', backend: lut.backend, created: lut.created },
    cost: async (arch) => ({ latency_ms: await cost(arch) }),
    // Before a run: a table that cannot cost every architecture of the space is refused then.
    async floors() {
      const module = await load();
      const missing = firstMissing(module);
      if (missing) {
        throw new DataError(
          `${source} has no entry for ${entryText(missing)}, which networks of this ${space.name} space have; rebuild it with archlab profile-device --space ${space.name} and the same --space-option flags`,
        );
      }
      if (!module.cheapest) return [];
      const fastest = module.cheapest(space, (layer) => lut.entries[opKey(layer)]!, lut.network);
      const ms = await cost(fastest);
      return [
        {
          metric: 'latency_ms',
          value: ms,
          text: `the fastest ${space.name} subnet takes ${Number(ms.toPrecision(4))} ms on this LUT (${space.key(fastest)})`,
          arch: space.key(fastest),
        },
      ];
    },
    dispose: () => cache.clear(),
  };
}

export const LUT_OPTIONS = {
  file: { type: 'string', default: '', description: 'latency table from archlab profile-device (required)' },
  backend: {
    type: 'string',
    default: '',
    description:
      "backend the searched networks will run on, to check the table against; empty: this process's",
  },
} as const;

/** `lut`, for the spaces of `networks`. */
export function lutFactory(networks: SpaceNetworks): HardwareModelFactory {
  return {
    name: 'lut',
    description: 'batch-1 latency predicted from a per-op lookup table built by archlab profile-device',
    spaces: networks.spaces(),
    options: LUT_OPTIONS,
    create: (space, options) => {
      const o = parseOptions('lut', LUT_OPTIONS, options);
      if (!o.file)
        throw new ConfigError(
          'lut: give the table as --hardware lut:file=PATH (from archlab profile-device)',
        );
      return lutModel(networks.get(space.name, 'the lut hardware model'), space, readLut(o.file), {
        source: o.file,
        backend: o.backend,
      });
    },
  };
}
