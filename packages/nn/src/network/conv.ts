import * as tf from '@tensorflow/tfjs-core';
import {
  filled,
  heNormal,
  type Layer,
  type LayerContext,
  outputLength,
  type Padding,
  type Shape,
  single,
  spatial,
} from './layer.js';

export interface ConvOptions {
  /** Square kernel side. */
  readonly kernelSize: number;
  /** Default 1. */
  readonly stride?: number;
  /** Default 1. A dilated kernel of side k covers (k − 1)·dilation + 1 pixels. */
  readonly dilation?: number;
  /** Default `same`. */
  readonly padding?: Padding;
  /** Default false: the convolutions here are followed by batch norm, which has its own shift. */
  readonly useBias?: boolean;
}

export interface Conv2dOptions extends ConvOptions {
  readonly filters: number;
}

/** A 2-D convolution, NHWC, He-normal weights `[k, k, in, filters]`. */
export function conv2d(ctx: LayerContext, inputShape: Shape, opts: Conv2dOptions): Layer {
  const [, , cin] = spatial(inputShape, ctx.name);
  positive(ctx.name, 'filters', opts.filters);
  return convolution(ctx, inputShape, opts, {
    kind: 'conv2d',
    param: 'kernel',
    multiplier: opts.filters,
    outChannels: opts.filters,
    fanIn: opts.kernelSize ** 2 * cin,
    attrs: { inChannels: cin, filters: opts.filters },
    op: tf.conv2d,
  });
}

/** A depthwise convolution (one k×k filter per input channel and multiplier), He-normal weights `[k, k, in, multiplier]`. */
export function depthwiseConv2d(
  ctx: LayerContext,
  inputShape: Shape,
  opts: ConvOptions & { readonly depthMultiplier?: number },
): Layer {
  const [, , cin] = spatial(inputShape, ctx.name);
  const mult = opts.depthMultiplier ?? 1;
  positive(ctx.name, 'depthMultiplier', mult);
  return convolution(ctx, inputShape, opts, {
    kind: 'depthwise_conv2d',
    param: 'depthwise_kernel',
    multiplier: mult,
    outChannels: cin * mult,
    fanIn: opts.kernelSize ** 2,
    attrs: { inChannels: cin, depthMultiplier: mult },
    op: tf.depthwiseConv2d,
  });
}

/**
 * What conv2d and depthwiseConv2d share: a kernel `[k, k, in, multiplier]` (output channels
 * for conv2d, per-channel multiplier for depthwise), an optional bias, and k² multiply-adds
 * per input channel feeding each output value (all of them for conv2d, one for depthwise).
 */
function convolution(
  ctx: LayerContext,
  inputShape: Shape,
  opts: ConvOptions,
  how: {
    kind: string;
    param: string;
    multiplier: number;
    outChannels: number;
    fanIn: number;
    attrs: Record<string, number>;
    op: (x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: Padding) => tf.Tensor4D;
  },
): Layer {
  const [, , cin] = spatial(inputShape, ctx.name);
  const g = geometry(ctx.name, inputShape, opts);
  const k = opts.kernelSize;
  const cout = how.outChannels;
  const weights = k * k * cin * how.multiplier;
  const w = ctx.variable(how.param, [k, k, cin, how.multiplier], heNormal(ctx.rng, weights, how.fanIn));
  const b = g.useBias ? ctx.variable('bias', [cout], filled(cout, 0)) : undefined;
  const positions = g.outHeight * g.outWidth;
  return {
    info: {
      name: ctx.name,
      kind: how.kind,
      inputShape: [...inputShape],
      outputShape: [g.outHeight, g.outWidth, cout],
      attrs: { ...g.attrs, ...how.attrs },
      params: weights + (b ? cout : 0),
      flops: positions * (cout * how.fanIn + (b ? cout : 0)),
    },
    variables: b ? [w, b] : [w],
    buffers: [],
    apply(inputs) {
      const x = single(inputs, ctx.name) as tf.Tensor4D;
      const y = how.op(x, dilateKernel(w as tf.Tensor4D, g.dilation), g.stride, g.padding);
      return b ? tf.add(y, b) : y;
    },
  };
}

/**
 * The kernel of a dilated convolution as an ordinary one, zeros between the taps. tfjs 4.22
 * computes dilated convolutions forward but has no gradient for them, so the network
 * convolves with this instead: the same result, and pad/reshape/slice are differentiable.
 */
export function dilateKernel(w: tf.Tensor4D, dilation: number): tf.Tensor4D {
  if (dilation === 1) return w;
  const [kh, kw, a, b] = w.shape;
  const spaced = tf.pad(tf.reshape(w, [kh, 1, kw, 1, a * b]), [
    [0, 0],
    [0, dilation - 1],
    [0, 0],
    [0, dilation - 1],
    [0, 0],
  ]);
  const size: [number, number, number, number] = [(kh - 1) * dilation + 1, (kw - 1) * dilation + 1, a, b];
  return tf.slice(
    tf.reshape(spaced, [kh * dilation, kw * dilation, a, b]),
    [0, 0, 0, 0],
    size,
  ) as tf.Tensor4D;
}

function positive(layer: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`layer ${layer}: ${what} must be a whole number ≥ 1, got ${n}`);
}

function geometry(name: string, inputShape: Shape, opts: ConvOptions) {
  const [h, w] = spatial(inputShape, name);
  const { kernelSize: k, stride = 1, dilation = 1, padding = 'same', useBias = false } = opts;
  positive(name, 'kernelSize', k);
  positive(name, 'stride', stride);
  positive(name, 'dilation', dilation);
  const size = (k - 1) * dilation + 1;
  const outHeight = outputLength(h, size, stride, padding);
  const outWidth = outputLength(w, size, stride, padding);
  if (outHeight < 1 || outWidth < 1) {
    throw new RangeError(`layer ${name}: a ${size}×${size} 'valid' window does not fit a ${h}×${w} input`);
  }
  return {
    stride,
    dilation,
    padding,
    useBias,
    outHeight,
    outWidth,
    attrs: { kernelSize: k, stride, dilation, padding, useBias },
  };
}
