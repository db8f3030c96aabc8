import { ConfigError, MalformedArchitectureError } from '@archlab/core';
import {
  type GraphBuilder,
  type ImageShape,
  LayerListBuilder,
  type Network,
  NetworkBuilder,
  type NetworkDescription,
  type SpaceNetworkModule,
} from '@archlab/nn';
import { isNb201Arch, NB201_EDGES, NB201_OPS, type Nb201Arch } from './nb201-arch.js';
import { nb201Space, nb201SpaceOptions } from './nb201-space.js';

export interface Nb201NetworkOptions {
  /** `[height, width, channels]`; default `[32, 32, 3]` (CIFAR). */
  readonly inputShape?: ImageShape;
  /** Default 10. */
  readonly numClasses?: number;
  /** Cells per stage, N; default 5. */
  readonly cellsPerStage?: number;
  /** Channels of the first stage, C (then 2C, 4C); default 16. */
  readonly channels?: number;
  /**
   * Stride of the stem convolution; default 1, as in the benchmark. 2 halves the first stage's
   * feature maps: the small supernet's 28×28 default (`@archlab/supernet`).
   */
  readonly stemStride?: number;
  /** Initial weights; the same seed gives the same weights. */
  readonly seed: number;
}

/** Which edges of a cell are computed, and whether anything reaches its output. */
export interface Nb201CellPlan {
  /** Per edge, in NB201_EDGES order: not `none`, reached from the input and leading to the output. */
  readonly live: readonly boolean[];
  /** False when no path of non-`none` edges joins input and output: the cell outputs zeros. */
  readonly connected: boolean;
}

const NONE = NB201_OPS.indexOf('none');
const NODES = 4;

/**
 * The edges of a cell worth computing. An edge whose source only ever receives zeros, or
 * whose result never reaches node 3 other than through `none` edges, adds nothing to the
 * output: it is left out, with its weights.
 */
export function nb201CellPlan(arch: Nb201Arch): Nb201CellPlan {
  const on = (e: number) => arch[e] !== NONE;
  const reached = [true, false, false, false];
  const leads = [false, false, false, true];
  NB201_EDGES.forEach(([i, j], e) => {
    if (on(e) && reached[i]) reached[j] = true;
  });
  for (let e = NB201_EDGES.length - 1; e >= 0; e--) {
    const [i, j] = NB201_EDGES[e]!;
    if (on(e) && leads[j]) leads[i] = true;
  }
  return {
    live: NB201_EDGES.map(([i, j], e) => on(e) && reached[i]! && leads[j]!),
    connected: reached[NODES - 1]!,
  };
}

/**
 * The NAS-Bench-201 network for a cell, as in the benchmark's code: a 3×3 conv + BN stem with
 * C channels; three stages of N cells with C, 2C and 4C channels, joined by residual reduction
 * blocks (ReLU-conv3×3/2-BN, ReLU-conv3×3-BN, plus a 2×2/2 average pool and 1×1 conv
 * shortcut); then BN, ReLU, global average pooling and a dense classifier. In a cell, node j is
 * the sum of op(node i) over i < j, and the cell's output is node 3; the ops are zero,
 * identity, ReLU-conv1×1-BN, ReLU-conv3×3-BN and a 3×3 average pool. Dead edges are not built
 * (see `nb201CellPlan`), so `paramCount()` equals the benchmark's parameter count for cells
 * without them; `flops()` (convolutions and dense) equals the benchmark's FLOPs likewise.
 *
 * Convolutions use `same` padding: on an odd size a stride-2 one rounds up, as the shortcut's
 * pool does, where PyTorch's symmetric padding would lose the shortcut's alignment.
 */
export function buildNb201Network(arch: Nb201Arch, options: Nb201NetworkOptions): Network {
  const o = nb201Options(arch, options);
  return NetworkBuilder.buildFrom(o.inputShape, options.seed, (b) => nb201Graph(b, arch, o));
}

/**
 * The layers (names, shapes, params, FLOPs) and dataflow `buildNb201Network(arch, options)`
 * would have, from the architecture alone: no weights, no tensors, no backend. What a latency table
 * or a counter needs of all 15,625 networks in seconds rather than minutes.
 */
export function describeNb201Network(
  arch: Nb201Arch,
  options: Omit<Nb201NetworkOptions, 'seed'> = {},
): NetworkDescription {
  const o = nb201Options(arch, options);
  const b = new LayerListBuilder(o.inputShape);
  return b.describe(nb201Graph(b, arch, o));
}

/**
 * The network of every nb201 architecture (see `buildNb201Network`; N=5, C=16 and stem stride 1
 * as in the benchmark unless the space's options say otherwise): what `nb201SpaceNetwork`
 * loads. Its images are CIFAR's 32×32×3 by default.
 */
export const spaceNetwork: SpaceNetworkModule<Nb201Arch> = {
  inputShape: () => [32, 32, 3],
  describe: (space, arch, shape) => describeNb201Network(arch, { ...shape, ...networkSize(space.options) }),
  build: (key, spaceOptions, { inputShape, numClasses, seed }) =>
    buildNb201Network(nb201Space.parse(key), { inputShape, numClasses, seed, ...networkSize(spaceOptions) }),
  // The five cells with one op on every edge give every cell op at every stage's shape, node
  // sums of 2 and 3 inputs, the zero cell, stem, reductions and head.
  coveringArchitectures: () => NB201_OPS.map((_, op) => NB201_EDGES.map(() => op) as unknown as Nb201Arch),
};

