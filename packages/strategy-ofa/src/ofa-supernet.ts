import { ConfigError, DataError, MalformedArchitectureError, Rng } from '@archlab/core';
import {
  BatchStatsAverage,
  batchNorm,
  batchNormalise,
  conv2d,
  dense,
  depthwiseConv2d,
  type Layer,
  layerContext,
  type Network,
} from '@archlab/nn';
import type { Mbv3NetworkConfig, Mbv3SpaceConfig } from '@archlab/space-mbv3';
import { buildMbv3Network } from '@archlab/space-mbv3/network';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The shape of the elastic supernet: an mbv3 space's config (`Mbv3SpaceConfig`: widths, strides,
 * stem, head and the depth, kernel and expand choices, whose largest make the largest network;
 * kernels odd), plus the classes and a seed of the initial weights.
 */
export interface OfaSupernetConfig
  extends Omit<Mbv3SpaceConfig, 'resolutions'>,
    Pick<Mbv3NetworkConfig, 'numClasses'> {
  readonly seed: number;
}

/**
 * One subnet, an mbv3 architecture (`Mbv3Arch`): the input side (images are resized to it
 * before the network) and per stage its blocks in order (the stage runs the supernet's first
 * that many), each with its depthwise kernel and expand ratio.
 */
export interface OfaSubnet {
  readonly resolution: number;
  readonly stages: readonly (readonly { readonly kernel: number; readonly expand: number }[])[];
}

export interface OfaApplyOptions {
  /** Batch statistics in batch norm, and updates of the running averages; default false. */
  readonly training?: boolean;
}

/** The layers of one block of the supernet, at their largest. */
interface Block {
  readonly name: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: number;
  readonly maxMid: number;
  readonly expand: tf.Variable;
  readonly expandBn: Bn;
  readonly dw: tf.Variable;
  /** OFA's kernel transformation matrices, `[k², k²]` for each step `kernels[i+1] → kernels[i]`. */
  readonly transforms: readonly tf.Variable[];
  readonly dwBn: Bn;
  readonly project: tf.Variable;
  readonly projectBn: Bn;
}

interface Bn {
  readonly name: string;
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly mean: tf.Variable;
  readonly variance: tf.Variable;
}

/** Where a forward pass reads its weights: the supernet's own, or the frozen teacher's. */
type Weights = (v: tf.Variable) => tf.Tensor;

/** What a pass does with batch norm: inference (running statistics), training, or training without updates. */
interface Mode {
  readonly training: boolean;
  readonly updateStats: boolean;
}

const EPSILON = 1e-5;
const MOMENTUM = 0.9;

// tfjs names variables in one registry per thread; this keeps each supernet's names unique in it.
let supernets = 0;

/**
 * The Once-for-All elastic supernet (Cai et al. 2020) of an MBConv network: the largest network
 * of the space (every stage at its most blocks, kernel at its largest, expand ratio at its
 * largest), whose weights every subnet shares.
 *
 * - Elastic kernel: a k×k depthwise kernel is the centre of the next larger one passed through a
 *   learned `[k², k²]` matrix (starting at the identity), step by step from the largest, one
 *   matrix per step and layer shared by its channels (the reference's `KERNEL_TRANSFORM_MODE=1`).
 * - Elastic depth: a stage runs its first `d` blocks.
 * - Elastic expand: a block uses the first channels of its expand conv (and of the depthwise conv
 *   and the project conv's input); `sortChannels` orders them by importance first, as OFA does
 *   before its expand phase.
 * - Elastic resolution: the input side, set by the images passed in.
 *
 * A batch norm of a sliced layer normalises with its first channels' γ, β and statistics, and in
 * training updates only those statistics. `variables` (trainable, fixed order) and `buffers` (BN
 * statistics, then the frozen teacher's copy of everything) are what a checkpoint holds; a step
 * on one subnet has no gradient for the blocks it skips.
 */
