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
  const padded =
    kind === 'avg' && padding === 'same' ? samePadding(h, w, size, stride, outHeight, outWidth) : undefined;
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
    apply: (inputs, training) => {
      const x = single(inputs, ctx.name) as tf.Tensor4D;
      // tfjs's AvgPool gradient divides by the whole window even where `same` padding cut it
      // short (its forward pass does not), so a border pixel got a gradient too small. Training
      // gets the right one. Inference keeps tfjs's: the synflow scores recorded in existing logs
      // were computed with it, and a resumed or verified run must compute them again alike.
      if (!padded || !training) return op(x, size, stride, padding);
      if (stride === 1 && size % 2 === 1) return centredAvgPool(x, size, padded.count);
      // Otherwise explicit zero padding, a `valid` pool and a per-position rescale give both right.
      const pooled = tf.avgPool(tf.pad(x, padded.pads), size, stride, 'valid');
      return tf.mul(pooled, tf.tensor3d(padded.scale, [outHeight, outWidth, 1]));
    },
  };
}

/**
 * A stride-1 average pool of odd `size` under `same` padding, whose window around each pixel
 * holds `count` pixels of the image. The gradient at a pixel is Σ dy/count over the windows that
 * hold it, which (the windows being centred) is the forward pool of dy/count times count.
 */
function centredAvgPool(x: tf.Tensor4D, size: number, count: Float32Array): tf.Tensor4D {
  const [, h, w, c] = x.shape;
  const pool = tf.customGrad((input) => ({
    value: tf.avgPool(input as tf.Tensor4D, size, 1, 'same'),
    gradFunc: (dy: tf.Tensor) => {
      // The counts repeated for every channel: the product broadcasts over the batch alone, in
      // long rows (the wasm backend's broadcasting loop pays per row).
      const perChannel = new Float32Array(h * w * c);
      for (let i = 0; i < h * w; i++) perChannel.fill(count[i]!, i * c, (i + 1) * c);
      const n = tf.tensor3d(perChannel, [h, w, c]);
      return tf.mul(tf.avgPool(tf.div(dy, n) as tf.Tensor4D, size, 1, 'same'), n);
    },
  }));
  return pool(x) as tf.Tensor4D;
}

/**
 * The zero padding tfjs's `same` adds (the odd pixel at the bottom and right), and per output
 * position window area / pixels of the window inside the image; undefined when nothing is padded.
 */
function samePadding(h: number, w: number, size: number, stride: number, outH: number, outW: number) {
  const total = (n: number, out: number) => Math.max((out - 1) * stride + size - n, 0);
  const th = total(h, outH);
  const tw = total(w, outW);
  if (th === 0 && tw === 0) return undefined;
  const [top, left] = [Math.floor(th / 2), Math.floor(tw / 2)];
  const inside = (i: number, pad: number, n: number) =>
    Math.min(i * stride - pad + size, n) - Math.max(i * stride - pad, 0);
  const count = new Float32Array(outH * outW);
  for (let i = 0; i < outH; i++) {
    for (let j = 0; j < outW; j++) count[i * outW + j] = inside(i, top, h) * inside(j, left, w);
  }
  return {
    pads: [
      [0, 0],
      [top, th - top],
      [left, tw - left],
      [0, 0],
    ] as [number, number][],
    count,
    scale: count.map((n) => (size * size) / n),
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
