import type { Rng } from '@archlab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { LayerInfo } from './network.js';

/** A feature map's shape without the batch dimension: `[height, width, channels]`, or `[features]`. */
export type Shape = readonly number[];

/**
 * One primitive operation with its own variables. Counting conventions (those of the
 * NAS-Bench-201 code, so a cell network's `flops()` equals the benchmark's FLOPs): `flops` are
 * the multiply-adds of convolutions and dense layers, a bias counting one per output value;
 * batch norm, ReLU, pooling, additions and zeros count 0. `params` are trainable weights only
 * (a batch norm's running mean and variance are `buffers`).
 */
export interface Layer {
  readonly info: LayerInfo;
  /** Trainable, in a fixed order. */
  readonly variables: readonly tf.Variable[];
  /** Non-trainable state (batch-norm running statistics), in a fixed order. */
  readonly buffers: readonly tf.Variable[];
  /**
   * Batched inputs (shapes `[batch, ...info.inputShape]`) → a new tensor (never one of the
   * inputs). Intermediate tensors are the caller's to clean up (the network runs it in `tf.tidy`).
   */
  apply(inputs: readonly tf.Tensor[], training: boolean): tf.Tensor;
}

/** What a layer factory gets from the network it joins. */
export interface LayerContext {
  /** Unique within the network: the LayerInfo name. */
  readonly name: string;
  /** A stream for this layer's initial values alone, so they do not depend on build order. */
  readonly rng: Rng;
  /** A new variable named uniquely among every tfjs variable of the process. */
  variable(param: string, shape: readonly number[], values: Float32Array, trainable?: boolean): tf.Variable;
}

/**
 * A context whose variables are named `${prefix}/${name}/${param}`. The prefix must be unique
 * in the process: tfjs keeps one global registry of variable names.
 */
export function layerContext(prefix: string, name: string, rng: Rng): LayerContext {
  return {
    name,
    rng,
    variable: (param, shape, values, trainable = true) =>
      tf.tidy(() =>
        tf.variable(tf.tensor(values, [...shape], 'float32'), trainable, `${prefix}/${name}/${param}`),
      ),
  };
}

/** `n` draws from N(0, std²): He (Kaiming) normal for a ReLU layer when std = √(2 / fan-in). */
export function normalValues(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
  return out;
}

/** He (Kaiming) normal initial values: N(0, 2 / fanIn), for weights followed by a ReLU. */
export function heNormal(rng: Rng, n: number, fanIn: number): Float32Array {
  return normalValues(rng, n, Math.sqrt(2 / fanIn));
}

export function filled(n: number, value: number): Float32Array {
  return new Float32Array(n).fill(value);
}

export function product(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The layer's one input, or an error naming the layer when it got a different number. */
export function single(inputs: readonly tf.Tensor[], name: string): tf.Tensor {
  if (inputs.length !== 1) throw new Error(`layer ${name} takes 1 input, got ${inputs.length}`);
  return inputs[0]!;
}

/** Throws when `shape` is not `[height, width, channels]` with positive sizes. */
export function spatial(shape: Shape, name: string): readonly [number, number, number] {
  if (shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new RangeError(`layer ${name} needs a [height, width, channels] input, got [${shape.join(', ')}]`);
  }
  return [shape[0]!, shape[1]!, shape[2]!];
}

export type Padding = 'same' | 'valid';

/**
 * Output length of a window of (effective) size `size` sliding with `stride` over `length`, as
 * tfjs computes it: `same` pads to ⌈length / stride⌉, `valid` keeps whole windows only.
 */
export function outputLength(length: number, size: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(length / stride) : Math.floor((length - size) / stride) + 1;
}
