import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, wasmKernelFunc, withOps } from './wasm-ops.js';

type Info = tf.TensorInfo;

/**
 * BatchMatMul that keeps to XNNPACK's GEMM: the wasm backend uses it only for an untransposed
 * product of two single matrices and falls back to scalar loops otherwise, which is what every
 * dense layer's backward pass asks for (`x^T dy`, `dy W^T`). Here the transposes are done first
 * and a batch of matrices times one matrix is one tall product; true batched products (b with
 * a batch) still go to the backend's own kernel.
 */
export function batchMatMul(args: KernelArgs): Info {
  const { a, b } = args.inputs as tf.BatchMatMulInputs;
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  const $a = a as Info;
  const $b = b as Info;
  const own = wasmKernelFunc(tf.BatchMatMul);
  const batchA = tf.util.sizeFromShape($a.shape.slice(0, -2));
  const batchB = tf.util.sizeFromShape($b.shape.slice(0, -2));
  const fast = !transposeA && !transposeB && batchA === 1;
  if (fast || batchB !== 1 || $a.dtype !== 'float32' || $b.dtype !== 'float32') return own(args) as Info;
  const [a1 = 1, a2 = 1] = $a.shape.slice(-2);
  const [b1 = 1, b2 = 1] = $b.shape.slice(-2);
  const [m, k] = transposeA ? [a2, a1] : [a1, a2];
  const n = transposeB ? b1 : b2;
  if (k !== (transposeB ? b2 : b1)) return own(args) as Info; // it reports the mismatch
  const outer = tf.broadcast_util.assertAndGetBroadcastShape($a.shape.slice(0, -2), $b.shape.slice(0, -2));
  return withOps(args.backend as BackendWasm, (ops) => {
    const left = transposeA ? ops.transpose(ops.reshape($a, [batchA, k, m]), [0, 2, 1]) : $a;
    const right = transposeB ? ops.transpose(ops.reshape($b, [n, k]), [1, 0]) : $b;
    const out = ops.run(
      tf.BatchMatMul,
      { a: ops.reshape(left, [1, batchA * m, k]), b: ops.reshape(right, [1, k, n]) },
      { transposeA: false, transposeB: false },
    );
    return ops.keep(ops.reshape(out, [...outer, m, n]), [$a, $b]);
  });
}
