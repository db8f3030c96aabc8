import { Rng } from '@archlab/core';
import { type BatchNormOptions, batchNorm } from './batch-norm.js';
import { type Conv2dOptions, type ConvOptions, conv2d, depthwiseConv2d } from './conv.js';
import { type DenseOptions, dense } from './dense.js';
import { add, flatten, relu, zeros } from './elementwise.js';
import type { GraphBuilder, SymbolicTensor } from './graph-builder.js';
import type { Layer, LayerContext, Shape } from './layer.js';
import { dataflowWithFrees, type LayerInfo, type NetworkDescription } from './network.js';
import type { ImageShape } from './network-builder.js';
import { globalAvgPool, type PoolOptions, pool2d } from './pool.js';

/** Infos of layers already described, by kind, options and input shapes (name left blank). */
const prototypes = new Map<string, LayerInfo>();

/**
 * A layer context that creates no variables: `variable` returns a placeholder with the
 * variable's name, shape and size but no data. The layer factories only keep what it returns
 * while building, and a layer made with it is only read for its info, never applied; so
 * describing a layer allocates no tensor and needs no tfjs backend (none gets initialised).
 */
function describingContext(name: string): LayerContext {
  return {
    name,
    rng: Rng.fromSeed(0),
    variable: (param, shape, _values, trainable = true) =>
      ({
        name: `${name}/${param}`,
        shape: [...shape],
        size: shape.reduce((a, b) => a * b, 1),
        dtype: 'float32',
        trainable,
        dispose: () => {},
      }) as unknown as ReturnType<LayerContext['variable']>,
  };
}

/**
 * The LayerInfo the layer library gives for `make`, under `name`. Each distinct layer is made
 * once by the library's own factory (so attributes, shapes, params and FLOPs are its own) with
 * a context that creates no variables; later calls copy that info.
 */
function layerInfo(
  name: string,
  kind: string,
  opts: unknown,
  shapes: readonly Shape[],
  make: (ctx: LayerContext) => Layer,
): LayerInfo {
  const key = `${kind}${JSON.stringify(opts) ?? ''}@${shapes.map((s) => s.join('x')).join('+')}`;
  let proto = prototypes.get(key);
  if (!proto) {
    proto = { ...make(describingContext(name)).info, name: '' };
    prototypes.set(key, proto);
  }
  return { ...proto, name };
}

/**
 * The weightless twin of NetworkBuilder: the same methods, listing the LayerInfo of each layer
 * in the order they are added and which values it reads, as the built network's `layers()` and
 * `dataflow()` would, without creating any weights.
 */
export class LayerListBuilder implements GraphBuilder<SymbolicTensor> {
  readonly input: SymbolicTensor;
  private readonly steps: { name: string; inputs: number[]; output: number }[] = [];
  private readonly infos: LayerInfo[] = [];
  private values = 1;

  constructor(readonly inputShape: ImageShape) {
    this.input = { id: 0, shape: [...inputShape] };
  }

  /** The layers added so far. */
  get layers(): readonly LayerInfo[] {
    return this.infos;
  }

  shapeOf(x: SymbolicTensor): Shape {
    return x.shape;
  }

  /** The description of the network whose output is `logits` (every layer must lead to it). */
  describe(logits: SymbolicTensor): NetworkDescription {
    return {
      inputShape: this.inputShape,
      layers: [...this.infos],
      dataflow: dataflowWithFrees(this.steps, logits.id),
    };
  }

  private push(inputs: readonly SymbolicTensor[], info: LayerInfo): SymbolicTensor {
    const output = { id: this.values++, shape: info.outputShape };
    this.infos.push(info);
    this.steps.push({ name: info.name, inputs: inputs.map((x) => x.id), output: output.id });
    return output;
  }

  /** A layer of one input, made by `make` for its shape (the layer library's factory). */
  private unary(
    name: string,
    kind: string,
    opts: unknown,
    x: SymbolicTensor,
    make: (ctx: LayerContext, shape: Shape) => Layer,
  ): SymbolicTensor {
    return this.push(
      [x],
      layerInfo(name, kind, opts, [x.shape], (ctx) => make(ctx, x.shape)),
    );
  }

  conv2d(name: string, x: SymbolicTensor, opts: Conv2dOptions): SymbolicTensor {
    return this.unary(name, 'conv2d', opts, x, (ctx, shape) => conv2d(ctx, shape, opts));
  }

  depthwiseConv2d(
    name: string,
    x: SymbolicTensor,
    opts: ConvOptions & { depthMultiplier?: number },
  ): SymbolicTensor {
    return this.unary(name, 'depthwise_conv2d', opts, x, (ctx, shape) => depthwiseConv2d(ctx, shape, opts));
  }

  batchNorm(name: string, x: SymbolicTensor, opts?: BatchNormOptions): SymbolicTensor {
    return this.unary(name, 'batch_norm', opts, x, (ctx, shape) => batchNorm(ctx, shape, opts));
  }

  relu(name: string, x: SymbolicTensor): SymbolicTensor {
    return this.unary(name, 'relu', undefined, x, relu);
  }

  maxPool(name: string, x: SymbolicTensor, opts: PoolOptions): SymbolicTensor {
    return this.unary(name, 'max_pool', opts, x, (ctx, shape) => pool2d(ctx, shape, 'max', opts));
  }

  avgPool(name: string, x: SymbolicTensor, opts: PoolOptions): SymbolicTensor {
    return this.unary(name, 'avg_pool', opts, x, (ctx, shape) => pool2d(ctx, shape, 'avg', opts));
  }

  globalAvgPool(name: string, x: SymbolicTensor): SymbolicTensor {
    return this.unary(name, 'global_avg_pool', undefined, x, globalAvgPool);
  }

  flatten(name: string, x: SymbolicTensor): SymbolicTensor {
    return this.unary(name, 'flatten', undefined, x, flatten);
  }

  dense(name: string, x: SymbolicTensor, opts: DenseOptions): SymbolicTensor {
    return this.unary(name, 'dense', opts, x, (ctx, shape) => dense(ctx, shape, opts));
  }

  /** The sum of `xs`; a single value is returned as it is, with no layer (as NetworkBuilder does). */
  add(name: string, xs: readonly SymbolicTensor[]): SymbolicTensor {
    if (xs.length === 1) return xs[0]!;
    const shapes = xs.map((x) => x.shape);
    return this.push(
      xs,
      layerInfo(name, 'add', undefined, shapes, (ctx) => add(ctx, shapes)),
    );
  }

  zeros(name: string, x: SymbolicTensor): SymbolicTensor {
    return this.unary(name, 'zeros', undefined, x, zeros);
  }
}
