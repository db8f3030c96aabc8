import { Rng } from '@archlab/core';
import { type BatchNormOptions, batchNorm } from './batch-norm.js';
import { type Conv2dOptions, type ConvOptions, conv2d, depthwiseConv2d } from './conv.js';
import { type DenseOptions, dense } from './dense.js';
import { add, flatten, relu, zeros } from './elementwise.js';
import type { GraphBuilder } from './graph-builder.js';
import type { Layer, LayerContext, Shape } from './layer.js';
import type { LayerInfo } from './network.js';
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
 * The shape-only twin of NetworkBuilder: the same methods, on shapes instead of
 * symbolic tensors, listing the LayerInfo of each layer in the order they are added, as the
 * built network's `layers()` would, without creating any weights.
 */
export class LayerListBuilder implements GraphBuilder<Shape> {
  readonly layers: LayerInfo[] = [];

  constructor(readonly inputShape: Shape) {}

  get input(): Shape {
    return this.inputShape;
  }

  shapeOf(x: Shape): Shape {
    return x;
  }

  private push(info: LayerInfo): Shape {
    this.layers.push(info);
    return info.outputShape;
  }

  conv2d(name: string, x: Shape, opts: Conv2dOptions): Shape {
    return this.push(layerInfo(name, 'conv2d', opts, [x], (ctx) => conv2d(ctx, x, opts)));
  }

  depthwiseConv2d(name: string, x: Shape, opts: ConvOptions & { depthMultiplier?: number }): Shape {
    return this.push(layerInfo(name, 'depthwise_conv2d', opts, [x], (ctx) => depthwiseConv2d(ctx, x, opts)));
  }

  batchNorm(name: string, x: Shape, opts?: BatchNormOptions): Shape {
    return this.push(layerInfo(name, 'batch_norm', opts, [x], (ctx) => batchNorm(ctx, x, opts)));
  }

  relu(name: string, x: Shape): Shape {
    return this.push(layerInfo(name, 'relu', undefined, [x], (ctx) => relu(ctx, x)));
  }

  maxPool(name: string, x: Shape, opts: PoolOptions): Shape {
    return this.push(layerInfo(name, 'max_pool', opts, [x], (ctx) => pool2d(ctx, x, 'max', opts)));
  }

  avgPool(name: string, x: Shape, opts: PoolOptions): Shape {
    return this.push(layerInfo(name, 'avg_pool', opts, [x], (ctx) => pool2d(ctx, x, 'avg', opts)));
  }

  globalAvgPool(name: string, x: Shape): Shape {
    return this.push(layerInfo(name, 'global_avg_pool', undefined, [x], (ctx) => globalAvgPool(ctx, x)));
  }

  flatten(name: string, x: Shape): Shape {
    return this.push(layerInfo(name, 'flatten', undefined, [x], (ctx) => flatten(ctx, x)));
  }

  dense(name: string, x: Shape, opts: DenseOptions): Shape {
    return this.push(layerInfo(name, 'dense', opts, [x], (ctx) => dense(ctx, x, opts)));
  }

  /** The sum of `xs`; a single value is returned as it is, with no layer (as NetworkBuilder does). */
  add(name: string, xs: readonly Shape[]): Shape {
    if (xs.length === 1) return xs[0]!;
    return this.push(layerInfo(name, 'add', undefined, xs, (ctx) => add(ctx, xs)));
  }

  zeros(name: string, x: Shape): Shape {
    return this.push(layerInfo(name, 'zeros', undefined, [x], (ctx) => zeros(ctx, x)));
  }
}