export class OfaSupernet {
  readonly config: Omit<OfaSupernetConfig, 'seed'>;
  readonly seed: number;
  readonly kernels: readonly number[];
  readonly expands: readonly number[];
  /** Most blocks of each stage. */
  readonly maxDepth: number;
  readonly variables: readonly tf.Variable[];
  /** BN running statistics, then the teacher's frozen copies of every variable and statistic. */
  readonly buffers: readonly tf.Variable[];
  /** BN running statistics alone, in a fixed order. */
  readonly bnStatistics: readonly tf.Variable[];
  private readonly stem: { readonly conv: tf.Variable; readonly bn: Bn };
  private readonly blocks: readonly (readonly Block[])[];
  private readonly head: {
    readonly conv: tf.Variable;
    readonly bn: Bn;
    readonly kernel: tf.Variable;
    readonly bias: tf.Variable;
  };
  private readonly teacher = new Map<tf.Variable, tf.Variable>();
  private readonly names = new Map<tf.Variable, string>();
  /** Sees the batch statistics of every batch norm a training-mode pass runs (BN recalibration). */
  private observeBn: ((bn: Bn, mean: tf.Tensor, variance: tf.Tensor, n: number) => void) | undefined;
  private disposed = false;

  constructor(config: OfaSupernetConfig) {
    const {
      inputChannels,
      numClasses,
      stem,
      stemStride,
      widths,
      strides,
      final,
      depths,
      kernels,
      expands,
      seed,
    } = config;
    const whole = (what: string, n: number) => {
      if (!Number.isInteger(n) || n < 1)
        throw new ConfigError(`OFA supernet: ${what} must be a whole number ≥ 1, got ${n}`);
    };
    for (const [what, n] of Object.entries({ inputChannels, numClasses, stem, stemStride, final }))
      whole(what, n);
    if (widths.length === 0 || widths.length !== strides.length)
      throw new ConfigError(
        `OFA supernet: widths and strides need one entry per stage, got ${widths.length} and ${strides.length}`,
      );
    for (const n of [...widths, ...strides, ...depths]) whole('a width, stride or depth', n);
    if (depths.length === 0) throw new ConfigError('OFA supernet: it needs at least one depth choice');
    if (kernels.length === 0 || kernels.some((k) => !Number.isInteger(k) || k < 1 || k % 2 === 0))
      throw new ConfigError(`OFA supernet: kernels are odd whole numbers, got [${kernels.join(', ')}]`);
    if (expands.length === 0 || expands.some((e) => !Number.isInteger(e) || e < 1))
      throw new ConfigError(`OFA supernet: expand ratios are whole numbers ≥ 1, got [${expands.join(', ')}]`);
    if (!Number.isFinite(seed)) throw new ConfigError(`OFA supernet: seed must be a number, got ${seed}`);
    const { seed: _, ...rest } = config;
    this.config = rest;
    this.seed = seed;
    this.kernels = [...new Set(kernels)].sort((x, y) => x - y);
    this.expands = [...new Set(expands)].sort((x, y) => x - y);
    this.maxDepth = Math.max(...depths);

    // Initial values come from nn's layer factories (He-normal convolutions, LeCun-normal dense,
    // γ = 1, β = 0), each layer from the seed and its name alone.
    const rng = Rng.fromSeed(seed);
    const prefix = `archlabOfa${++supernets}`;
    const made: tf.Variable[] = [];
    const layer = (name: string, build: (ctx: ReturnType<typeof layerContext>) => Layer): Layer => {
      const l = build(layerContext(prefix, name, rng.fork(name)));
      for (const v of [...l.variables, ...l.buffers]) {
        made.push(v);
        this.names.set(v, `${name}/${v.name.slice(v.name.lastIndexOf('/') + 1)}`);
      }
      return l;
    };
    const bn = (name: string, channels: number): Bn => {
      const l = layer(name, (ctx) => batchNorm(ctx, [1, 1, channels]));
      const [gamma, beta] = l.variables as [tf.Variable, tf.Variable];
      const [mean, variance] = l.buffers as [tf.Variable, tf.Variable];
      return { name, gamma, beta, mean, variance };
    };
    const kmax = this.kernels.at(-1)!;
    const emax = this.expands.at(-1)!;
    try {
      const stemConv = layer('stem.conv', (ctx) =>
        conv2d(ctx, [kmax, kmax, inputChannels], { kernelSize: 3, filters: stem, stride: stemStride }),
      ).variables[0]!;
      this.stem = { conv: stemConv, bn: bn('stem.bn', stem) };
      this.blocks = widths.map((stageWidth, s) =>
        Array.from({ length: this.maxDepth }, (_, b) => {
          const name = `s${s + 1}.b${b + 1}`;
          const inChannels = b > 0 ? stageWidth : s === 0 ? stem : widths[s - 1]!;
          const maxMid = inChannels * emax;
          const expand = layer(`${name}.expand`, (ctx) =>
            conv2d(ctx, [1, 1, inChannels], { kernelSize: 1, filters: maxMid }),
          ).variables[0]!;
          const expandBn = bn(`${name}.expand_bn`, maxMid);
          const dw = layer(`${name}.dw`, (ctx) =>
            depthwiseConv2d(ctx, [kmax, kmax, maxMid], { kernelSize: kmax }),
          ).variables[0]!;
          const transforms = this.kernels.slice(0, -1).map((k, i) => {
            const param = `${this.kernels[i + 1]}to${k}`;
            const v = tf.tidy(() => tf.variable(tf.eye(k * k), true, `${prefix}/${name}.dw/${param}`));
            made.push(v);
            this.names.set(v, `${name}.dw/${param}`);
            return v;
          });
          const dwBn = bn(`${name}.dw_bn`, maxMid);
          const project = layer(`${name}.project`, (ctx) =>
            conv2d(ctx, [1, 1, maxMid], { kernelSize: 1, filters: stageWidth }),
          ).variables[0]!;
          const projectBn = bn(`${name}.project_bn`, stageWidth);
          return {
            name,
            inChannels,
            outChannels: stageWidth,
            stride: b === 0 ? strides[s]! : 1,
            maxMid,
            expand,
            expandBn,
            dw,
            transforms,
            dwBn,
            project,
            projectBn,
          } satisfies Block;
        }),
      );
      const headConv = layer('head.conv', (ctx) =>
        conv2d(ctx, [1, 1, widths.at(-1)!], { kernelSize: 1, filters: final }),
      ).variables[0]!;
      const headBn = bn('head.bn', final);
      const [kernel, bias] = layer('head.dense', (ctx) => dense(ctx, [final], { units: numClasses }))
        .variables as [tf.Variable, tf.Variable];
      this.head = { conv: headConv, bn: headBn, kernel, bias };
    } catch (err) {
      tf.dispose(made);
      throw err;
    }
    this.variables = made.filter((v) => v.trainable);
    this.bnStatistics = made.filter((v) => !v.trainable);
    for (const v of made) {
      const copy = tf.tidy(() =>
        tf.variable(v, false, `${prefix}/teacher/${v.name.slice(prefix.length + 1)}`),
      );
      this.teacher.set(v, copy);
      this.names.set(copy, `teacher/${this.names.get(v)}`);
    }
    this.buffers = [...this.bnStatistics, ...made.map((v) => this.teacher.get(v)!)];
  }

