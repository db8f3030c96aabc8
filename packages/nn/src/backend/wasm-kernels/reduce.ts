import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, wasmKernelFunc, withOps } from './wasm-ops.js';

type Info = tf.TensorInfo;

/**
 * Sum or Mean over a block of adjacent axes followed by others, such as a bias gradient (sum over
 * batch, rows, columns) or a global average pool (mean over rows and columns). The wasm backend
 * first transposes the reduced axes innermost, a slow scalar copy; this is one XNNPACK average
 * pooling whose window spans the block. Other reductions, and those whose result is not finite,
 * go to the backend's own kernels.
 */
function reduceKernel(kind: typeof tf.Sum | typeof tf.Mean) {
  return (args: KernelArgs): Info => {
    const x = args.inputs.x as Info;
    const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const first = axes[0] ?? 0;
    const last = axes.at(-1) ?? 0;
    const adjacent = axes.length > 0 && last - first === axes.length - 1;
    const size = tf.util.sizeFromShape(x.shape.slice(first, last + 1));
    if (x.dtype !== 'float32' || !adjacent || last === x.shape.length - 1 || size === 0) {
      return wasmKernelFunc(kind)(args) as Info;
    }
    const outer = tf.util.sizeFromShape(x.shape.slice(0, first));
    const inner = tf.util.sizeFromShape(x.shape.slice(last + 1));
    const outShape = keepDims
      ? x.shape.map((d, i) => (i >= first && i <= last ? 1 : d))
      : x.shape.filter((_, i) => i < first || i > last);
    const backend = args.backend as BackendWasm;
    const out = withOps(backend, (ops) => {
      const pooled = ops.run(
        tf.AvgPool,
        { x: ops.reshape(x, [outer, size, 1, inner]) },
        { filterSize: [size, 1], strides: [1, 1], pad: 'valid' },
      );
      const result = kind === tf.Sum ? ops.mul(pooled, ops.constant([], Float32Array.of(size))) : pooled;
      return ops.keep(ops.reshape(result, outShape), [x]);
    });
    // XNNPACK's pooling clamps with min/max that turn NaN into ±∞; a sum or mean that is not
    // finite (a batch that diverged) is computed again by the own kernel, so NaN stays NaN.
    if ((backend.readSync(out.dataId) as Float32Array).every(Number.isFinite)) return out;
    backend.disposeData(out.dataId);
    return wasmKernelFunc(kind)(args) as Info;
  };
}

export const sum = reduceKernel(tf.Sum);
export const mean = reduceKernel(tf.Mean);
