import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { isEmpty, type KernelArgs, wasmKernelFunc, window, withOps } from './wasm-ops.js';

type Info = tf.TensorInfo;

/**
 * MaxPoolGrad for pools whose windows tile the input (stride = window size, the usual 2×2/2),
 * built from XNNPACK max pooling and broadcast elementwise ops; other pools go to the wasm
 * backend's own kernel, which loops over every window of every input pixel (about 40 ms for a
 * 128×28×28×16 batch, three times this) and, unlike the cpu backend, credits the last of tied
 * maxima and mishandles windows of values ≤ 0 (it starts from FLT_MIN).
 *
 * Like the cpu backend, the gradient goes to the first maximum of each window in row-major
 * order. Each pixel p of a window gets the score `w(p) * (x(p) = max ? K + 1 : 1)`, where
 * `w = K, K-1, ..., 1` are the window positions in order (K pixels): the scores of a window are
 * distinct integers and the largest is the first maximum's, found with a second max pooling.
 */
export function maxPoolGrad(args: KernelArgs): Info {
  const { dy, input, output } = args.inputs as tf.MaxPoolGradInputs;
  const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const $dy = dy as Info;
  const $x = input as Info;
  const $y = output as Info;
  const info = tf.backend_util.computePool2DInfo(
    $x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const rows = window(h, -padInfo.top, oh * kh - padInfo.top);
  const cols = window(w, -padInfo.left, ow * kw - padInfo.left);
  const tiles = sh === kh && sw === kw && info.dilationHeight === 1 && info.dilationWidth === 1;
  const fits = $y.shape.every((d, i) => d === info.outShape[i]);
  if (!tiles || !fits || isEmpty(rows) || isEmpty(cols)) return wasmKernelFunc(tf.MaxPoolGrad)(args) as Info;
  const k = kh * kw;
  const backend = args.backend as BackendWasm;
  if (k === 1 && oh === h && ow === w && padInfo.top === 0 && padInfo.left === 0) {
    // 1×1 windows (which XNNPACK does not pool): every pixel is its window's maximum.
    return withOps(backend, (ops) => ops.keep($dy, [$dy]));
  }
  return withOps(backend, (ops) => {
    // The tiled part of x, padded with -Infinity where windows stick out of it.
    const xs = ops.pad(
      ops.slice($x, [0, rows.begin, cols.begin, 0], [n, rows.end, cols.end, c]),
      [
        [0, 0],
        [rows.before, rows.after],
        [cols.before, cols.after],
        [0, 0],
      ],
      Number.NEGATIVE_INFINITY,
    );
    const windows = [n, oh, kh, ow, kw, c];
    const perWindow = (t: Info) => ops.reshape(t, [n, oh, 1, ow, 1, c]);
    // Window positions K, K-1, ..., 1, laid out over a whole row of windows so that the product
    // below broadcasts over outer axes only (XNNPACK is ~4× slower broadcasting inner ones).
    const row = kh * ow * kw * c;
    const order = new Float32Array(row);
    for (let i = 0; i < row; i++) {
      const p = Math.floor(i / (ow * kw * c));
      const q = Math.floor(i / c) % kw;
      order[i] = k - (p * kw + q);
    }
    // 1 below the window's maximum (the forward output), K + 1 at it; times the position.
    const isMax = ops.step(ops.sub(perWindow($y), ops.reshape(xs, windows)), k + 1);
    const score = ops.mul(ops.reshape(isMax, [n * oh, row]), ops.constant([1, row], order));
    const best = ops.sub(
      ops.maxPool(ops.reshape(score, [n, oh * kh, ow * kw, c]), [kh, kw]),
      ops.constant([], Float32Array.of(0.5)),
    );
    const first = ops.step(ops.sub(ops.reshape(score, windows), perWindow(best)), 0);
    const grads = ops.reshape(ops.mul(first, perWindow($dy)), [n, oh * kh, ow * kw, c]);
    // Back to x's shape: drop the padding, zeros for pixels no window reads.
    const inner = ops.slice(
      grads,
      [0, rows.before, cols.before, 0],
      [n, rows.before + rows.end - rows.begin, cols.before + cols.end - cols.begin, c],
    );
    const dx = ops.pad(inner, [
      [0, 0],
      [rows.begin, h - rows.end],
      [cols.begin, w - cols.end],
      [0, 0],
    ]);
    return ops.keep(dx, [$dy, $x, $y]);
  });
}