  /** A variable's or buffer's name without the process-unique prefix: `LAYER/PARAM`, e.g. `s2.b1.dw/7to5`. */
  nameOf(v: tf.Variable): string {
    const name = this.names.get(v);
    if (name === undefined) throw new Error(`variable ${v.name} is not this supernet's`);
    return name;
  }

  /** The largest subnet at `resolution`: every stage at its most blocks, the largest kernel and expand ratio. */
  largest(resolution: number): OfaSubnet {
    const block = { kernel: this.kernels.at(-1)!, expand: this.expands.at(-1)! };
    return {
      resolution,
      stages: this.config.widths.map(() => Array.from({ length: this.maxDepth }, () => block)),
    };
  }

  /** Throws a MalformedArchitectureError when `subnet` is not one of this supernet's. */
  check(subnet: OfaSubnet): void {
    const bad = (why: string): never => {
      throw new MalformedArchitectureError('mbv3', JSON.stringify(subnet), why);
    };
    const stages = this.config.widths.length;
    if (!Number.isInteger(subnet.resolution) || subnet.resolution < 1)
      bad('the resolution is a whole number ≥ 1');
    if (subnet.stages.length !== stages) bad(`it has ${subnet.stages.length} stages, the supernet ${stages}`);
    subnet.stages.forEach((blocks, s) => {
      if (blocks.length < 1 || blocks.length > this.maxDepth)
        bad(`stage ${s + 1} has ${blocks.length} blocks, the supernet 1..${this.maxDepth}`);
      blocks.forEach(({ kernel, expand }, b) => {
        if (!this.kernels.includes(kernel))
          bad(`s${s + 1}.b${b + 1}'s kernel is one of ${this.kernels.join('/')}, got ${kernel}`);
        if (!this.expands.includes(expand))
          bad(`s${s + 1}.b${b + 1}'s expand ratio is one of ${this.expands.join('/')}, got ${expand}`);
      });
    });
  }

