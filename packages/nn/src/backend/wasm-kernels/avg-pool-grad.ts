import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { depthwiseConv2dNativeBackpropInput } from './conv-grads.js';
import { type KernelArgs, wasmKernelFunc, withOps } from './wasm-ops.js';

type Info = tf.TensorInfo;

/**
 * AvgPoolGrad as the input gradient of a depthwise convolution whose filter is 1/(kh·kw)
 * everywhere (the pool, with tfjs's average over the whole window at a `same` border): one
 * XNNPACK convolution, where the backend's own kernel loops over every window of every pixel
 * (2 ms for a 64×14×14×8 batch, twelve times the pool itself). Other dtypes go to the own kernel.
 */
export function avgPoolGrad(args: KernelArgs): Info {
  const { dy, input } = args.inputs as tf.AvgPoolGradInputs;
  const attrs = args.attrs as unknown as tf.AvgPoolGradAttrs;
  const $dy = dy as Info;
  const $x = input as Info;
  if ($dy.dtype !== 'float32' || $x.shape.length !== 4) return wasmKernelFunc(tf.AvgPoolGrad)(args) as Info;
  const [kh, kw] =
    typeof attrs.filterSize === 'number' ? [attrs.filterSize, attrs.filterSize] : attrs.filterSize;
  const c = $x.shape[3]!;
  const backend = args.backend as BackendWasm;
  return withOps(backend, (ops) => {
    const filter = ops.constant([kh, kw, c, 1], new Float32Array(kh * kw * c).fill(1 / (kh * kw)));
    const dx = depthwiseConv2dNativeBackpropInput({
      inputs: { dy: $dy, filter },
      backend,
      attrs: {
        strides: attrs.strides,
        pad: attrs.pad,
        dilations: 1,
        inputShape: $x.shape,
      } as unknown as tf.NamedAttrMap,
    });
    return ops.keep(dx, [$dy, $x]);
  });
}
