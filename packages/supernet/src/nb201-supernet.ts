import { isNb201Arch, NB201_EDGES, NB201_OPS, type Nb201Arch, parseNb201Key } from '@archlab/bench-nb201';
import { buildNb201Network, nb201CellPlan } from '@archlab/bench-nb201/network';
import { ConfigError, DataError, MalformedArchitectureError, Rng } from '@archlab/core';
import {
  type BatchNormLayer,
  BatchStatsAverage,
  batchNorm,
  channelMoments,
  conv2d,
  dense,
  globalAvgPool,
  type ImageShape,
  type Layer,
  layerContext,
  type NamedTensor,
  type Network,
  pool2d,
} from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { supernetWeights } from './supernet-trainer.js';

export interface Nb201SupernetOptions {
  /** Channels of the first stage, C (then 2C, 4C); default 8. */
  readonly channels?: number;
  /** Cells per stage, N; default 1. */
  readonly cellsPerStage?: number;
  /** Stride of the stem convolution; default 2 (1 in the NB201 macro network). */
  readonly stemStride?: number;
  /** `[height, width, channels]`; default `[28, 28, 1]` (Fashion-MNIST). */
  readonly inputShape?: ImageShape;
  /** Default 10. */
  readonly numClasses?: number;
  /** Initial weights: the same seed gives the same weights. */
  readonly seed: number;
}

/** The NAS-Bench-201 macro network of the benchmark (C=16, N=5, stride-1 stem, 32×32×3 CIFAR images). */
export const NB201_MACRO = {
  channels: 16,
  cellsPerStage: 5,
  stemStride: 1,
  inputShape: [32, 32, 3],
} as const satisfies Omit<Nb201SupernetOptions, 'seed'>;

/** A cell of the space: op indices (into NB201_OPS) per edge, or the benchmark's string. */
export type Nb201Path = Nb201Arch | string;

export interface SupernetApplyOptions {
  /** Batch statistics in batch norm and updates of its running averages; default false. */
  readonly training?: boolean;
}

export interface WeightedApplyOptions extends SupernetApplyOptions {
  /**
   * One op index per edge: only that op is computed on each edge, times its weight in `w`
   * (GDAS's hard sample with a straight-through `w`). Edges that cannot reach the output are
   * left out, as in `applyPath`.
   */
  readonly only?: Nb201Path;
}

const EDGES = NB201_EDGES.length;
const OPS = NB201_OPS.length;
const NONE = NB201_OPS.indexOf('none');
const SKIP = NB201_OPS.indexOf('skip_connect');
const POOL = NB201_OPS.indexOf('avg_pool_3x3');
const NODES = 4;

/** ReLU → conv → BN; the ReLU is the caller's (convolutions reading one node share it). */
interface ConvBn {
  readonly conv: Layer;
  readonly bn: BatchNormLayer;
}

/** The candidate ops of one edge that hold layers, by op index; none and skip hold none. */
type EdgeOps = ReadonlyMap<number, ConvBn | Layer>;

interface Cell {
  readonly edges: readonly EdgeOps[];
}

interface Reduction {
  readonly a: ConvBn;
  readonly b: ConvBn;
  readonly pool: Layer;
  readonly shortcut: Layer;
}

interface Stage {
  readonly reduction?: Reduction;
  readonly cells: readonly Cell[];
}

/** What one edge computes: the op's output, or undefined for nothing (none, or a dead edge). */
type EdgeFn = (cell: Cell, e: number, input: tf.Tensor, relu: () => tf.Tensor) => tf.Tensor | undefined;

// tfjs names variables in one registry per thread; this keeps each supernet's names unique in it.
let supernets = 0;

