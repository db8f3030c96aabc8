import type { LayerInfo, Padding } from '@archlab/nn';
import { UnsupportedLayerError } from '../errors.js';
import { attributeTensor, type FloatTensor, type OnnxGraph } from './onnx-graph.js';

/**
 * How a value is laid out in the ONNX graph. Images are NCHW there (ONNX's convolutions and
 * pools take no other layout): the graph transposes archlab's NHWC input once at the start, and
 * back to NHWC before a `flatten`, whose order (channels fastest) the dense layer after it was
 * trained on. Everything else (kernels) is converted when written.
 */
export type Layout = 'nchw' | 'features';

/** A value of the graph: its ONNX name and layout. */
export interface OnnxValue {
  readonly name: string;
  readonly layout: Layout;
}

/** What an exporter gets for one layer. */
export interface LayerExport {
  readonly layer: LayerInfo;
  readonly inputs: readonly OnnxValue[];
  /** The ONNX name its result must have. */
  readonly output: string;
  /** The layer's tensor `param` (e.g. `kernel`), as `networkTensors` names it `LAYER/param`. */
  param(param: string): FloatTensor;
  readonly graph: OnnxGraph;
}

/** Writes one layer's nodes (the last one writing `output`) and returns the output's layout. */
export type LayerExporter = (step: LayerExport) => Layout;

const FORMAT = 'ONNX';

function unsupported(layer: LayerInfo, reason: string): never {
  throw new UnsupportedLayerError(FORMAT, layer.name, layer.kind, reason);
}

function attr(layer: LayerInfo, name: string): number {
  const v = layer.attrs[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    unsupported(layer, `has attribute ${name}=${String(v)}, not a whole number ≥ 1`);
  return v;
}

function image(step: LayerExport, i = 0): string {
  const v = step.inputs[i]!;
  if (v.layout !== 'nchw') unsupported(step.layer, 'needs an image input, got features');
  return v.name;
}

/**
 * ONNX `pads` ([top, left, bottom, right]) for tfjs's padding of a window of (effective) side
 * `size`: `same` pads to ⌈n / stride⌉ outputs with the odd pixel at the end (bottom, right),
 * as tfjs does; `valid` pads nothing.
 */
export function onnxPads(
  layer: LayerInfo,
  padding: Padding,
  size: number,
  stride: number,
): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') unsupported(layer, `has padding '${String(padding)}', not 'same' or 'valid'`);
  const [h, w] = layer.inputShape as [number, number];
  const split = (n: number) => {
    const total = Math.max((Math.ceil(n / stride) - 1) * stride + size - n, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)] as const;
  };
  const [top, bottom] = split(h);
  const [left, right] = split(w);
  return [top, left, bottom, right];
}

/** `data` of `shape` with its axes permuted: out axis i is input axis perm[i]. */
export function transpose(t: FloatTensor, perm: readonly number[]): FloatTensor {
  const shape = perm.map((p) => t.shape[p]!);
  const inStrides = strides(t.shape);
  const permStrides = perm.map((p) => inStrides[p]!);
  const out = new Float32Array(t.data.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let from = 0;
    for (let a = 0; a < shape.length; a++) from += index[a]! * permStrides[a]!;
    out[o] = t.data[from]!;
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++index[a]! < shape[a]!) break;
      index[a] = 0;
    }
  }
  return { shape, data: out };
}

function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let a = shape.length - 2; a >= 0; a--) s[a] = s[a + 1]! * shape[a + 1]!;
  return s;
}

/** A conv2d or depthwise_conv2d: tfjs's kernel `[k, k, in, m]` as ONNX's `[out, in / group, k, k]`. */
function convolution(step: LayerExport, depthwise: boolean): Layout {
  const { layer, graph } = step;
  const k = attr(layer, 'kernelSize');
  const stride = attr(layer, 'stride');
  const dilation = attr(layer, 'dilation');
  const cin = attr(layer, 'inChannels');
  const kernel = step.param(depthwise ? 'depthwise_kernel' : 'kernel');
  // conv2d: [k, k, in, out] → [out, in, k, k]. Depthwise: output channel c·m + j reads input
  // channel c with filter j, which is ONNX's grouped convolution with one group per input channel
  // and weights [in·m, 1, k, k].
  const w = depthwise
    ? (() => {
        const t = transpose(kernel, [2, 3, 0, 1]);
        return { shape: [t.shape[0]! * t.shape[1]!, 1, k, k], data: t.data };
      })()
    : transpose(kernel, [3, 2, 0, 1]);
  const inputs = [image(step), graph.constant(`${layer.name}/weight`, w)];
  if (layer.attrs.useBias === true) inputs.push(graph.constant(`${layer.name}/bias`, step.param('bias')));
  graph.node('Conv', inputs, [step.output], {
    kernel_shape: [k, k],
    strides: [stride, stride],
    dilations: [dilation, dilation],
    pads: onnxPads(layer, layer.attrs.padding as Padding, (k - 1) * dilation + 1, stride),
    group: depthwise ? cin : 1,
  });
  return 'nchw';
}

