import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { isEmpty, type KernelArgs, type WasmOps, type Window, window, withOps } from './wasm-ops.js';

// Every gradient here is one XNNPACK convolution over rearranged tensors, so the work runs in
// SIMD wasm like the forward pass:
// - filter gradients correlate x with dy: x with channels moved to the batch axis is the input,
//   dy with the batch moved to the channel axis is the filter, and the forward stride becomes
//   the dilation (and the forward dilation the stride);
// - input gradients convolve dy (zero-upsampled by the stride) with the filter rotated by 180°.

type Info = tf.TensorInfo;
type Conv2DInfo = tf.backend_util.Conv2DInfo;
type Pad = [[number, number], [number, number]];

function shape4(shape: readonly number[]): [number, number, number, number] {
  const [a = 1, b = 1, c = 1, d = 1] = shape;
  return [a, b, c, d];
}

/** A dy that does not fit the convolution would make XNNPACK read past it: refuse it. */
function checkDy(kernel: string, dy: Info, info: Conv2DInfo): void {
  if (dy.shape.length !== 4 || dy.shape.some((d, i) => d !== info.outShape[i])) {
    throw new Error(`${kernel}: dy has shape [${dy.shape}], the convolution gives [${info.outShape}]`);
  }
}

/**
 * dW of a convolution over NHWC `x` and `dy`, as `[kh, kw, inChannels, multiplier]` for a
 * depthwise one, else `[kh, kw, inChannels, outChannels]`.
 */