/**
 * The NAS-Bench-201 cell space as one network with shared weights (a supernet): the macro
 * network of `buildNb201Network` (stem, three stages of N cells joined by residual reduction
 * blocks, head), whose every cell edge holds all five candidate ops, each with its own weights.
 * Architecture weights (DARTS's α, a controller) are not in here: each method owns its own and
 * passes them in.
 *
 * Batch norm: the BN after each candidate convolution has no affine scale and shift (γ = 1 and
 * β = 0, not trained), as in the DARTS and NAS-Bench-201 search code, so that an op cannot
 * rescale its output to counter its architecture weight; it tracks running statistics, which
 * inference-mode scoring reads after `recalibrateBn`. The stem, reduction and head BNs are affine,
 * as in the stand-alone network. A stand-alone network from `extract` inherits γ = 1, β = 0 and
 * trains them from there.
 *
 * `variables` lists every trainable weight in one fixed order whatever path is used: a
 * single-path step has gradients for the path's weights only, and gives `undefined` for the others
 * (the optimizers of `@archlab/trainer-tfjs` then leave them and their slots untouched, as
 * PyTorch's do for a parameter whose `grad` is None).
 */
export class Nb201Supernet {
  readonly inputShape: ImageShape;
  readonly numClasses: number;
  readonly channels: number;
  readonly cellsPerStage: number;
  readonly stemStride: number;
  readonly seed: number;
  /** Trainable weights, in a fixed order (stem, stages in order, head). */
  readonly variables: readonly tf.Variable[];
  /** Batch-norm running means and variances, in a fixed order. */
  readonly buffers: readonly tf.Variable[];
  private readonly stem: { readonly conv: Layer; readonly bn: Layer };
  private readonly stages: readonly Stage[];
  private readonly head: { readonly bn: Layer; readonly pool: Layer; readonly dense: Layer };
  /** Every tensor of every layer (the op BNs' fixed γ and β too), by `LAYER/PARAM`. */
  private readonly byName = new Map<string, tf.Variable>();
  private readonly names = new Map<tf.Variable, string>();
  /** Sees the input of every batch norm a forward pass runs (BN recalibration). */
  private observeBn: ((bn: Layer, x: tf.Tensor) => void) | undefined;
  private disposed = false;

