import * as tf from '@tensorflow/tfjs-core';
import {
  type Layer,
  type LayerContext,
  outputLength,
  type Padding,
  type Shape,
  single,
  spatial,
} from './layer.js';

export interface PoolOptions {
  /** Square window side, e.g. 2 or 3. */
  readonly size: number;
  /** Default: the window size. */
  readonly stride?: number;
  /** Default `same`. */
  readonly padding?: Padding;
}

/**
 * Max or average pooling. With `same` padding an average counts only the pixels inside the
 * image (PyTorch's `count_include_pad=False`, which NAS-Bench-201 uses).
 */
export function pool2d(ctx: LayerContext, inputShape: Shape, kind: 'max' | 'avg', opts: PoolOptions): Layer {
  const [h, w, c] = spatial(inputShape, ctx.name);
  const { size, stride = size, padding = 'same' } = opts;
  if (![size, stride].every((n) => Number.isInteger(n) && n >= 1)) {
    throw new RangeError(
      `layer ${ctx.name}: pool size and stride must be whole numbers ≥ 1, got ${size} and ${stride}`,
    );
  }
  const outHeight = outputLength(h, size, stride, padding);
  const outWidth = outputLength(w, size, stride, padding);
  if (outHeight < 1 || outWidth < 1) {
    throw new RangeError(`layer ${ctx.name}: a ${size}×${size} 'valid' pool does not fit a ${h}×${w} input`);
  }
  const op = kind === 'max' ? tf.maxPool : tf.avgPool;
  return {
    info: {
      name: ctx.name,
      kind: `${kind}_pool`,
      inputShape: [...inputShape],
      outputShape: [outHeight, outWidth, c],
      attrs: { size, stride, padding },
      params: 0,
      flops: 0,
    },
    variables: [],
    buffers: [],
    apply: (inputs) => op(single(inputs, ctx.name) as tf.Tensor4D, size, stride, padding),
  };
}

/** Mean over height and width: `[h, w, c]` → `[c]`. */
export function globalAvgPool(ctx: LayerContext, inputShape: Shape): Layer {
  const [, , c] = spatial(inputShape, ctx.name);
  return {
    info: {
      name: ctx.name,
      kind: 'global_avg_pool',
      inputShape: [...inputShape],
      outputShape: [c],
      attrs: {},
      params: 0,
      flops: 0,
    },
    variables: [],
    buffers: [],
    apply: (inputs) => tf.mean(single(inputs, ctx.name), [1, 2]),
  };
}
