import * as tf from '@tensorflow/tfjs-core';
import { batchMatMul } from './wasm-kernels/batch-mat-mul.js';
import { add, multiply, sub } from './wasm-kernels/channel-broadcast.js';
import {
  conv2DBackpropFilter,
  conv2DBackpropInput,
  depthwiseConv2dNativeBackpropFilter,
  depthwiseConv2dNativeBackpropInput,
} from './wasm-kernels/conv-grads.js';
import { cast, identity } from './wasm-kernels/identity.js';
import { maxPoolGrad } from './wasm-kernels/max-pool-grad.js';
import { mean, sum } from './wasm-kernels/reduce.js';
import { keepOwnKernel } from './wasm-kernels/wasm-ops.js';

/**
 * Kernels for training on the wasm backend, each built from the backend's own XNNPACK
 * convolutions, pooling, GEMM and elementwise kernels. tfjs-backend-wasm 4.22 lacks the filter
 * gradients and the depthwise input gradient; its Conv2DBackpropInput, MaxPoolGrad, transposed
 * BatchMatMul and Sum/Mean over outer axes are scalar loops, several times slower than these; its
 * Identity and same-dtype Cast copy data the cpu backend shares. Cases ours do not speed up go to
 * the backend's own kernel.
 */
export const WASM_GRADIENT_KERNELS: readonly tf.KernelConfig[] = (
  [
    [tf.Conv2DBackpropFilter, conv2DBackpropFilter],
    [tf.Conv2DBackpropInput, conv2DBackpropInput],
    [tf.DepthwiseConv2dNativeBackpropFilter, depthwiseConv2dNativeBackpropFilter],
    [tf.DepthwiseConv2dNativeBackpropInput, depthwiseConv2dNativeBackpropInput],
    [tf.MaxPoolGrad, maxPoolGrad],
    [tf.BatchMatMul, batchMatMul],
    [tf.Sum, sum],
    [tf.Mean, mean],
    [tf.Multiply, multiply],
    [tf.Add, add],
    [tf.Sub, sub],
    [tf.Identity, identity],
    [tf.Cast, cast],
  ] as const
).map(([kernelName, kernelFunc]) => ({
  kernelName,
  backendName: 'wasm',
  kernelFunc: kernelFunc as tf.KernelFunc,
}));

/**
 * Registers {@link WASM_GRADIENT_KERNELS} for the `wasm` backend, replacing its own where it has
 * one (kept for the cases ours hand back). Idempotent; needs `@tensorflow/tfjs-backend-wasm`
 * imported first.
 */
export function registerWasmGradientKernels(): void {
  for (const config of WASM_GRADIENT_KERNELS) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing === undefined) {
      tf.registerKernel(config);
      continue;
    }
    keepOwnKernel(config.kernelName, existing.kernelFunc);
    tf.unregisterKernel(config.kernelName, 'wasm');
    // The backend runs setupFunc when it starts: the own kernel still needs its own.
    tf.registerKernel({ ...config, setupFunc: existing.setupFunc });
  }
}