  constructor(options: Nb201SupernetOptions) {
    const {
      channels = 8,
      cellsPerStage = 1,
      stemStride = 2,
      inputShape = [28, 28, 1],
      numClasses = 10,
      seed,
    } = options;
    for (const [name, n] of Object.entries({ channels, cellsPerStage, stemStride, numClasses })) {
      if (!Number.isInteger(n) || n < 1)
        throw new ConfigError(`NAS-Bench-201 supernet: ${name} must be a whole number ≥ 1, got ${n}`);
    }
    if (inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ConfigError(
        `NAS-Bench-201 supernet: inputShape is [height, width, channels] of whole numbers ≥ 1, got [${inputShape.join(', ')}]`,
      );
    }
    if (!Number.isFinite(seed))
      throw new ConfigError(`NAS-Bench-201 supernet: seed must be a number, got ${seed}`);
    this.inputShape = inputShape;
    this.numClasses = numClasses;
    this.channels = channels;
    this.cellsPerStage = cellsPerStage;
    this.stemStride = stemStride;
    this.seed = seed;

    // Layers are made as NetworkBuilder makes them: each from `seed` and its name alone, so
    // the stem, reductions and head start as buildNb201Network's do with the same seed.
    const rng = Rng.fromSeed(seed);
    const prefix = `archlabSupernet${++supernets}`;
    const layers: Layer[] = [];
    const fixed = new Set<tf.Variable>();
    const made: tf.Variable[] = [];
    const make = (name: string, build: (ctx: ReturnType<typeof layerContext>) => Layer): Layer => {
      const base = layerContext(prefix, name, rng.fork(name));
      const ctx = {
        ...base,
        variable: (...args: Parameters<typeof base.variable>) => {
          const v = base.variable(...args);
          made.push(v);
          return v;
        },
      };
      const layer = build(ctx);
      layers.push(layer);
      return layer;
    };
    try {
      const convBn = (name: string, shape: readonly number[], k: number, filters: number, stride = 1) => {
        const conv = make(`${name}.conv`, (ctx) => conv2d(ctx, shape, { kernelSize: k, filters, stride }));
        const bn = make(`${name}.bn`, (ctx) => batchNorm(ctx, conv.info.outputShape)) as BatchNormLayer;
        return { conv, bn };
      };
      const stemConv = make('stem.conv', (ctx) =>
        conv2d(ctx, inputShape, { kernelSize: 3, filters: channels, stride: stemStride }),
      );
      this.stem = { conv: stemConv, bn: make('stem.bn', (ctx) => batchNorm(ctx, stemConv.info.outputShape)) };
      let shape = stemConv.info.outputShape;
      const stages: Stage[] = [];
      for (let s = 1; s <= 3; s++) {
        const width = channels * 2 ** (s - 1);
        let reduction: Reduction | undefined;
        if (s > 1) {
          const name = `stage${s}.reduce`;
          const a = convBn(`${name}.a`, shape, 3, width, 2);
          const b = convBn(`${name}.b`, a.bn.info.outputShape, 3, width);
          const pool = make(`${name}.shortcut.pool`, (ctx) =>
            pool2d(ctx, shape, 'avg', { size: 2, stride: 2 }),
          );
          const shortcut = make(`${name}.shortcut.conv`, (ctx) =>
            conv2d(ctx, pool.info.outputShape, { kernelSize: 1, filters: width }),
          );
          reduction = { a, b, pool, shortcut };
          shape = b.bn.info.outputShape;
        }
        const cells: Cell[] = [];
        for (let c = 1; c <= cellsPerStage; c++) {
          const edges = NB201_EDGES.map(([i, j]) => {
            const edge = `stage${s}.cell${c}.edge${i}${j}`;
            const ops = new Map<number, ConvBn | Layer>();
            NB201_OPS.forEach((op, k) => {
              if (op === 'nor_conv_1x1' || op === 'nor_conv_3x3') {
                const cb = convBn(`${edge}.${op}`, shape, op === 'nor_conv_1x1' ? 1 : 3, width);
                for (const v of cb.bn.variables) fixed.add(v);
                ops.set(k, cb);
              } else if (k === POOL) {
                ops.set(
                  k,
                  make(`${edge}.${op}.pool`, (ctx) => pool2d(ctx, shape, 'avg', { size: 3, stride: 1 })),
                );
              }
            });
            return ops;
          });
          cells.push({ edges });
        }
        stages.push({ ...(reduction ? { reduction } : {}), cells });
      }
      this.stages = stages;
      const headBn = make('head.bn', (ctx) => batchNorm(ctx, shape));
      const headPool = make('head.pool', (ctx) => globalAvgPool(ctx, shape));
      this.head = {
        bn: headBn,
        pool: headPool,
        dense: make('head.dense', (ctx) => dense(ctx, headPool.info.outputShape, { units: numClasses })),
      };
    } catch (err) {
      tf.dispose(made);
      throw err;
    }
    this.variables = layers.flatMap((l) => l.variables).filter((v) => !fixed.has(v));
    this.buffers = layers.flatMap((l) => l.buffers);
    for (const v of made) {
      const name = v.name.slice(v.name.indexOf('/') + 1);
      this.byName.set(name, v);
      this.names.set(v, name);
    }
  }

  /** A variable's or buffer's name without the process-unique prefix: `LAYER/PARAM`, e.g. `stage1.cell1.edge01.nor_conv_3x3.conv/kernel`. */
  nameOf(v: tf.Variable): string {
    const name = this.names.get(v);
    if (name === undefined) throw new Error(`variable ${v.name} is not this supernet's`);
    return name;
  }

  /** The cell `path` as op indices; a malformed one is a MalformedArchitectureError. */
  static arch(path: Nb201Path): Nb201Arch {
    if (typeof path === 'string') return parseNb201Key(path);
    if (!isNb201Arch(path)) {
      throw new MalformedArchitectureError(
        'nb201',
        `[${path}]`,
        `a cell is ${EDGES} op indices in [0, ${OPS})`,
      );
    }
    return path;
  }

  /**
   * Logits of the network of one cell (SPOS, ENAS): each edge runs its one op, and edges that
   * cannot reach the cell's output are not computed (as in the stand-alone network), so only
   * the path's weights get gradients.
   */
  applyPath(x: tf.Tensor4D, path: Nb201Path, options: SupernetApplyOptions = {}): tf.Tensor2D {
    const arch = Nb201Supernet.arch(path);
    const live = nb201CellPlan(arch).live;
    const training = options.training ?? false;
    return this.forward(x, training, (cell, e, input, relu) =>
      live[e] ? this.op(cell, e, arch[e]!, input, relu, training) : undefined,
    );
  }

