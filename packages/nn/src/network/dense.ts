import * as tf from '@tensorflow/tfjs-core';
import { filled, type Layer, type LayerContext, normalValues, type Shape, single } from './layer.js';

export interface DenseOptions {
  readonly units: number;
  /** Default true. */
  readonly useBias?: boolean;
}

/**
 * A fully connected layer `[features]` → `[units]`. Weights are LeCun normal, N(0, 1 / fan-in):
 * it produces logits, not the input of a ReLU, so He's factor 2 would only inflate them.
 */
export function dense(ctx: LayerContext, inputShape: Shape, opts: DenseOptions): Layer {
  const { units, useBias = true } = opts;
  const fanIn = inputShape[0];
  if (inputShape.length !== 1 || fanIn === undefined || fanIn < 1) {
    throw new RangeError(`layer ${ctx.name}: dense needs a [features] input, got [${inputShape.join(', ')}]`);
  }
  if (!Number.isInteger(units) || units < 1) {
    throw new RangeError(`layer ${ctx.name}: units must be a whole number ≥ 1, got ${units}`);
  }
  const w = ctx.variable(
    'kernel',
    [fanIn, units],
    normalValues(ctx.rng, fanIn * units, Math.sqrt(1 / fanIn)),
  );
  const b = useBias ? ctx.variable('bias', [units], filled(units, 0)) : undefined;
  return {
    info: {
      name: ctx.name,
      kind: 'dense',
      inputShape: [fanIn],
      outputShape: [units],
      attrs: { inFeatures: fanIn, units, useBias },
      params: fanIn * units + (b ? units : 0),
      flops: fanIn * units + (b ? units : 0),
    },
    variables: b ? [w, b] : [w],
    buffers: [],
    apply(inputs) {
      const y = tf.matMul(single(inputs, ctx.name) as tf.Tensor2D, w as tf.Tensor2D);
      return b ? tf.add(y, b) : y;
    },
  };
}
