import {
  describeNetwork,
  type NamedTensor,
  type Network,
  type NetworkDescription,
  networkTensors,
} from '@archlab/nn';
import { type LayerExporter, ONNX_EXPORTERS, type OnnxValue, onnxExporter } from './layer-exporters.js';
import { OnnxGraph } from './onnx-graph.js';

/** The names of the exported model's input and output. */
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'logits';

export interface OnnxExportOptions {
  /** The graph's name; default `archlab`. */
  readonly name?: string;
  /** Stored in the model's `metadata_props` (what the architecture is, how to normalise its input). */
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * The model takes pixel values in [0, 255] and normalises them first as training batches are,
   * `(v / 255 − mean[c]) / std[c]` per channel (mean and std on the [0, 1] scale); by default it
   * takes the normalised images, as `Network.apply` does.
   */
  readonly pixels?: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** The exporter of each layer kind; default ONNX_EXPORTERS. */
  readonly exporters?: Readonly<Record<string, LayerExporter>>;
}

/**
 * An ONNX model (opset 13) of a network in inference mode (batch norm on its running statistics),
 * with its current weights: input `input`, float32 NHWC images `[batch, h, w, c]` as
 * `Network.apply` takes them; output `logits`, `[batch, classes]`. A layer ONNX cannot express,
 * or whose kind has no exporter, is an UnsupportedLayerError naming the op and the layer.
 */
export function exportOnnx(network: Network, options: OnnxExportOptions = {}): Uint8Array {
  return onnxModel(describeNetwork(network), network.numClasses, networkTensors(network), options);
}

/**
 * The ONNX model of a network described by `description` whose weights are `tensors`, named
 * `LAYER/PARAM` as `networkTensors` and safetensors files name them (see `exportOnnx`).
 */
export function onnxModel(
  description: NetworkDescription,
  numClasses: number,
  tensors: readonly NamedTensor[],
  options: OnnxExportOptions = {},
): Uint8Array {
  const { layers, dataflow, inputShape } = description;
  // Every layer's exporter first: an unexportable network fails before any work.
  const exporters = layers.map((l) => onnxExporter(l, options.exporters ?? ONNX_EXPORTERS));
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const read = new Set(dataflow.flatMap((s) => s.inputs));
  const output = dataflow.find((s) => !read.has(s.output))?.output;
  if (output === undefined) throw new Error('the network has no layer writing its output');
  const graph = new OnnxGraph();
  const images = options.pixels ? normalise(graph, options.pixels, inputShape[2]) : ONNX_INPUT;
  const values = new Map<number, OnnxValue>([
    [
      0,
      { name: graph.node('Transpose', [images], ['input/nchw'], { perm: [0, 3, 1, 2] })[0]!, layout: 'nchw' },
    ],
  ]);
  dataflow.forEach((step, i) => {
    const layer = layers[i]!;
    const name = step.output === output ? ONNX_OUTPUT : layer.name;
    const layout = exporters[i]!({
      layer,
      inputs: step.inputs.map((id) => values.get(id)!),
      output: name,
      graph,
      param: (param) => {
        const t = byName.get(`${layer.name}/${param}`);
        if (!t) throw new Error(`the weights lack '${layer.name}/${param}'`);
        return t;
      },
    });
    values.set(step.output, { name, layout });
  });
  if (values.get(output)!.layout !== 'features') throw new Error("the network's output is not [classes]");
  return graph.encode({
    name: options.name ?? 'archlab',
    input: { name: ONNX_INPUT, shape: inputShape },
    output: { name: ONNX_OUTPUT, shape: [numClasses] },
    ...(options.metadata && { metadata: options.metadata }),
  });
}

/** `input · a − b` per channel (the last axis of NHWC), a = 1 / (255·std), b = mean / std. */
function normalise(
  graph: OnnxGraph,
  { mean, std }: NonNullable<OnnxExportOptions['pixels']>,
  channels: number,
): string {
  if (mean.length !== channels || std.length !== channels || !std.every((s) => s > 0)) {
    throw new RangeError(`pixel normalisation needs ${channels} means and positive standard deviations`);
  }
  const scale = graph.constant('input/scale', {
    shape: [channels],
    data: Float32Array.from(std, (s) => 1 / (255 * s)),
  });
  const shift = graph.constant('input/shift', {
    shape: [channels],
    data: Float32Array.from(mean, (m, c) => m / std[c]!),
  });
  const scaled = graph.node('Mul', [ONNX_INPUT, scale], ['input/scaled']);
  return graph.node('Sub', [scaled[0]!, shift], ['input/normalised'])[0]!;
}
