import * as tf from '@tensorflow/tfjs-core';
import type { Layer, LayerContext, Shape } from './layer.js';
import { single } from './layer.js';

function stateless(
  ctx: LayerContext,
  kind: string,
  shape: Shape,
  attrs: Layer['info']['attrs'],
  apply: Layer['apply'],
  outputShape: Shape = shape,
): Layer {
  return {
    info: {
      name: ctx.name,
      kind,
      inputShape: [...shape],
      outputShape: [...outputShape],
      attrs,
      params: 0,
      flops: 0,
    },
    variables: [],
    buffers: [],
    apply,
  };
}

export function relu(ctx: LayerContext, inputShape: Shape): Layer {
  return stateless(ctx, 'relu', inputShape, {}, (inputs) => tf.relu(single(inputs, ctx.name)));
}

/** The sum of two or more inputs of one shape (a residual connection, a cell node). */
export function add(ctx: LayerContext, inputShapes: readonly Shape[]): Layer {
  const [first, ...rest] = inputShapes;
  if (!first || rest.length === 0)
    throw new RangeError(`layer ${ctx.name}: add takes 2 or more inputs, got ${inputShapes.length}`);
  for (const s of rest) {
    if (s.length !== first.length || s.some((d, i) => d !== first[i])) {
      throw new RangeError(
        `layer ${ctx.name}: cannot add shapes [${first.join(', ')}] and [${s.join(', ')}]`,
      );
    }
  }
  return stateless(ctx, 'add', first, { inputs: inputShapes.length }, (inputs) =>
    inputs.length === 2 ? tf.add(inputs[0]!, inputs[1]!) : tf.addN([...inputs]),
  );
}

/**
 * Zeros shaped like the input: NAS-Bench-201's `none` op where its result is needed (a cell
 * with no path from input to output). Its gradient is zero, not absent, as with `x * 0`.
 */
export function zeros(ctx: LayerContext, inputShape: Shape): Layer {
  return stateless(ctx, 'zero', inputShape, {}, (inputs) => tf.zerosLike(single(inputs, ctx.name)));
}

/**
 * `[h, w, c]` → `[h·w·c]`, in the order the values are stored (NHWC, channels fastest): the
 * input of a dense head that sees where a feature is, unlike global average pooling.
 */
export function flatten(ctx: LayerContext, inputShape: Shape): Layer {
  if (inputShape.length === 0 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new RangeError(`layer ${ctx.name}: cannot flatten shape [${inputShape.join(', ')}]`);
  }
  const features = inputShape.reduce((n, d) => n * d, 1);
  return stateless(
    ctx,
    'flatten',
    inputShape,
    {},
    (inputs) => {
      const x = single(inputs, ctx.name);
      return tf.reshape(x, [x.shape[0]!, features]);
    },
    [features],
  );
}
