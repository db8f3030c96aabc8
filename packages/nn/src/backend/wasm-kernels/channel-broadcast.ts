import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, wasmKernelFunc, withOps } from './wasm-ops.js';

type Info = tf.TensorInfo;
type Binary = typeof tf.Multiply | typeof tf.Add | typeof tf.Sub;

/**
 * Multiply, Add and Sub of a float32 tensor and a per-channel vector (shape `[C]`, or `[1, …, 1, C]`,
 * C the tensor's last axis): batch norm's scale and shift, its gradient, a bias. The wasm
 * backend broadcasts with a scalar loop that computes every element's index, 4–8× slower than a
 * same-shape op on a feature map; this is one XNNPACK 1×1 depthwise convolution over the tensor
 * seen as `[1, size / C, 1, C]`: `x·v` is the vector as the filter, `x ± v` a filter of ±1 and
 * the vector as the bias. Each output element is the same single IEEE operation as the backend's
 * (`x·1` is exact), so results are bit for bit those of its own kernel for finite values.
 * XNNPACK clamps a depthwise output to [−∞, ∞] with min/max that turn NaN into ±∞, which a ReLU
 * then makes 0: a batch that diverged would train on unseen. So a vector that is not finite goes
 * to the backend's own kernel, and so does the whole op when the output's per-channel sums (one
 * GEMM, which keeps NaN) are not finite: NaN stays NaN, as on the cpu backend. Other shapes and
 * dtypes, and tensors below rank 3 (a dense layer's logits), go to the own kernel too.
 */
function channelKernel(kind: Binary) {
  return (args: KernelArgs): Info => {
    const a = args.inputs.a as Info;
    const b = args.inputs.b as Info;
    const own = () => wasmKernelFunc(kind)(args) as Info;
    const bigA = perChannel(a, b);
    const bigB = !bigA && perChannel(b, a);
    if (!bigA && !bigB) return own();
    const [x, v] = bigA ? [a, b] : [b, a];
    const c = x.shape.at(-1)!;
    const backend = args.backend as BackendWasm;
    const values = backend.readSync(v.dataId) as Float32Array;
    if (!values.every(Number.isFinite)) return own();
    return withOps(backend, (ops) => {
      const input = ops.reshape(x, [1, tf.util.sizeFromShape(x.shape) / c, 1, c]);
      const vector = ops.reshape(v, [1, 1, c, 1]);
      let out: Info;
      if (kind === tf.Multiply) {
        out = ops.depthwiseConv2d(
          input,
          vector,
          [1, 1],
          [1, 1],
          [
            [0, 0],
            [0, 0],
          ],
        );
      } else {
        // x + v, x − v = x·1 + (−v), v − x = x·(−1) + v.
        const sign = kind === tf.Sub && bigB ? -1 : 1;
        const filter = ops.constant([1, 1, c, 1], new Float32Array(c).fill(sign));
        // The kernel wants a bias stored as [C]: a copy of the C values (negated for x − v, exactly).
        const bias = ops.constant([c], kind === tf.Sub && bigA ? values.map((b) => -b) : values.slice());
        out = ops.run(
          tf.FusedDepthwiseConv2D,
          { x: input, filter, bias },
          { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1], activation: 'linear' },
        );
      }
      const rows = tf.util.sizeFromShape(x.shape) / c;
      const sums = ops.run(
        tf.BatchMatMul,
        { a: ops.constant([1, 1, rows], new Float32Array(rows).fill(1)), b: ops.reshape(out, [1, rows, c]) },
        { transposeA: false, transposeB: false },
      );
      if (!(backend.readSync(sums.dataId) as Float32Array).every(Number.isFinite)) return own();
      return ops.keep(ops.reshape(out, [...x.shape]), [x]);
    });
  };
}

/** Whether `v` is a float32 per-channel vector of `x` (and `x` the larger): the case {@link channelKernel} takes. */
function perChannel(x: Info, v: Info): boolean {
  if (x.dtype !== 'float32' || v.dtype !== 'float32' || x.shape.length < 3) return false;
  const c = x.shape.at(-1)!;
  if (v.shape.length > x.shape.length || v.shape.at(-1) !== c || c === 0) return false;
  if (!v.shape.slice(0, -1).every((d) => d === 1)) return false;
  return tf.util.sizeFromShape(x.shape) > c;
}

export const multiply = channelKernel(tf.Multiply);
export const add = channelKernel(tf.Add);
export const sub = channelKernel(tf.Sub);
