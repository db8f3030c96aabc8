import * as tf from '@tensorflow/tfjs-core';
import {
  conv2DBackpropFilter,
  conv2DBackpropInput,
  depthwiseConv2dNativeBackpropFilter,
  depthwiseConv2dNativeBackpropInput,
} from './wasm-kernels/conv-grads.js';

/**
 * Gradient kernels for the wasm backend, each built from XNNPACK convolutions and wasm
 * transposes/pads. tfjs-backend-wasm 4.22 lacks the filter gradients and the depthwise input
 * gradient; its own Conv2DBackpropInput is a scalar loop, about ten times slower than this one.
 */
export const WASM_GRADIENT_KERNELS: readonly tf.KernelConfig[] = [
  {
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'wasm',
    kernelFunc: conv2DBackpropFilter as tf.KernelFunc,
  },
  {
    kernelName: tf.Conv2DBackpropInput,
    backendName: 'wasm',
    kernelFunc: conv2DBackpropInput as tf.KernelFunc,
  },
  {
    kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
    backendName: 'wasm',
    kernelFunc: depthwiseConv2dNativeBackpropFilter as tf.KernelFunc,
  },
  {
    kernelName: tf.DepthwiseConv2dNativeBackpropInput,
    backendName: 'wasm',
    kernelFunc: depthwiseConv2dNativeBackpropInput as tf.KernelFunc,
  },
];

/**
 * Registers {@link WASM_GRADIENT_KERNELS} for the `wasm` backend, replacing its own where it has
 * one. Idempotent; needs `@tensorflow/tfjs-backend-wasm` imported first.
 */
export function registerWasmGradientKernels(): void {
  for (const config of WASM_GRADIENT_KERNELS) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
}