  /**
   * Logits of one subnet with the shared weights, for images already at `subnet.resolution`. In
   * training mode batch norm uses the batch's statistics and updates the running ones it reads.
   */
  apply(x: tf.Tensor4D, subnet: OfaSubnet, options: OfaApplyOptions = {}): tf.Tensor2D {
    const training = options.training ?? false;
    return this.forward(x, subnet, (v) => v, { training, updateStats: training });
  }

  /**
   * Logits of the largest subnet with the teacher's frozen weights (`freezeTeacher`), as OFA's
   * distillation computes its soft labels: batch statistics, no update of anything.
   */
  applyTeacher(x: tf.Tensor4D): tf.Tensor2D {
    const [, h] = x.shape;
    return this.forward(x, this.largest(h), (v) => this.teacher.get(v)!, {
      training: true,
      updateStats: false,
    });
  }

  /** Copies the current weights and statistics into the teacher (at the end of the `full` phase). */
  freezeTeacher(): void {
    tf.tidy(() => {
      for (const [v, copy] of this.teacher) copy.assign(v);
    });
  }

  /**
   * The depthwise kernel of block `s.b` (counting from 0) for kernel side `k` and its first
   * `channels` channels: the stored largest kernel's centre, through the transformation matrices.
   */
  depthwiseKernel(
    s: number,
    b: number,
    k: number,
    channels: number,
    weights: Weights = (v) => v,
  ): tf.Tensor4D {
    const block = this.blocks[s]![b]!;
    return tf.tidy(() => {
      const full = weights(block.dw) as tf.Tensor4D;
      let w = channels === block.maxMid ? full : tf.slice(full, [0, 0, 0, 0], [-1, -1, channels, -1]);
      for (let i = this.kernels.length - 1; i > 0 && this.kernels[i]! > k; i--) {
        const from = this.kernels[i]!;
        const to = this.kernels[i - 1]!;
        const start = (from - to) / 2;
        const centre = tf.slice(w, [start, start, 0, 0], [to, to, -1, -1]);
        // Each channel's k×k taps as a column: the matrix mixes taps, the same for every channel.
        const mixed = tf.matMul(
          weights(block.transforms[i - 1]!) as tf.Tensor2D,
          tf.reshape(centre, [to * to, -1]),
        );
        w = tf.reshape(mixed, [to, to, channels, 1]);
      }
      return w;
    });
  }

  /**
   * Every weight of one subnet as the stand-alone network holds it, by `LAYER/PARAM` in the
   * supernet's layer names (`s1.b2.dw/depthwise_kernel`, `s1.b2.expand_bn/moving_mean`, ...):
   * sliced to the subnet's channels, the depthwise kernels transformed. The caller disposes them.
   */
  subnetWeights(subnet: OfaSubnet): Map<string, tf.Tensor> {
    this.check(subnet);
    const out = new Map<string, tf.Tensor>();
    // Clones: a full-width slice is the variable itself, which the caller must not dispose.
    const put = (name: string, t: tf.Tensor) => out.set(name, tf.keep(tf.clone(t)));
    const bn = (b: Bn, c: number) => {
      put(`${b.name}/gamma`, first(b.gamma, c));
      put(`${b.name}/beta`, first(b.beta, c));
      put(`${b.name}/moving_mean`, first(b.mean, c));
      put(`${b.name}/moving_variance`, first(b.variance, c));
    };
    tf.tidy(() => {
      put('stem.conv/kernel', this.stem.conv);
      bn(this.stem.bn, this.config.stem);
      subnet.stages.forEach((blocks, s) => {
        blocks.forEach(({ kernel, expand }, b) => {
          const block = this.blocks[s]![b]!;
          const mid = block.inChannels * expand;
          if (expand !== 1) {
            put(`${block.name}.expand/kernel`, tf.slice(block.expand, [0, 0, 0, 0], [-1, -1, -1, mid]));
            bn(block.expandBn, mid);
          }
          put(`${block.name}.dw/depthwise_kernel`, this.depthwiseKernel(s, b, kernel, mid));
          bn(block.dwBn, mid);
          put(`${block.name}.project/kernel`, tf.slice(block.project, [0, 0, 0, 0], [-1, -1, mid, -1]));
          bn(block.projectBn, block.outChannels);
        });
      });
      put('head.conv/kernel', this.head.conv);
      bn(this.head.bn, this.config.final);
      put('head.dense/kernel', this.head.kernel);
      put('head.dense/bias', this.head.bias);
    });
    return out;
  }

