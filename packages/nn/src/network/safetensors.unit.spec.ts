import { DataError } from '@archlab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/backend.js';
import type { Network } from './network.js';
import { NetworkBuilder } from './network-builder.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  loadNetworkWeights,
  networkTensors,
  networkWeights,
} from './safetensors.js';

const tensors = [
  { name: 'conv/kernel', shape: [3, 3, 1, 2], data: Float32Array.from({ length: 18 }, (_, i) => i / 7 - 1) },
  { name: 'conv/bias', shape: [2], data: Float32Array.from([0.5, -0.25]) },
];

describe('safetensors', () => {
  it('writes the format: u64 header length, JSON header with byte ranges, data 8-byte aligned', () => {
    const bytes = encodeSafetensors(tensors, { arch: 'a|b' });
    const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + length) % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8'));
    expect(header).toEqual({
      __metadata__: { arch: 'a|b' },
      'conv/kernel': { dtype: 'F32', shape: [3, 3, 1, 2], data_offsets: [0, 72] },
      'conv/bias': { dtype: 'F32', shape: [2], data_offsets: [72, 80] },
    });
    expect(bytes.byteLength).toBe(8 + length + 80);
    // Little-endian float32, as the format says.
    expect(new DataView(bytes.buffer).getFloat32(8 + length + 72, true)).toBe(0.5);
  });

  it('reads back what it wrote, exactly', () => {
    const { tensors: back, metadata } = decodeSafetensors(encodeSafetensors(tensors, { arch: 'x' }));
    expect(metadata).toEqual({ arch: 'x' });
    expect(back).toEqual(tensors);
  });

  it('rejects a tensor whose values do not fill its shape, and a name used twice', () => {
    expect(() => encodeSafetensors([{ name: 'w', shape: [3], data: new Float32Array(2) }])).toThrow(
      /'w' has 2 values, not shape \[3\]/,
    );
    expect(() => encodeSafetensors([tensors[1]!, tensors[1]!])).toThrow(/'conv\/bias' is used twice/);
  });

  it.each([
    ['too short', new Uint8Array(4), /shorter than its 8-byte header length/],
    ['a header past the end', Uint8Array.from([200, 0, 0, 0, 0, 0, 0, 0, 123]), /runs past the end/],
    ['a header that is not JSON', Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 123]), /not JSON/],
  ])('says what is wrong with a file that is %s', (_, bytes, message) => {
    expect(() => decodeSafetensors(bytes)).toThrow(DataError);
    expect(() => decodeSafetensors(bytes)).toThrow(message);
  });
});

describe('loadNetworkWeights', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  const build = (seed: number, filters = 2) =>
    NetworkBuilder.buildFrom([4, 4, 1], seed, (b) =>
      b.dense(
        'dense',
        b.globalAvgPool('gap', b.batchNorm('bn', b.conv2d('conv', b.input, { kernelSize: 3, filters }))),
        {
          units: 3,
        },
      ),
    );
  const values = (net: Network) => networkTensors(net).map((t) => [t.name, [...t.data]]);

  it("sets a network's weights and buffers to those networkWeights wrote", () => {
    const [a, b] = [build(1), build(2)];
    try {
      expect(values(b)).not.toEqual(values(a));
      loadNetworkWeights(b, networkWeights(a));
      expect(values(b)).toEqual(values(a));
      expect(networkTensors(b).map((t) => t.name)).toEqual([
        'conv/kernel',
        'bn/gamma',
        'bn/beta',
        'dense/kernel',
        'dense/bias',
        'bn/moving_mean',
        'bn/moving_variance',
      ]);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it("refuses another architecture's weights with a DataError, leaving the network as it was", () => {
    const [net, wider] = [build(1), build(1, 3)];
    try {
      const before = values(net);
      const other = networkWeights(wider);
      expect(() => loadNetworkWeights(net, other)).toThrow(DataError);
      expect(() => loadNetworkWeights(net, other)).toThrow(
        "the weights' 'conv/kernel' is [3, 3, 1, 3], the network's [3, 3, 1, 2]: they are another architecture's",
      );
      const { tensors } = decodeSafetensors(networkWeights(net));
      expect(() => loadNetworkWeights(net, encodeSafetensors(tensors.slice(1)))).toThrow(
        "the weights lack 'conv/kernel': they are another architecture's",
      );
      expect(() =>
        loadNetworkWeights(
          net,
          encodeSafetensors([...tensors, { name: 'x/w', shape: [1], data: new Float32Array(1) }]),
        ),
      ).toThrow("the weights hold 'x/w', which this network has not: they are another architecture's");
      expect(values(net)).toEqual(before);
    } finally {
      net.dispose();
      wider.dispose();
    }
  });
});
