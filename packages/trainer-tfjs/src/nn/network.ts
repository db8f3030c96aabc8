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

/**
 * One step of a network's dataflow: the layer `layers()[i]` reads the values `inputs` and
 * writes `output`. Value 0 is the network's input; `free` lists the values no later step reads,
 * released once this step has run.
 */
export interface DataflowStep {
  readonly inputs: readonly number[];
  readonly output: number;
  readonly free: readonly number[];
}

/**
 * Runs in place of each layer during {@link Network.apply}: `run()` computes the layer as the
 * network would, on `inputs`; the hook returns that, a function of it, or any other tensor of
 * the output's shape. Inside a gradient tape this reaches (or replaces) what each layer computes.
 */
export type LayerHook = (info: LayerInfo, inputs: readonly tf.Tensor[], run: () => tf.Tensor) => tf.Tensor;

export interface ApplyOptions {
  /** Batch statistics in batch norm, and updates of its running averages; default false. */
  readonly training?: boolean;
  /** Wraps every layer (see {@link LayerHook}). */
  readonly hook?: LayerHook;
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
   * and updates its running averages; otherwise it uses the running averages. With `hook`,
   * every layer runs through it.
   */
  apply(x: tf.Tensor4D, options?: ApplyOptions): tf.Tensor2D;
  /** Every layer in execution order. Layers whose result cannot reach the output (NAS-Bench-201's dead edges) are not built. */
  layers(): readonly LayerInfo[];
  /** Which values each layer reads and writes, one step per layer of `layers()`, in order. */
  dataflow(): readonly DataflowStep[];
  /** Sum of `params` over layers (equals the number of trainable weights). */
  paramCount(): number;
  /** Sum of `flops` over layers, per image. */
  flops(): number;
  dispose(): void;
}
