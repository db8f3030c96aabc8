import type * as tf from '@tensorflow/tfjs-core';

/** One layer of a built network, in execution order: what latency tables and counters read. */
export interface LayerInfo {
  /** Unique within the network, e.g. `stage1.cell2.edge3.conv`. */
  readonly name: string;
  /** Operation kind, e.g. `conv2d`, `depthwise_conv2d`, `batch_norm`, `relu`, `max_pool`, `avg_pool`, `dense`, `add`, `global_avg_pool`. */
  readonly kind: string;
  /** NHWC without the batch dimension (or [features] for dense). */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** Kernel size, stride, padding, channels...: enough to rebuild and time the op alone. */
  readonly attrs: Readonly<Record<string, number | string | boolean>>;
  /** Trainable parameters of this layer. */
  readonly params: number;
  /** Multiply-adds for one image. */
  readonly flops: number;
}

/** A network built from an architecture, with its own variables. */
export interface Network {
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  /** Trainable variables, in a fixed order. */
  readonly variables: readonly tf.Variable[];
  /** Non-trainable state (batch-norm running means and variances), in a fixed order: saved with a checkpoint. */
  readonly buffers: readonly tf.Variable[];
  /**
   * NHWC images → logits [batch, numClasses]. With `training`, batch norm uses batch statistics
   * and updates its running averages; otherwise it uses the running averages.
   */
  apply(x: tf.Tensor4D, options?: { readonly training?: boolean }): tf.Tensor2D;
  /** Every layer in execution order. Layers whose result cannot reach the output (NAS-Bench-201's dead edges) are not built. */
  layers(): readonly LayerInfo[];
  /** Sum of `params` over layers (equals the number of trainable weights). */
  paramCount(): number;
  /** Sum of `flops` over layers, per image. */
  flops(): number;
  dispose(): void;
}