  /**
   * Logits of the mixed network (DARTS): each edge outputs Σ_k w[e, k]·op_k(input), `w` a
   * `[6, 5]` tensor (edges in NB201_EDGES order, ops in NB201_OPS order; softmax(α) for DARTS).
   * Gradients reach both the weights and `w` when `w` is computed inside the gradient tape.
   * With `only`, each edge computes just that op, times its weight (GDAS).
   */
  applyWeighted(x: tf.Tensor4D, w: tf.Tensor, options: WeightedApplyOptions = {}): tf.Tensor2D {
    if (w.rank !== 2 || w.shape[0] !== EDGES || w.shape[1] !== OPS) {
      throw new DataError(`op weights are a [${EDGES}, ${OPS}] tensor, got [${w.shape.join(', ')}]`);
    }
    const only = options.only === undefined ? undefined : Nb201Supernet.arch(options.only);
    const live = only && nb201CellPlan(only).live;
    const training = options.training ?? false;
    // The per-op scalars, made once per pass inside its tidy.
    let scalars: tf.Tensor[][] | undefined;
    return this.forward(x, training, (cell, e, input, relu) => {
      scalars ??= tf.unstack(w).map((row) => tf.unstack(row));
      const weights = scalars[e]!;
      const ops = only ? (live![e] ? [only[e]!] : []) : NB201_OPS.map((_, k) => k);
      const terms = ops
        .filter((k) => k !== NONE)
        .map((k) => this.op(cell, e, k, input, relu, training, weights[k]!));
      return terms.length === 0 ? undefined : terms.length === 1 ? terms[0] : tf.addN(terms);
    });
  }

  /**
   * A stand-alone network of one cell (`buildNb201Network` with this supernet's C, N, stem
   * stride, input and classes) carrying the supernet's weights and BN statistics for that cell:
   * in inference mode it computes what `applyPath` does. Its variables are its own.
   */
  extract(path: Nb201Path, seed = this.seed): Network {
    const arch = Nb201Supernet.arch(path);
    const net = buildNb201Network(arch, {
      inputShape: this.inputShape,
      numClasses: this.numClasses,
      cellsPerStage: this.cellsPerStage,
      channels: this.channels,
      stemStride: this.stemStride,
      seed,
    });
    try {
      for (const v of [...net.variables, ...net.buffers]) {
        const local = v.name.slice(v.name.indexOf('/') + 1);
        // A cell edge's layers are named after the edge alone in the stand-alone network.
        const edge = /^(stage\d+\.cell\d+\.edge(\d)(\d))\.(conv|bn)\/(.+)$/.exec(local);
        let name = local;
        if (edge) {
          const e = NB201_EDGES.findIndex(([i, j]) => i === Number(edge[2]) && j === Number(edge[3]));
          name = `${edge[1]}.${NB201_OPS[arch[e]!]}.${edge[4]}/${edge[5]}`;
        }
        const source = this.byName.get(name);
        if (!source) throw new Error(`the supernet has no weights for ${local} (looked for ${name})`);
        v.assign(source);
      }
    } catch (err) {
      net.dispose();
      throw err;
    }
    return net;
  }

  /**
   * Recomputes the BN running statistics of one cell's network (its ops, and the stem,
   * reductions and head) on `batches`, as SPOS does before scoring a path: the running mean
   * and variance become the plain average over the batches of each batch's mean and unbiased
   * variance (PyTorch's `momentum=None` after a reset). Other ops' statistics are untouched.
   */
  recalibrateBn(path: Nb201Path, batches: readonly tf.Tensor4D[]): void {
    if (batches.length === 0) throw new DataError('BN recalibration needs at least one batch of images');
    const stats = new BatchStatsAverage<Layer>();
    this.observeBn = (bn, x) => {
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      const m = channelMoments(x, axes);
      stats.add(bn, m.mean, m.variance, x.size / x.shape[x.rank - 1]!);
    };
    try {
      for (const images of batches) tf.dispose(this.applyPath(images, path, { training: true }));
      stats.finish(batches.length, (bn, mean, variance) => {
        bn.buffers[0]!.assign(mean);
        bn.buffers[1]!.assign(variance);
      });
    } finally {
      this.observeBn = undefined;
      stats.dispose();
    }
  }