function pool(op: 'MaxPool' | 'AveragePool'): LayerExporter {
  return (step) => {
    const { layer } = step;
    const size = attr(layer, 'size');
    const stride = attr(layer, 'stride');
    step.graph.node(op, [image(step)], [step.output], {
      kernel_shape: [size, size],
      strides: [stride, stride],
      pads: onnxPads(layer, layer.attrs.padding as Padding, size, stride),
      // tfjs's average leaves out the padded pixels (PyTorch's count_include_pad=False).
      ...(op === 'AveragePool' && { count_include_pad: 0 }),
    });
    return 'nchw';
  };
}

/** Same layout as the (first) input. */
function elementwise(op: string): LayerExporter {
  return (step) => {
    const layout = step.inputs[0]!.layout;
    if (step.inputs.some((v) => v.layout !== layout)) unsupported(step.layer, 'mixes images and features');
    step.graph.node(
      op,
      step.inputs.map((v) => v.name),
      [step.output],
    );
    return layout;
  };
}

/**
 * One exporter per nn layer kind (`LayerInfo.kind`). A kind missing here (a layer added to nn
 * later) is an UnsupportedLayerError naming the op and the layer, before anything is written.
 */
export const ONNX_EXPORTERS: Readonly<Record<string, LayerExporter>> = {
  conv2d: (step) => convolution(step, false),
  depthwise_conv2d: (step) => convolution(step, true),
  batch_norm: (step) => {
    const { layer, graph } = step;
    const epsilon = layer.attrs.epsilon;
    if (typeof epsilon !== 'number' || !(epsilon > 0)) unsupported(layer, `has epsilon ${String(epsilon)}`);
    // Inference mode: the running statistics, as archlab's forward pass without `training`.
    const p = (name: string, param: string) => graph.constant(`${layer.name}/${name}`, step.param(param));
    graph.node(
      'BatchNormalization',
      [
        step.inputs[0]!.name,
        p('scale', 'gamma'),
        p('bias', 'beta'),
        p('mean', 'moving_mean'),
        p('var', 'moving_variance'),
      ],
      [step.output],
      { epsilon: { f: epsilon } },
    );
    return step.inputs[0]!.layout;
  },
  relu: elementwise('Relu'),
  add: (step) => elementwise(step.inputs.length === 2 ? 'Add' : 'Sum')(step),
  // NAS-Bench-201's `none` where its result is needed: exact zeros of the input's shape.
  zero: (step) => {
    const shape = step.graph.node('Shape', [step.inputs[0]!.name], [`${step.layer.name}/shape`]);
    step.graph.node('ConstantOfShape', shape, [step.output], {
      value: attributeTensor({ shape: [1], data: new Float32Array(1) }),
    });
    return step.inputs[0]!.layout;
  },
  flatten: (step) => {
    const x = step.inputs[0]!;
    // archlab flattens NHWC (channels fastest): back to NHWC first.
    const nhwc =
      x.layout === 'nchw'
        ? step.graph.node('Transpose', [x.name], [`${step.layer.name}/nhwc`], { perm: [0, 2, 3, 1] })[0]!
        : x.name;
    step.graph.node('Flatten', [nhwc], [step.output], { axis: 1 });
    return 'features';
  },
  global_avg_pool: (step) => {
    step.graph.node('ReduceMean', [image(step)], [step.output], { axes: [2, 3], keepdims: 0 });
    return 'features';
  },
  avg_pool: pool('AveragePool'),
  max_pool: pool('MaxPool'),
  dense: (step) => {
    const { layer, graph } = step;
    const x = step.inputs[0]!;
    if (x.layout !== 'features') unsupported(layer, 'needs a features input, got an image');
    const inputs = [x.name, graph.constant(`${layer.name}/kernel`, step.param('kernel'))];
    if (layer.attrs.useBias !== false) inputs.push(graph.constant(`${layer.name}/bias`, step.param('bias')));
    // Gemm: x [batch, in] · kernel [in, units] + bias, tfjs's kernel as it is.
    graph.node('Gemm', inputs, [step.output]);
    return 'features';
  },
};

/** The exporter of `layer`'s kind; an UnsupportedLayerError when there is none. */
export function onnxExporter(
  layer: LayerInfo,
  exporters: Readonly<Record<string, LayerExporter>> = ONNX_EXPORTERS,
): LayerExporter {
  const exporter = Object.hasOwn(exporters, layer.kind) ? exporters[layer.kind] : undefined;
  if (!exporter)
    unsupported(layer, `has no ONNX exporter (exportable: ${Object.keys(exporters).sort().join(', ')})`);
  return exporter;
}
