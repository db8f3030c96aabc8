import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, wasmKernelFunc } from './wasm-ops.js';

type Info = tf.TensorInfo;

// The wasm backend copies a tensor for Identity and for a Cast to its own dtype; the cpu backend
// shares the data (tensors are immutable), as these do. The engine clones every tensor a gradient
// keeps for the backward pass, and every ReLU gradient casts float32 to float32.

function share(x: Info, backend: BackendWasm): Info {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function identity(args: KernelArgs): Info {
  return share(args.inputs.x as Info, args.backend as BackendWasm);
}

export function cast(args: KernelArgs): Info {
  const x = args.inputs.x as Info;
  const { dtype } = args.attrs as unknown as tf.CastAttrs;
  if (dtype === x.dtype) return share(x, args.backend as BackendWasm);
  return wasmKernelFunc(tf.Cast)(args) as Info;
}
