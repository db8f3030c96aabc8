import { lazyRequire } from '@archlab/core';
import type onnxProto from 'onnx-proto';

/**
 * protobufjs and the ONNX schema (~70 ms), loaded when a graph is first built: the CLI loads this
 * package with every command that loads the plugins, and only `export-model` encodes.
 */
const onnxModule = lazyRequire<typeof onnxProto>(import.meta.url, 'onnx-proto');

/** The ONNX opset the exporters write: ops as they are from opset 13 (ReduceMean's `axes` an attribute). */
export const ONNX_OPSET = 13;
/** IR version 7 is what opset 13 came with; runtimes from onnxruntime 1.6 on read it. */
const IR_VERSION = 7;

type AttributeValue = number | readonly number[] | string | onnxProto.onnx.ITensorProto;

/** A float32 tensor, row-major. */
export interface FloatTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * Collects the nodes and initializers of one ONNX graph, in the order they are added (which is
 * topological as long as each node only reads earlier outputs), and encodes the model.
 */
export class OnnxGraph {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();

  /** Adds a node; `attrs` are ints, int lists, floats (`{ f: x }`), strings or tensors. Returns its outputs. */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs: Readonly<Record<string, AttributeValue | { readonly f: number }>> = {},
  ): readonly string[] {
    for (const o of outputs) this.claim(o);
    this.nodes.push({
      opType,
      name: `${outputs[0]}:${opType}`,
      input: [...inputs],
      output: [...outputs],
      attribute: Object.entries(attrs).map(([name, v]) => attribute(name, v)),
    });
    return outputs;
  }

  /** Adds a float32 constant (a weight) named `name`; returns the name. */
  constant(name: string, t: FloatTensor): string {
    this.claim(name);
    this.initializers.push(floatTensor(name, t));
    return name;
  }

  /** The model: NHWC float32 `input` of the given shape with a free batch size, `output` of `[batch, outFeatures]`. */
  encode(spec: {
    readonly name: string;
    readonly input: { readonly name: string; readonly shape: readonly number[] };
    readonly output: { readonly name: string; readonly shape: readonly number[] };
    readonly metadata?: Readonly<Record<string, string>>;
    readonly producerVersion?: string;
  }): Uint8Array {
    const model: onnxProto.onnx.IModelProto = {
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: 'archlab',
      producerVersion: spec.producerVersion ?? '',
      graph: {
        name: spec.name,
        node: this.nodes,
        initializer: this.initializers,
        input: [valueInfo(spec.input.name, spec.input.shape)],
        output: [valueInfo(spec.output.name, spec.output.shape)],
      },
      metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
    };
    const { ModelProto } = onnxModule().onnx;
    return ModelProto.encode(ModelProto.create(model)).finish();
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`ONNX graph: the value name '${name}' is used twice`);
    this.names.add(name);
  }
}

function valueInfo(name: string, shape: readonly number[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnxModule().onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: 'batch' }, ...shape.map((d) => ({ dimValue: d }))] },
      },
    },
  };
}

function floatTensor(name: string, t: FloatTensor): onnxProto.onnx.ITensorProto {
  // raw_data is little-endian, as a Float32Array is on every platform Node runs on.
  return {
    name,
    dims: [...t.shape],
    dataType: onnxModule().onnx.TensorProto.DataType.FLOAT,
    rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
  };
}

function attribute(name: string, v: AttributeValue | { readonly f: number }): onnxProto.onnx.IAttributeProto {
  const T = onnxModule().onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: [...(v as number[])] };
  if ('f' in v && typeof v.f === 'number') return { name, type: T.FLOAT, f: v.f };
  return { name, type: T.TENSOR, t: v as onnxProto.onnx.ITensorProto };
}

/** A float32 tensor proto for an attribute (ConstantOfShape's `value`). */
export function attributeTensor(t: FloatTensor): onnxProto.onnx.ITensorProto {
  return floatTensor('', t);
}