  /**
   * The stand-alone network of one subnet (`buildMbv3Network` with this supernet's widths,
   * strides, stem and head) carrying the weights it inherits (`subnetWeights`): in inference mode
   * it computes what `apply` does. Its variables are its own.
   */
  extract(subnet: OfaSubnet, seed = this.seed): Network {
    const weights = this.subnetWeights(subnet);
    const inherited = [...weights.values()];
    try {
      const net = buildMbv3Network(subnet, { ...this.config, seed });
      try {
        for (const v of [...net.variables, ...net.buffers]) {
          const name = v.name.slice(v.name.indexOf('/') + 1);
          const source = weights.get(name);
          if (!source) throw new Error(`the supernet has no weights for ${name}`);
          v.assign(source);
          weights.delete(name);
        }
        if (weights.size > 0)
          throw new Error(`the network has no layer for ${[...weights.keys()].join(', ')}`);
      } catch (err) {
        net.dispose();
        throw err;
      }
      return net;
    } finally {
      tf.dispose(inherited);
    }
  }

  /**
   * Recomputes the BN running statistics one subnet reads on `batches` (images at its
   * resolution): each becomes the plain average over the batches of the batch's mean and
   * unbiased variance (PyTorch's `momentum=None` after a reset), as OFA does before scoring a
   * subnet. Channels and blocks the subnet does not use keep theirs.
   */
  recalibrateBn(subnet: OfaSubnet, batches: readonly tf.Tensor4D[]): void {
    if (batches.length === 0) throw new DataError('BN recalibration needs at least one batch of images');
    const stats = new BatchStatsAverage<Bn>();
    this.observeBn = (bn, mean, variance, n) => stats.add(bn, mean, variance, n);
    try {
      for (const images of batches)
        tf.dispose(this.forward(images, subnet, (v) => v, { training: true, updateStats: false }));
      stats.finish(batches.length, (bn, mean, variance) => {
        bn.mean.assign(replaceFirst(bn.mean, mean));
        bn.variance.assign(replaceFirst(bn.variance, variance));
      });
    } finally {
      this.observeBn = undefined;
      stats.dispose();
    }
  }

