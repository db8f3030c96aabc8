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
 * A network's structure without weights: its input shape, its layers in execution order and its
 * dataflow (one step per layer). `describeNetwork` reads it off a built network; the
 * `describe*Network` functions of the spaces list it from an architecture alone.
 */
export interface NetworkDescription {
  readonly inputShape: readonly [number, number, number];
  readonly layers: readonly LayerInfo[];
  readonly dataflow: readonly DataflowStep[];
}

/**
 * The dataflow of steps that read `inputs` and write `output`, in execution order, with each
 * step's `free` list: the values it reads last, except the input (value 0) and `output` (the
 * caller's). A step whose output nothing reads is an error: it cannot affect the output.
 */
export function dataflowWithFrees(
  steps: readonly { readonly name: string; readonly inputs: readonly number[]; readonly output: number }[],
  output: number,
): DataflowStep[] {
  const lastRead = new Map<number, number>();
  steps.forEach((s, i) => {
    for (const id of s.inputs) lastRead.set(id, i);
  });
  const unread = steps.find((s) => s.output !== output && !lastRead.has(s.output));
  if (unread) throw new Error(`layer '${unread.name}' does not lead to the network's output`);
  return steps.map((s, i) => ({
    inputs: [...s.inputs],
    output: s.output,
    free: [...new Set(s.inputs)].filter((id) => id !== 0 && id !== output && lastRead.get(id) === i),
  }));
}

/**
 * Runs in place of each layer during {@link Network.apply}: `run()` computes the layer as the
 * network would, on `inputs`, and `run(others)` computes it on other tensors of the inputs'
 * shapes; the hook returns that, a function of it, or any other tensor of the output's shape.
 * Inside a gradient tape this reaches (or replaces) what each layer reads and computes.
 */
export type LayerHook = (
  info: LayerInfo,
  inputs: readonly tf.Tensor[],
  run: (inputs?: readonly tf.Tensor[]) => tf.Tensor,
) => tf.Tensor;

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

/** The description of a built network. */
export function describeNetwork(network: Network): NetworkDescription {
  return { inputShape: network.inputShape, layers: network.layers(), dataflow: network.dataflow() };
}