  /** Weights of the supernet (trainable ones, then BN statistics) as named tensors, in their fixed order. */
  weights(): NamedTensor[] {
    return supernetWeights(this);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([...this.byName.values()]);
  }

  private forward(x: tf.Tensor4D, training: boolean, edge: EdgeFn): tf.Tensor2D {
    if (this.disposed) throw new Error('this supernet has been disposed');
    const [, ...shape] = x.shape;
    if (x.rank !== 4 || shape.some((d, i) => d !== this.inputShape[i])) {
      throw new DataError(
        `the supernet takes images of shape [batch, ${this.inputShape.join(', ')}], got [${x.shape.join(', ')}]`,
      );
    }
    return tf.tidy(() => {
      let h = this.bn(this.stem.bn, this.stem.conv.apply([x], training), training);
      for (const stage of this.stages) {
        if (stage.reduction) h = this.reduce(stage.reduction, h, training);
        for (const cell of stage.cells) h = this.cell(cell, h, edge);
      }
      h = tf.relu(this.bn(this.head.bn, h, training));
      return this.head.dense.apply([this.head.pool.apply([h], training)], training) as tf.Tensor2D;
    });
  }

  private cell(cell: Cell, x: tf.Tensor, edge: EdgeFn): tf.Tensor {
    const nodes: (tf.Tensor | undefined)[] = [x];
    const relus = new Map<number, tf.Tensor>();
    for (let j = 1; j < NODES; j++) {
      const terms: tf.Tensor[] = [];
      NB201_EDGES.forEach(([from, to], e) => {
        const input = nodes[from];
        if (to !== j || !input) return;
        const relu = () => {
          const r = relus.get(from) ?? tf.relu(input);
          relus.set(from, r);
          return r;
        };
        const t = edge(cell, e, input, relu);
        if (t) terms.push(t);
      });
      nodes[j] = terms.length === 0 ? undefined : terms.length === 1 ? terms[0] : tf.addN(terms);
    }
    // A cell nothing connects outputs zeros, as the stand-alone network's.
    return nodes[NODES - 1] ?? tf.zerosLike(x);
  }

  /**
   * Op `k` of edge `e` on `input`, times `weight` when given; `relu` gives the input's (shared)
   * ReLU. A convolution's weight scales its BN's γ and β rather than its output.
   */
  private op(
    cell: Cell,
    e: number,
    k: number,
    input: tf.Tensor,
    relu: () => tf.Tensor,
    training: boolean,
    weight?: tf.Tensor,
  ): tf.Tensor {
    const scaled = (t: tf.Tensor) => (weight ? tf.mul(t, weight) : t);
    if (k === SKIP) return scaled(input);
    const layers = cell.edges[e]!.get(k);
    if (!layers) throw new Error(`unreachable: op ${NB201_OPS[k]} has no layers`);
    if ('apply' in layers) return scaled(layers.apply([input], training));
    const conv = layers.conv.apply([relu()], training);
    if (training) this.observeBn?.(layers.bn, conv);
    return weight ? layers.bn.applyScaled(conv, weight, training) : layers.bn.apply([conv], training);
  }

  private reduce(r: Reduction, x: tf.Tensor, training: boolean): tf.Tensor {
    const a = this.bn(r.a.bn, r.a.conv.apply([tf.relu(x)], training), training);
    const b = this.bn(r.b.bn, r.b.conv.apply([tf.relu(a)], training), training);
    return tf.add(b, r.shortcut.apply([r.pool.apply([x], training)], training));
  }

  private bn(layer: Layer, x: tf.Tensor, training: boolean): tf.Tensor {
    if (training) this.observeBn?.(layer, x);
    return layer.apply([x], training);
  }
}
