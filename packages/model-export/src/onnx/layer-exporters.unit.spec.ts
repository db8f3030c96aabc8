import { initBackend, type LayerInfo, type Network, NetworkBuilder } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedLayerError } from '../errors.js';
import { exportOnnx } from './export-onnx.js';
import { ONNX_EXPORTERS, onnxPads, transpose } from './layer-exporters.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const nets: Network[] = [];
afterAll(() => {
  for (const n of nets) n.dispose();
});

function conv(inputShape: number[]): LayerInfo {
  return { name: 'c', kind: 'conv2d', inputShape, outputShape: [], attrs: {}, params: 0, flops: 0 };
}

describe('onnxPads: tfjs padding as ONNX pads [top, left, bottom, right]', () => {
  it.each([
    // 15 → ⌈15/2⌉ = 8 outputs need (8−1)·2 + 3 = 17 pixels: 2 padded, one each side.
    [[15, 15, 1], 3, 2, [1, 1, 1, 1]],
    // 14 → 7 outputs need 15 pixels: the one padded pixel goes at the end, as tfjs puts it.
    [[14, 14, 1], 3, 2, [0, 0, 1, 1]],
    // A 2×2 stride-2 pool on 9×8: 5 rows need 10 (1 at the bottom), 4 columns need 8 (none).
    [[9, 8, 1], 2, 2, [0, 0, 1, 0]],
    // A 3×3 kernel of dilation 2 covers 5 pixels: 4 padded at stride 1, two each side.
    [[7, 7, 1], 5, 1, [2, 2, 2, 2]],
    // A 1×1 stride-2 window on 5: 3 outputs need 5 pixels, nothing padded.
    [[5, 5, 1], 1, 2, [0, 0, 0, 0]],
    // 5×5 stride 1 on 4×6: 4 padded each way, two each side.
    [[4, 6, 1], 5, 1, [2, 2, 2, 2]],
  ])('same: %j with window %i and stride %i → %j', (shape, size, stride, pads) => {
    expect(onnxPads(conv(shape), 'same', size, stride)).toEqual(pads);
  });

  it('valid pads nothing; another padding is an UnsupportedLayerError naming the layer', () => {
    expect(onnxPads(conv([9, 9, 1]), 'valid', 3, 2)).toEqual([0, 0, 0, 0]);
    expect(() => onnxPads(conv([9, 9, 1]), 'reflect' as 'same', 3, 1)).toThrow(
      "cannot export layer 'c' to ONNX: op 'conv2d' has padding 'reflect', not 'same' or 'valid'",
    );
  });
});

describe('transpose', () => {
  it('permutes axes: out[i][j] = in[j][i] for a 2×3 matrix', () => {
    const t = transpose({ shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }, [1, 0]);
    expect(t.shape).toEqual([3, 2]);
    expect([...t.data]).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it("turns tfjs's kernel [kh, kw, in, out] into ONNX's [out, in, kh, kw]", () => {
    const [kh, kw, cin, cout] = [2, 3, 2, 4];
    const data = Float32Array.from({ length: kh * kw * cin * cout }, (_, i) => i);
    const t = transpose({ shape: [kh, kw, cin, cout], data }, [3, 2, 0, 1]);
    expect(t.shape).toEqual([cout, cin, kh, kw]);
    for (let o = 0; o < cout; o++)
      for (let c = 0; c < cin; c++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) {
            expect(t.data[((o * cin + c) * kh + y) * kw + x]).toBe(data[((y * kw + x) * cin + c) * cout + o]);
          }
  });
});

describe('exportOnnx', () => {
  function small(seed: number): Network {
    const net = NetworkBuilder.buildFrom([6, 6, 2], seed, (b) =>
      b.dense(
        'dense',
        b.globalAvgPool('gap', b.relu('relu', b.conv2d('conv', b.input, { kernelSize: 3, filters: 4 }))),
        {
          units: 3,
        },
      ),
    );
    nets.push(net);
    return net;
  }

  it("has an exporter for the kind of every layer a GraphBuilder's methods add, and for no other", () => {
    const net = NetworkBuilder.buildFrom([8, 8, 2], 0, (b) => {
      const x = b.relu('relu', b.batchNorm('bn', b.conv2d('conv', b.input, { kernelSize: 3, filters: 2 })));
      const y = b.depthwiseConv2d('dw', x, { kernelSize: 3 });
      const pooled = b.avgPool(
        'avg',
        b.maxPool('max', b.add('add', [x, y, b.zeros('zeros', x)]), { size: 2 }),
        {
          size: 2,
        },
      );
      const head = b.add('heads', [
        b.dense('d1', b.flatten('flatten', pooled), { units: 2 }),
        b.globalAvgPool('gap', y),
      ]);
      return b.dense('dense', head, { units: 3 });
    });
    nets.push(net);
    expect(new Set(net.layers().map((l) => l.kind))).toEqual(new Set(Object.keys(ONNX_EXPORTERS)));
  });

  it('writes the same bytes for the same weights, with opset 13, the shapes and the metadata', () => {
    const a = exportOnnx(small(1), { metadata: { 'archlab.arch': 'x' } });
    expect(
      Buffer.from(exportOnnx(small(1), { metadata: { 'archlab.arch': 'x' } })).equals(Buffer.from(a)),
    ).toBe(true);
    expect(Buffer.from(exportOnnx(small(2))).equals(Buffer.from(a))).toBe(false);
    const model = onnxProto.onnx.ModelProto.decode(a);
    expect(model.opsetImport.map((o) => Number(o.version))).toEqual([13]);
    expect(model.metadataProps.map((p) => [p.key, p.value])).toEqual([['archlab.arch', 'x']]);
    const dims = (v: onnxProto.onnx.IValueInfoProto) =>
      v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(dims(model.graph!.input[0]!)).toEqual(['batch', 6, 6, 2]);
    expect(dims(model.graph!.output[0]!)).toEqual(['batch', 3]);
    expect(model.graph!.node.map((n) => n.opType)).toEqual([
      'Transpose',
      'Conv',
      'Relu',
      'ReduceMean',
      'Gemm',
    ]);
  });

  it('refuses a layer kind without an exporter, naming the op and the layer, before writing anything', () => {
    const net = NetworkBuilder.buildFrom([4, 4, 1], 0, (b) => {
      const x = b.conv2d('stem', b.input, { kernelSize: 3, filters: 2 });
      const act = b.layer('stage1.act', [x], (ctx, [shape]) => ({
        info: {
          name: ctx.name,
          kind: 'gelu',
          inputShape: shape!,
          outputShape: shape!,
          attrs: {},
          params: 0,
          flops: 0,
        },
        variables: [],
        buffers: [],
        apply: (inputs) => tf.mul(inputs[0]!, tf.sigmoid(tf.mul(inputs[0]!, 1.702))),
      }));
      return b.dense('dense', b.flatten('flatten', act), { units: 2 });
    });
    nets.push(net);
    let error: unknown;
    try {
      exportOnnx(net);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(UnsupportedLayerError);
    expect((error as UnsupportedLayerError).code).toBe('UNSUPPORTED_LAYER');
    expect((error as Error).message).toBe(
      "cannot export layer 'stage1.act' to ONNX: op 'gelu' has no ONNX exporter (exportable: add, avg_pool, batch_norm, conv2d, dense, depthwise_conv2d, flatten, global_avg_pool, max_pool, relu, zero)",
    );
  });
});
