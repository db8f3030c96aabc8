import { DataError, Rng } from '@archlab/core';
import * as tf from '@tensorflow/tfjs-core';
import { type BatchNormOptions, batchNorm } from './batch-norm.js';
import { type Conv2dOptions, type ConvOptions, conv2d, depthwiseConv2d } from './conv.js';
import { type DenseOptions, dense } from './dense.js';
import { add, flatten, relu, zeros } from './elementwise.js';
import type { GraphBuilder, SymbolicTensor } from './graph-builder.js';
import { type Layer, type LayerContext, layerContext, type Shape } from './layer.js';
import {
  type ApplyOptions,
  type DataflowStep,
  dataflowWithFrees,
  type LayerInfo,
  type Network,
} from './network.js';
import { globalAvgPool, type PoolOptions, pool2d } from './pool.js';

export type ImageShape = readonly [height: number, width: number, channels: number];

/** A layer and its dataflow; `free`d values are disposed after it, so inference holds few activations at once. */
interface Step extends DataflowStep {
  readonly layer: Layer;
}

// tfjs names variables in one registry per thread; this makes each network's prefix unique in it.
let networks = 0;

/**
 * Builds a {@link Network} as a graph of layers: each method adds one layer reading earlier
 * values and returns its output. Layers run in the order they were added. Initial weights come
 * from `seed` and the layer's name alone, so equal seeds and names give equal weights whatever
 * else was built before. Variables are created as layers are added: call `dispose()` when a
 * build fails half-way.
 */
export class NetworkBuilder implements GraphBuilder<SymbolicTensor> {
  readonly input: SymbolicTensor;
  private readonly steps: { layer: Layer; inputs: number[]; output: number }[] = [];
  private readonly symbols: SymbolicTensor[] = [];
  private readonly names = new Set<string>();
  private readonly rng: Rng;
  private readonly prefix: string;
  private done = false;

  constructor(
    readonly inputShape: ImageShape,
    seed: number,
  ) {
    if (!inputShape.every((d) => Number.isInteger(d) && d > 0) || inputShape.length !== 3) {
      throw new RangeError(
        `a network input is [height, width, channels] of whole numbers ≥ 1, got [${inputShape.join(', ')}]`,
      );
    }
    this.rng = Rng.fromSeed(seed);
    this.prefix = `archlab${++networks}`;
    this.input = this.symbol([...inputShape]);
  }

  /** Adds the layer `make` builds for the shapes of `inputs`. */
  layer(
    name: string,
    inputs: readonly SymbolicTensor[],
    make: (ctx: LayerContext, shapes: Shape[]) => Layer,
  ): SymbolicTensor {
    if (this.done) throw new Error('this NetworkBuilder has already built its network');
    if (this.names.has(name)) throw new Error(`a network already has a layer named '${name}'`);
    for (const x of inputs) {
      if (this.symbols[x.id] !== x)
        throw new Error(`layer '${name}' reads a value from another NetworkBuilder`);
    }
    this.names.add(name);
    const layer = make(
      layerContext(this.prefix, name, this.rng.fork(name)),
      inputs.map((x) => x.shape),
    );
    const output = this.symbol(layer.info.outputShape);
    this.steps.push({ layer, inputs: inputs.map((x) => x.id), output: output.id });
    return output;
  }

  shapeOf(x: SymbolicTensor): Shape {
    return x.shape;
  }

  conv2d(name: string, x: SymbolicTensor, opts: Conv2dOptions): SymbolicTensor {
    return this.layer(name, [x], (ctx) => conv2d(ctx, x.shape, opts));
  }

  depthwiseConv2d(
    name: string,
    x: SymbolicTensor,
    opts: ConvOptions & { depthMultiplier?: number },
  ): SymbolicTensor {
    return this.layer(name, [x], (ctx) => depthwiseConv2d(ctx, x.shape, opts));
  }

  batchNorm(name: string, x: SymbolicTensor, opts?: BatchNormOptions): SymbolicTensor {
    return this.layer(name, [x], (ctx) => batchNorm(ctx, x.shape, opts));
  }

  relu(name: string, x: SymbolicTensor): SymbolicTensor {
    return this.layer(name, [x], (ctx) => relu(ctx, x.shape));
  }

  maxPool(name: string, x: SymbolicTensor, opts: PoolOptions): SymbolicTensor {
    return this.layer(name, [x], (ctx) => pool2d(ctx, x.shape, 'max', opts));
  }

  avgPool(name: string, x: SymbolicTensor, opts: PoolOptions): SymbolicTensor {
    return this.layer(name, [x], (ctx) => pool2d(ctx, x.shape, 'avg', opts));
  }

  globalAvgPool(name: string, x: SymbolicTensor): SymbolicTensor {
    return this.layer(name, [x], (ctx) => globalAvgPool(ctx, x.shape));
  }