/** The network size the space's options (`--space-option channels=8` ...) ask for. */
function networkSize(
  spaceOptions: Readonly<Record<string, unknown>> = {},
): Pick<Nb201NetworkOptions, 'channels' | 'cellsPerStage' | 'stemStride'> {
  const o = nb201SpaceOptions(spaceOptions);
  return { channels: o.channels, cellsPerStage: o.cells, stemStride: o['stem-stride'] };
}

/** The options with defaults filled in, after checking them and the architecture. */
function nb201Options(
  arch: Nb201Arch,
  options: Omit<Nb201NetworkOptions, 'seed'>,
): Required<Omit<Nb201NetworkOptions, 'seed'>> {
  if (!isNb201Arch(arch)) {
    throw new MalformedArchitectureError(
      'nb201',
      `[${arch}]`,
      `a cell is ${NB201_EDGES.length} op indices in [0, ${NB201_OPS.length})`,
    );
  }
  const {
    inputShape = [32, 32, 3],
    numClasses = 10,
    cellsPerStage = 5,
    channels = 16,
    stemStride = 1,
  } = options;
  for (const [name, n] of Object.entries({ numClasses, cellsPerStage, channels, stemStride })) {
    if (!Number.isInteger(n) || n < 1)
      throw new ConfigError(`NAS-Bench-201 network: ${name} must be a whole number ≥ 1, got ${n}`);
  }
  return { inputShape, numClasses, cellsPerStage, channels, stemStride };
}

/** The network's graph on any builder; returns the logits. */
function nb201Graph<T>(
  b: GraphBuilder<T>,
  arch: Nb201Arch,
  o: Required<Omit<Nb201NetworkOptions, 'seed'>>,
): T {
  const plan = nb201CellPlan(arch);
  let x = b.conv2d('stem.conv', b.input, { kernelSize: 3, filters: o.channels, stride: o.stemStride });
  x = b.batchNorm('stem.bn', x);
  for (let stage = 1; stage <= 3; stage++) {
    const width = o.channels * 2 ** (stage - 1);
    if (stage > 1) x = reduction(b, `stage${stage}.reduce`, x, width);
    for (let c = 1; c <= o.cellsPerStage; c++) x = cell(b, `stage${stage}.cell${c}`, x, arch, plan);
  }
  x = b.relu('head.relu', b.batchNorm('head.bn', x));
  return b.dense('head.dense', b.globalAvgPool('head.pool', x), { units: o.numClasses });
}

function reluConvBn<T>(
  b: GraphBuilder<T>,
  name: string,
  x: T,
  kernelSize: number,
  filters: number,
  stride = 1,
): T {
  return b.batchNorm(
    `${name}.bn`,
    b.conv2d(`${name}.conv`, b.relu(`${name}.relu`, x), { kernelSize, filters, stride }),
  );
}

function reduction<T>(b: GraphBuilder<T>, name: string, x: T, filters: number): T {
  const main = reluConvBn(b, `${name}.b`, reluConvBn(b, `${name}.a`, x, 3, filters, 2), 3, filters);
  const pooled = b.avgPool(`${name}.shortcut.pool`, x, { size: 2, stride: 2 });
  const shortcut = b.conv2d(`${name}.shortcut.conv`, pooled, { kernelSize: 1, filters });
  return b.add(`${name}.add`, [main, shortcut]);
}

function cell<T>(b: GraphBuilder<T>, name: string, x: T, arch: Nb201Arch, plan: Nb201CellPlan): T {
  if (!plan.connected) return b.zeros(`${name}.zero`, x);
  const filters = b.shapeOf(x)[2]!;
  const nodes: T[] = [x];
  // Convolutions reading the same node share its ReLU.
  const relus = new Map<number, T>();
  const reluOf = (i: number) => {
    const r = relus.get(i) ?? b.relu(`${name}.node${i}.relu`, nodes[i]!);
    relus.set(i, r);
    return r;
  };
  for (let j = 1; j < NODES; j++) {
    const terms: T[] = [];
    NB201_EDGES.forEach(([from, to], e) => {
      if (to !== j || !plan.live[e]) return;
      const edge = `${name}.edge${from}${to}`;
      const op = NB201_OPS[arch[e]!];
      switch (op) {
        case 'skip_connect':
          terms.push(nodes[from]!);
          break;
        case 'nor_conv_1x1':
        case 'nor_conv_3x3': {
          const k = op === 'nor_conv_1x1' ? 1 : 3;
          terms.push(
            b.batchNorm(`${edge}.bn`, b.conv2d(`${edge}.conv`, reluOf(from), { kernelSize: k, filters })),
          );
          break;
        }
        case 'avg_pool_3x3':
          terms.push(b.avgPool(`${edge}.pool`, nodes[from]!, { size: 3, stride: 1 }));
          break;
        default:
          throw new Error(`unreachable: a live edge with op ${op}`);
      }
    });
    // A node nothing live enters is never read (the plan leaves its outgoing edges out).
    if (terms.length) nodes[j] = b.add(`${name}.node${j}.add`, terms);
  }
  return nodes[NODES - 1]!;
}