function filterGrad(ops: WasmOps, x: Info, dy: Info, info: Conv2DInfo, depthwise: boolean): Info {
  const { batchSize: n, inChannels: c, outChannels: co, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  const m = co / c;
  // The rows and columns of x that meet the filter, and the zero padding around them.
  const rows = window(info.inHeight, -padInfo.top, (kh - 1) * dh + (oh - 1) * sh + 1 - padInfo.top);
  const cols = window(info.inWidth, -padInfo.left, (kw - 1) * dw + (ow - 1) * sw + 1 - padInfo.left);
  if (isEmpty(rows) || isEmpty(cols)) return ops.zeros(depthwise ? [kh, kw, c, m] : [kh, kw, c, co]);
  const h = rows.end - rows.begin;
  const w = cols.end - cols.begin;
  const xs = ops.slice(x, [0, rows.begin, cols.begin, 0], [n, rows.end, cols.end, c]);
  const pad: Pad = [
    [rows.before, rows.after],
    [cols.before, cols.after],
  ];
  if (!depthwise) {
    const macs = kh * kw * c * co * n * oh * ow;
    const byDy = PACK_NS * n * oh * ow * co + MOVE_NS * (n * h * w * c + n * oh * ow * co) + MAC_NS * macs;
    const shifts = c * kw; // the GEMM's output channels when x is the filter
    const byX =
      PACK_NS * n * h * ow * shifts +
      MOVE_NS * n * oh * ow * co +
      (MAC_NS * (macs * (Math.ceil(shifts / 8) * 8))) / shifts +
      MAC_NS * n * h * ow * kw * c * shifts;
    // A pointwise convolution's is a matrix product, one GEMM without a convolution's setup
    // (3–10× faster). It sums the same products in the same order as the convolution the cost
    // model picks below, so its bits are that convolution's: stored logs hold scores computed
    // from these gradients (synflow), and a resumed or verified run computes them again alike.
    const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && h === oh && w === ow;
    const gemm = (a: Info, b: Info, k: number) =>
      ops.reshape(
        ops.run(
          tf.BatchMatMul,
          { a: ops.reshape(a, [1, c, k]), b: ops.reshape(b, [1, k, co]) },
          { transposeA: false, transposeB: false },
        ),
        [1, 1, c, co],
      );
    if (sh === 1 && byX < byDy) {
      // filterGradByX's order: over the batch, then rows, then columns.
      if (pointwise) return gemm(ops.transpose(ops.reshape(xs, [n * h * w, c]), [1, 0]), dy, n * h * w);
      return filterGradByX(ops, xs, dy, info, cols);
    }
    // [c, h, w, n] * [oh, ow, n, co] -> [c, kh, kw, co]
    const input = ops.transpose(xs, [3, 1, 2, 0]);
    const filter = ops.transpose(dy, [1, 2, 0, 3]);
    if (pointwise) return gemm(input, filter, h * w * n); // over rows, then columns, then the batch
    const out = ops.conv2d(input, filter, [dh, dw], [sh, sw], pad);
    return ops.transpose(out, [1, 2, 0, 3]);
  }
  // Depthwise: one channel per (c, n), so the batch is summed afterwards.
  // [1, h, w, c*n] * [oh, ow, c*n, m] -> [1, kh, kw, c*n*m] -> sum over n
  const input = ops.reshape(ops.transpose(xs, [1, 2, 3, 0]), [1, h, w, c * n]);
  const filter = ops.reshape(ops.transpose(ops.reshape(dy, [n, oh, ow, c, m]), [1, 2, 3, 0, 4]), [
    oh,
    ow,
    c * n,
    m,
  ]);
  const out = ops.depthwiseConv2d(input, filter, [dh, dw], [sh, sw], pad);
  const perBatch = ops.reshape(out, [kh, kw, c, n, m]);
  return n === 1 ? ops.reshape(perBatch, [kh, kw, c, m]) : ops.sum(perBatch, [3]);
}

// Rough costs (ns) measured here: XNNPACK packs a filter it has not seen at ~9 ns an element,
// a wasm transpose moves ~3 ns an element, GEMMs run at ~10 GMAC/s over 8 output channels at once.
const PACK_NS = 9;
const MOVE_NS = 3;
const MAC_NS = 0.1;

/**
 * dW of a convolution with stride 1 along the rows, with x as the filter: x shifted by every
 * filter column (`[n, h, ow, c * kw]`, by one 1×kw convolution with a 0/1 filter) correlates with
 * dy arranged `[co, n, oh, ow]`, and the result comes out with its rows reversed. XNNPACK packs
 * the shifted x instead of dy, much the smaller for first layers (3× faster for 128×28×28×1 → 16).
 */
function filterGradByX(ops: WasmOps, xs: Info, dy: Info, info: Conv2DInfo, cols: Window): Info {
  const { batchSize: n, inChannels: c, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideWidth: sw, padInfo } = info;
  const h = xs.shape[1] ?? 1;
  const oneHot = new Float32Array(kw * c * c * kw);
  for (let q = 0; q < kw; q++) {
    for (let ch = 0; ch < c; ch++) oneHot[(q * c + ch) * c * kw + ch * kw + q] = 1;
  }
  const shifted = ops.conv2d(
    xs,
    ops.constant([1, kw, c, c * kw], oneHot),
    [1, sw],
    [1, 1],
    [
      [0, 0],
      [cols.before, cols.after],
    ],
  );
  // Output row kh-1-p reads dy rows p - top ... p - top + h - 1.
  const rows = window(oh, padInfo.top - (kh - 1), h + padInfo.top);
  if (isEmpty(rows)) return ops.zeros([kh, kw, c, co]);
  const input = ops.slice(ops.transpose(dy, [3, 0, 1, 2]), [0, 0, rows.begin, 0], [co, n, rows.end, ow]);
  // [co, n, oh, ow] * [n, h, ow, c*kw] -> [co, 1, kh, c*kw]
  const out = ops.conv2d(
    input,
    shifted,
    [1, 1],
    [1, 1],
    [
      [0, 0],
      [rows.before, rows.after],
    ],
  );
  return ops.transpose(ops.reverse(ops.reshape(out, [co, kh, c, kw]), [1]), [1, 3, 2, 0]);
}

/**
 * dx of a convolution from NHWC `dy`: `conv` is the stride-1 convolution of (upsampled, cropped)
 * dy with the rotated filter, given its explicit padding.
 */
function inputGrad(
  ops: WasmOps,
  dy: Info,
  info: Conv2DInfo,
  dxChannels: number,
  conv: (dy: Info, pad: Pad) => Info,
): Info {
  const { batchSize: n, outHeight: oh, outWidth: ow, outChannels: co } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw, padInfo } = info;
  // Zero-upsample dy by the stride: dy[i] lands on row i*sh.
  const up =
    sh === 1 && sw === 1
      ? dy
      : ops.reshape(
          ops.pad(ops.reshape(dy, [n, oh, 1, ow, 1, co]), [
            [0, 0],
            [0, 0],
            [0, sh - 1],
            [0, 0],
            [0, sw - 1],
            [0, 0],
          ]),
          [n, oh * sh, ow * sw, co],
        );
  // Output row y reads upsampled rows y + top - (kh-1)*dh ... y + top.
  const top = padInfo.top - (kh - 1) * dh;
  const left = padInfo.left - (kw - 1) * dw;
  const rows = window(oh * sh, top, info.inHeight + padInfo.top);
  const cols = window(ow * sw, left, info.inWidth + padInfo.left);
  if (isEmpty(rows) || isEmpty(cols)) return ops.zeros([n, info.inHeight, info.inWidth, dxChannels]);
  const cropped = ops.slice(up, [0, rows.begin, cols.begin, 0], [n, rows.end, cols.end, co]);
  return conv(cropped, [
    [rows.before, rows.after],
    [cols.before, cols.after],
  ]);
}

