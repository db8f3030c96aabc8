import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, wasmKernelFunc, withOps } from './wasm-ops.js';

type Info = tf.TensorInfo;
type Binary = typeof tf.Multiply | typeof tf.Add | typeof tf.Sub;

/** The longest rows the tiled vector gets: past ~512 values a row, the loop's cost per row no longer shows. */
const MAX_ROW = 1024;

/**
 * Multiply, Add and Sub of a float32 tensor and a per-channel vector (shape `[C]` or `[1, …, 1, C]`,
 * C the tensor's last axis): batch norm's centring, scale and shift, and their gradients. The
 * wasm backend's broadcasting loop costs ~12 ns a row on top of its work, so a `[64, 14, 14, 8]`
 * feature map (12,544 rows of 8) takes ten times a same-shape op. Here the same kernel runs on
 * the tensor seen as rows of T·C values against the vector repeated T times (T divides the rows):
 * every output element is the same IEEE operation on the same two values, so the result is bit
 * for bit the backend's own, NaN and infinities included. Other cases go to the own kernel as is.
 */
function channelKernel(kind: Binary) {
  return (args: KernelArgs): Info => {
    const a = args.inputs.a as Info;
    const b = args.inputs.b as Info;
    const own = wasmKernelFunc(kind);
    const vectorB = perChannel(a, b);
    if (!vectorB && !perChannel(b, a)) return own(args) as Info;
    const [x, v] = vectorB ? [a, b] : [b, a];
    const c = x.shape.at(-1)!;
    const rows = tf.util.sizeFromShape(x.shape) / c;
    let t = Math.min(rows, Math.floor(MAX_ROW / c));
    while (rows % t !== 0) t--;
    if (t < 2) return own(args) as Info;
    const backend = args.backend as BackendWasm;
    return withOps(backend, (ops) => {
      const values = backend.readSync(v.dataId) as Float32Array;
      const tiled = new Float32Array(t * c);
      for (let i = 0; i < t; i++) tiled.set(values.subarray(0, c), i * c);
      const wide = ops.reshape(x, [rows / t, t * c]);
      const vector = ops.constant([t * c], tiled);
      const out = ops.run(kind, vectorB ? { a: wide, b: vector } : { a: vector, b: wide });
      return ops.keep(ops.reshape(out, [...x.shape]), [x]);
    });
  };
}

/** Whether `v` is a float32 per-channel vector of the larger `x`: the case {@link channelKernel} takes. */
function perChannel(x: Info, v: Info): boolean {
  if (x.dtype !== 'float32' || v.dtype !== 'float32' || x.shape.length < 2) return false;
  const c = x.shape.at(-1)!;
  if (c === 0 || v.shape.length > x.shape.length || v.shape.at(-1) !== c) return false;
  return v.shape.slice(0, -1).every((d) => d === 1) && tf.util.sizeFromShape(x.shape) > c;
}

export const multiply = channelKernel(tf.Multiply);
export const add = channelKernel(tf.Add);
export const sub = channelKernel(tf.Sub);