  flatten(name: string, x: SymbolicTensor): SymbolicTensor {
    return this.layer(name, [x], (ctx) => flatten(ctx, x.shape));
  }

  dense(name: string, x: SymbolicTensor, opts: DenseOptions): SymbolicTensor {
    return this.layer(name, [x], (ctx) => dense(ctx, x.shape, opts));
  }

  /** The sum of `xs`; a single value is returned as it is, with no layer. */
  add(name: string, xs: readonly SymbolicTensor[]): SymbolicTensor {
    if (xs.length === 1) return xs[0]!;
    return this.layer(name, xs, (ctx, shapes) => add(ctx, shapes));
  }

  zeros(name: string, x: SymbolicTensor): SymbolicTensor {
    return this.layer(name, [x], (ctx) => zeros(ctx, x.shape));
  }

  /**
   * The network computing `logits` (shape `[classes]`) from the input. Every layer must lead to
   * the logits: a layer whose output nothing reads is a bug in the caller, and an error here.
   */
  build(logits: SymbolicTensor): Network {
    if (this.done) throw new Error('this NetworkBuilder has already built its network');
    if (logits.shape.length !== 1 || this.symbols[logits.id] !== logits) {
      throw new Error(
        `a network's output is a [classes] value of its own builder, got shape [${logits.shape.join(', ')}]`,
      );
    }
    const flow = dataflowWithFrees(
      this.steps.map((s) => ({ ...s, name: s.layer.info.name })),
      logits.id,
    );
    const steps: Step[] = this.steps.map((s, i) => ({ ...flow[i]!, layer: s.layer }));
    this.done = true;
    return new GraphNetwork(this.inputShape, logits.shape[0]!, steps, logits.id);
  }

  /**
   * The network `graph` wires on a fresh builder (it returns the logits): the usual way to build
   * one, since a graph that throws half-way has its variables freed here.
   */
  static buildFrom(
    inputShape: ImageShape,
    seed: number,
    graph: (b: NetworkBuilder) => SymbolicTensor,
  ): Network {
    const b = new NetworkBuilder(inputShape, seed);
    try {
      return b.build(graph(b));
    } catch (err) {
      b.dispose();
      throw err;
    }
  }

  /** Frees the variables of the layers added so far (after a failed build). */
  dispose(): void {
    for (const s of this.steps) for (const v of [...s.layer.variables, ...s.layer.buffers]) v.dispose();
    this.steps.length = 0;
    this.done = true;
  }

  private symbol(shape: Shape): SymbolicTensor {
    const s: SymbolicTensor = { id: this.symbols.length, shape };
    this.symbols.push(s);
    return s;
  }
}

class GraphNetwork implements Network {
  readonly variables: readonly tf.Variable[];
  readonly buffers: readonly tf.Variable[];
  private readonly infos: readonly LayerInfo[];
  private disposed = false;

  constructor(
    readonly inputShape: ImageShape,
    readonly numClasses: number,
    private readonly steps: readonly Step[],
    private readonly output: number,
  ) {
    this.variables = steps.flatMap((s) => s.layer.variables);
    this.buffers = steps.flatMap((s) => s.layer.buffers);
    this.infos = steps.map((s) => s.layer.info);
  }

  apply(x: tf.Tensor4D, options: ApplyOptions = {}): tf.Tensor2D {
    if (this.disposed) throw new Error('this network has been disposed');
    const [, ...shape] = x.shape;
    if (x.rank !== 4 || shape.some((d, i) => d !== this.inputShape[i])) {
      throw new DataError(
        `the network takes images of shape [batch, ${this.inputShape.join(', ')}], got [${x.shape.join(', ')}]; build it with the data set's image shape`,
      );
    }
    const { training = false, hook } = options;
    return tf.tidy(() => {
      // The builder's input is value 0.
      const values = new Map<number, tf.Tensor>([[0, x]]);
      for (const s of this.steps) {
        const inputs = s.inputs.map((id) => values.get(id)!);
        const run = (others?: readonly tf.Tensor[]) => s.layer.apply(others ?? inputs, training);
        values.set(s.output, hook ? hook(s.layer.info, inputs, run) : run());
        for (const id of s.free) {
          // A hook may keep a value for its gradient tape: tidy frees it at the end instead.
          if (!hook) values.get(id)!.dispose();
          values.delete(id);
        }
      }
      return values.get(this.output) as tf.Tensor2D;
    });
  }

  layers(): readonly LayerInfo[] {
    return this.infos;
  }

  dataflow(): readonly DataflowStep[] {
    return this.steps.map(({ inputs, output, free }) => ({ inputs, output, free }));
  }

  paramCount(): number {
    return this.infos.reduce((n, l) => n + l.params, 0);
  }

  flops(): number {
    return this.infos.reduce((n, l) => n + l.flops, 0);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of [...this.variables, ...this.buffers]) v.dispose();
  }
}