/** Runs an NHWC computation on NCHW tensors by transposing them in and the result out. */
function nhwc(ops: WasmOps, channelsFirst: boolean, tensors: Info[], body: (t: Info[]) => Info): Info {
  if (!channelsFirst) return body(tensors);
  return ops.transpose(body(tensors.map((t) => ops.transpose(t, [0, 2, 3, 1]))), [0, 3, 1, 2]);
}

interface GradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
  dataFormat?: 'NHWC' | 'NCHW';
}

/** The forward convolution's geometry, from a gradient kernel's attributes; checks dy fits it. */
function gradInfo(
  kernel: string,
  dy: Info,
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: GradAttrs,
  depthwise: boolean,
): Conv2DInfo {
  const info = tf.backend_util.computeConv2DInfo(
    shape4(xShape),
    shape4(filterShape),
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC'),
  );
  checkDy(kernel, dy, info);
  return info;
}

export function conv2DBackpropFilter(args: KernelArgs): Info {
  const { x, dy } = args.inputs as Record<'x' | 'dy', Info>;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = gradInfo(tf.Conv2DBackpropFilter, dy, x.shape, attrs.filterShape, attrs, false);
  return withOps(args.backend as BackendWasm, (ops) => {
    const first = info.dataFormat === 'channelsFirst';
    const xs = first ? ops.transpose(x, [0, 2, 3, 1]) : x;
    const dys = first ? ops.transpose(dy, [0, 2, 3, 1]) : dy;
    return ops.keep(filterGrad(ops, xs, dys, info, false), [x, dy]);
  });
}

export function conv2DBackpropInput(args: KernelArgs): Info {
  const { dy, filter } = args.inputs as Record<'dy' | 'filter', Info>;
  const attrs = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = gradInfo(tf.Conv2DBackpropInput, dy, attrs.inputShape, filter.shape, attrs, false);
  return withOps(args.backend as BackendWasm, (ops) => {
    // [kh, kw, ci, co] -> rotated [kh, kw, co, ci]
    const rotated = ops.transpose(ops.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    const dx = nhwc(ops, info.dataFormat === 'channelsFirst', [dy], ([d]) =>
      inputGrad(ops, d as Info, info, info.inChannels, (up, p) =>
        ops.conv2d(up, rotated, [1, 1], [info.dilationHeight, info.dilationWidth], p),
      ),
    );
    return ops.keep(dx, [dy, filter]);
  });
}

export function depthwiseConv2dNativeBackpropFilter(args: KernelArgs): Info {
  const { x, dy } = args.inputs as Record<'x' | 'dy', Info>;
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  const info = gradInfo(tf.DepthwiseConv2dNativeBackpropFilter, dy, x.shape, attrs.filterShape, attrs, true);
  return withOps(args.backend as BackendWasm, (ops) => ops.keep(filterGrad(ops, x, dy, info, true), [x, dy]));
}

export function depthwiseConv2dNativeBackpropInput(args: KernelArgs): Info {
  const { dy, filter } = args.inputs as Record<'dy' | 'filter', Info>;
  const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  const info = gradInfo(
    tf.DepthwiseConv2dNativeBackpropInput,
    dy,
    attrs.inputShape,
    filter.shape,
    attrs,
    true,
  );
  const { batchSize: n, inHeight: h, inWidth: w, filterHeight: kh, filterWidth: kw, inChannels: c } = info;
  const m = info.outChannels / c;
  return withOps(args.backend as BackendWasm, (ops) => {
    // [kh, kw, c, m] -> rotated, one input channel per (c, m): [kh, kw, c*m, 1]
    const rotated = ops.reshape(ops.reverse(filter, [0, 1]), [kh, kw, c * m, 1]);
    const dxPerM = inputGrad(ops, dy, info, c * m, (up, p) =>
      ops.depthwiseConv2d(up, rotated, [1, 1], [info.dilationHeight, info.dilationWidth], p),
    );
    const dx = m === 1 ? dxPerM : ops.sum(ops.reshape(dxPerM, [n, h, w, c, m]), [4]);
    return ops.keep(dx, [dy, filter]);
  });
}
