import type { BatchNormOptions } from './batch-norm.js';
import type { Conv2dOptions, ConvOptions } from './conv.js';
import type { DenseOptions } from './dense.js';
import type { Shape } from './layer.js';
import type { PoolOptions } from './pool.js';

/** A value of the graph being built: an id (0 is the input) and its shape without the batch dimension. */
export interface SymbolicTensor {
  readonly id: number;
  readonly shape: Shape;
}

/**
 * What a network description (the NB201 cell network, a fmnist-chain) needs of a builder, so it
 * is written once and read two ways: by NetworkBuilder, whose values are symbolic tensors of a
 * network with weights, and by LayerListBuilder, which only lists the layers' infos and the
 * dataflow (no weights, no backend: fast enough to describe a whole space).
 */
export interface GraphBuilder<T> {
  readonly input: T;
  /** The shape of a value, without the batch dimension. */
  shapeOf(x: T): Shape;
  conv2d(name: string, x: T, opts: Conv2dOptions): T;
  depthwiseConv2d(name: string, x: T, opts: ConvOptions & { depthMultiplier?: number }): T;
  batchNorm(name: string, x: T, opts?: BatchNormOptions): T;
  relu(name: string, x: T): T;
  maxPool(name: string, x: T, opts: PoolOptions): T;
  avgPool(name: string, x: T, opts: PoolOptions): T;
  globalAvgPool(name: string, x: T): T;
  /** `[h, w, c]` → `[h·w·c]`. */
  flatten(name: string, x: T): T;
  dense(name: string, x: T, opts: DenseOptions): T;
  /** The sum of `xs`; a single value is returned as it is, with no layer. */
  add(name: string, xs: readonly T[]): T;
  zeros(name: string, x: T): T;
}
