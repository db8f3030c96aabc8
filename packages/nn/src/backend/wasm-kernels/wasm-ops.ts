import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

type Info = tf.TensorInfo;

/** What a kernel function is called with. */
export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: object; attrs?: tf.NamedAttrMap };
type Attrs = tf.NamedAttrMap;
type Pair = [number, number];

// The wasm backend's own kernels, kept when ours replace them. On the global object, like tfjs's
// kernel registry, so that two copies of this module (sources and build) share them.
const OWN_KEY = Symbol.for('archlab.wasm-own-kernels');
const globals = globalThis as { [OWN_KEY]?: Map<string, tf.KernelFunc> };
globals[OWN_KEY] ??= new Map();
const own = globals[OWN_KEY];

/** Records the wasm backend's own `name` kernel before one of ours replaces it. */
export function keepOwnKernel(name: string, func: tf.KernelFunc): void {
  if (!own.has(name)) own.set(name, func);
}

/** The wasm backend's own kernel function for `name`. */
export function wasmKernelFunc(name: string): tf.KernelFunc {
  let func = own.get(name);
  if (func === undefined) {
    const config = tf.getKernel(name, 'wasm');
    if (config === undefined) throw new Error(`the wasm backend has no ${name} kernel`);
    func = config.kernelFunc;
    own.set(name, func);
  }
  return func;
}

/**
 * Runs wasm kernels (XNNPACK convolutions, transposes, pads...) from inside another kernel.
 * Every output is a temporary released by {@link WasmOps.dispose} unless handed on with
 * {@link WasmOps.keep}; reshapes are views that share their input's data.
 */
export class WasmOps {
  private readonly temps: Info[] = [];

  constructor(readonly backend: BackendWasm) {}

  run(name: string, inputs: tf.NamedTensorInfoMap, attrs: Attrs = {}): Info {
    const out = wasmKernelFunc(name)({ inputs, backend: this.backend, attrs }) as Info;
    this.temps.push(out);
    return out;
  }

  /** A view of `x` with another shape of the same size (no copy). */
  reshape(x: Info, shape: number[]): Info {
    return { dataId: x.dataId, shape, dtype: x.dtype };
  }

  transpose(x: Info, perm: number[]): Info {
    return perm.every((p, i) => p === i) ? x : this.run(tf.Transpose, { x }, { perm });
  }

  /** `x[begin : end]` along every axis, or `x` itself when that is all of it. */
  slice(x: Info, begin: number[], end: number[]): Info {
    if (begin.every((b, i) => b === 0 && end[i] === x.shape[i])) return x;
    const strides = begin.map(() => 1);
    return this.run(
      tf.StridedSlice,
      { x },
      { begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 },
    );
  }

  pad(x: Info, paddings: Pair[], constantValue = 0): Info {
    if (paddings.every(([a, b]) => a === 0 && b === 0)) return x;
    return this.run(tf.PadV2, { x }, { paddings, constantValue });
  }

  /** A float32 tensor holding `values`. */
  constant(shape: number[], values: Float32Array): Info {
    const out = this.backend.makeOutput(shape, 'float32', undefined, values);
    this.temps.push(out);
    return out;
  }

  concat(tensors: Info[], axis: number): Info {
    return this.run(tf.Concat, tensors as unknown as tf.NamedTensorInfoMap, { axis });
  }

  sub(a: Info, b: Info): Info {
    return this.run(tf.Sub, { a, b });
  }

  mul(a: Info, b: Info): Info {
    return this.run(tf.Multiply, { a, b });
  }

  /** `x > 0 ? 1 : alpha`, elementwise. */
  step(x: Info, alpha: number): Info {
    return this.run(tf.Step, { x }, { alpha });
  }

  /** NHWC max pooling over `[kh, kw]` windows with the same stride, no padding. */
  maxPool(x: Info, [kh, kw]: Pair): Info {
    return this.run(tf.MaxPool, { x }, { filterSize: [kh, kw], strides: [kh, kw], pad: 'valid' });
  }

  reverse(x: Info, dims: number[]): Info {
    return this.run(tf.Reverse, { x }, { dims });
  }

  sum(x: Info, axis: number[]): Info {
    return this.run(tf.Sum, { x }, { axis, keepDims: false });
  }

  zeros(shape: number[]): Info {
    return this.run(tf.Fill, {}, { shape, value: 0, dtype: 'float32' });
  }

  /** NHWC convolution with explicit padding `[[top, bottom], [left, right]]`. */
  conv2d(x: Info, filter: Info, strides: Pair, dilations: Pair, pad: [Pair, Pair]): Info {
    return this.run(tf.Conv2D, { x, filter }, { strides, dilations, pad: explicit(pad), dataFormat: 'NHWC' });
  }

  /** NHWC depthwise convolution with explicit padding `[[top, bottom], [left, right]]`. */
  depthwiseConv2d(x: Info, filter: Info, strides: Pair, dilations: Pair, pad: [Pair, Pair]): Info {
    return this.run(
      tf.DepthwiseConv2dNative,
      { x, filter },
      { strides, dilations, pad: explicit(pad), dataFormat: 'NHWC' },
    );
  }

  /**
   * Hands `out` to the caller instead of disposing it. An output that shares its data with an
   * input of the kernel (a reshape of it) gets its own reference. Always a plain TensorInfo: the
   * engine would take an input Tensor handed back as is, without counting the reference.
   */
  keep(out: Info, inputs: readonly Info[]): Info {
    const index = this.temps.findIndex((t) => t.dataId === out.dataId);
    if (index >= 0) this.temps.splice(index, 1);
    else if (inputs.some((t) => t.dataId === out.dataId)) this.backend.incRef(out.dataId);
    return { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
  }

  dispose(): void {
    for (const t of this.temps.splice(0)) this.backend.disposeData(t.dataId);
  }
}

function explicit([[top, bottom], [left, right]]: [Pair, Pair]): tf.backend_util.ExplicitPadding {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/** Runs `body` with a fresh {@link WasmOps}, releasing every temporary it did not keep. */
export function withOps(backend: BackendWasm, body: (ops: WasmOps) => Info): Info {
  const ops = new WasmOps(backend);
  try {
    return body(ops);
  } finally {
    ops.dispose();
  }
}

/**
 * Which rows `[lo, hi)` of an axis of length `n` a convolution reads, as the part of the axis to
 * keep (`begin`, `end`) and the zero padding to add before and after it.
 */
export interface Window {
  readonly begin: number;
  readonly end: number;
  readonly before: number;
  readonly after: number;
}

export function window(n: number, lo: number, hi: number): Window {
  return {
    begin: Math.max(0, lo),
    end: Math.min(n, hi),
    before: Math.max(0, -lo),
    after: Math.max(0, hi - Math.max(n, lo)),
  };
}

export function isEmpty(w: Window): boolean {
  return w.end <= w.begin;
}