  /**
   * Orders every block's expanded channels by importance, the L1 norm of the project conv's
   * weights reading each (largest first, ties by position), permuting the expand conv's
   * outputs, both batch norms and the depthwise kernels with them, as OFA does before its expand
   * phase: the function of every subnet using all channels is unchanged, and a smaller expand
   * ratio keeps the most important ones. The teacher is not touched.
   */
  sortChannels(): void {
    tf.tidy(() => {
      for (const block of this.blocks.flat()) {
        const importance = tf.sum(tf.abs(block.project), [0, 1, 3]).arraySync() as number[];
        const order = importance
          .map((v, i) => [v, i] as const)
          .sort((a, b) => b[0] - a[0] || a[1] - b[1])
          .map(([, i]) => i);
        const idx = tf.tensor1d(order, 'int32');
        block.expand.assign(tf.gather(block.expand, idx, 3));
        block.dw.assign(tf.gather(block.dw, idx, 2));
        block.project.assign(tf.gather(block.project, idx, 2));
        for (const bn of [block.expandBn, block.dwBn]) {
          for (const v of [bn.gamma, bn.beta, bn.mean, bn.variance]) v.assign(tf.gather(v, idx));
        }
      }
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([...this.names.keys()]);
  }

  private forward(x: tf.Tensor4D, subnet: OfaSubnet, weights: Weights, mode: Mode): tf.Tensor2D {
    if (this.disposed) throw new Error('this supernet has been disposed');
    this.check(subnet);
    const [, h, w, c] = x.shape;
    if (
      x.rank !== 4 ||
      h !== subnet.resolution ||
      w !== subnet.resolution ||
      c !== this.config.inputChannels
    ) {
      throw new DataError(
        `the subnet takes images of shape [batch, ${subnet.resolution}, ${subnet.resolution}, ${this.config.inputChannels}], got [${x.shape.join(', ')}]`,
      );
    }
    return tf.tidy(() => {
      const conv = (input: tf.Tensor, kernel: tf.Tensor, stride = 1) =>
        tf.conv2d(input as tf.Tensor4D, kernel as tf.Tensor4D, stride, 'same');
      let y = tf.relu(
        this.bn(this.stem.bn, conv(x, weights(this.stem.conv), this.config.stemStride), weights, mode),
      );
      subnet.stages.forEach((blocks, s) => {
        blocks.forEach(({ kernel, expand }, b) => {
          const block = this.blocks[s]![b]!;
          const mid = block.inChannels * expand;
          // An expand ratio of 1 has no expand conv (as in the stand-alone network).
          let t = y;
          if (expand !== 1) {
            const expandW = tf.slice(weights(block.expand), [0, 0, 0, 0], [-1, -1, -1, mid]);
            t = tf.relu(this.bn(block.expandBn, conv(y, expandW), weights, mode));
          }
          const dwW = this.depthwiseKernel(s, b, kernel, mid, weights);
          t = tf.relu(
            this.bn(
              block.dwBn,
              tf.depthwiseConv2d(t as tf.Tensor4D, dwW, block.stride, 'same'),
              weights,
              mode,
            ),
          );
          const projectW = tf.slice(weights(block.project), [0, 0, 0, 0], [-1, -1, mid, -1]);
          t = this.bn(block.projectBn, conv(t, projectW), weights, mode);
          y = block.stride === 1 && block.inChannels === block.outChannels ? tf.add(t, y) : t;
        });
      });
      y = tf.relu(this.bn(this.head.bn, conv(y, weights(this.head.conv)), weights, mode));
      const pooled = tf.mean(y, [1, 2]) as tf.Tensor2D;
      return tf.add(
        tf.matMul(pooled, weights(this.head.kernel) as tf.Tensor2D),
        weights(this.head.bias),
      ) as tf.Tensor2D;
    });
  }

  /** Batch norm over the input's channels, the first of the layer's. */
  private bn(bn: Bn, x: tf.Tensor, weights: Weights, mode: Mode): tf.Tensor {
    const c = x.shape[x.rank - 1]!;
    const gamma = first(weights(bn.gamma), c);
    const beta = first(weights(bn.beta), c);
    if (!mode.training) {
      return tf.batchNorm(
        x,
        first(weights(bn.mean), c),
        first(weights(bn.variance), c),
        beta,
        gamma,
        EPSILON,
      );
    }
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
    const n = x.size / c;
    return batchNormalise(x, gamma, beta, axes, EPSILON, (mean, variance) => {
      this.observeBn?.(bn, mean, variance, n);
      if (!mode.updateStats) return;
      const unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
      bn.mean.assign(
        replaceFirst(bn.mean, tf.add(tf.mul(first(bn.mean, c), MOMENTUM), tf.mul(mean, 1 - MOMENTUM))),
      );
      bn.variance.assign(
        replaceFirst(
          bn.variance,
          tf.add(tf.mul(first(bn.variance, c), MOMENTUM), tf.mul(unbiased, 1 - MOMENTUM)),
        ),
      );
    });
  }
}

/** The first `c` entries of a per-channel vector (the vector itself when that is all of it). */
function first(v: tf.Tensor, c: number): tf.Tensor {
  return v.shape[0] === c ? v : tf.slice(v, [0], [c]);
}

/** `v` with its first entries replaced by `head`. */
function replaceFirst(v: tf.Tensor, head: tf.Tensor): tf.Tensor {
  const c = head.shape[0]!;
  return c === v.shape[0] ? head : tf.concat([head, tf.slice(v, [c], [-1])]);
}
