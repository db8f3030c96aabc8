import { ConfigError, Rng } from '@archlab/core';
import { neighbourWalk } from '@archlab/core/testing';
import { describeNetwork, gradientProblems, initBackend, type LayerInfo, type Network } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Mbv3Arch, Mbv3NetworkConfig } from './mbv3-arch.js';
import {
  buildMbv3Network,
  describeMbv3Network,
  mbv3CheapestArchitecture,
  mbv3NetworkConfig,
  spaceNetwork,
} from './mbv3-network.js';
import { mbv3Space, SMALL_MBV3_OPTIONS } from './mbv3-space.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const tiny: Mbv3NetworkConfig = {
  inputChannels: 1,
  stem: 4,
  stemStride: 2,
  widths: [4, 8],
  strides: [1, 2],
  final: 16,
  numClasses: 10,
};

/** Resolution 8; stage 1: one block (3×3, ratio 2); stage 2: two blocks (5×5 ratio 3, 3×3 ratio 1). */
const tinyArch: Mbv3Arch = {
  resolution: 8,
  stages: [
    [{ kernel: 3, expand: 2 }],
    [
      { kernel: 5, expand: 3 },
      { kernel: 3, expand: 1 },
    ],
  ],
};

describe('buildMbv3Network', () => {
  it('has the documented layers, with params and FLOPs counted by hand', () => {
    const net = buildMbv3Network(tinyArch, { ...tiny, seed: 0 });
    const rows = net.layers().map((l) => [l.name, l.kind, l.outputShape.join('×'), l.params, l.flops]);
    expect(rows).toEqual([
      // 8×8×1 → stride 2 → 4×4
      ['stem.conv', 'conv2d', '4×4×4', 9 * 4, 16 * 4 * 9],
      ['stem.bn', 'batch_norm', '4×4×4', 8, 0],
      ['stem.relu', 'relu', '4×4×4', 0, 0],
      // 4 → 8 hidden channels, back to 4: stride 1 and equal widths, so the input is added
      ['s1.b1.expand', 'conv2d', '4×4×8', 4 * 8, 16 * 8 * 4],
      ['s1.b1.expand_bn', 'batch_norm', '4×4×8', 16, 0],
      ['s1.b1.expand_relu', 'relu', '4×4×8', 0, 0],
      ['s1.b1.dw', 'depthwise_conv2d', '4×4×8', 9 * 8, 16 * 8 * 9],
      ['s1.b1.dw_bn', 'batch_norm', '4×4×8', 16, 0],
      ['s1.b1.dw_relu', 'relu', '4×4×8', 0, 0],
      ['s1.b1.project', 'conv2d', '4×4×4', 8 * 4, 16 * 4 * 8],
      ['s1.b1.project_bn', 'batch_norm', '4×4×4', 8, 0],
      ['s1.b1.add', 'add', '4×4×4', 0, 0],
      // 4 → 12 hidden, 5×5 depthwise with the stage's stride 2: no residual
      ['s2.b1.expand', 'conv2d', '4×4×12', 4 * 12, 16 * 12 * 4],
      ['s2.b1.expand_bn', 'batch_norm', '4×4×12', 24, 0],
      ['s2.b1.expand_relu', 'relu', '4×4×12', 0, 0],
      ['s2.b1.dw', 'depthwise_conv2d', '2×2×12', 25 * 12, 4 * 12 * 25],
      ['s2.b1.dw_bn', 'batch_norm', '2×2×12', 24, 0],
      ['s2.b1.dw_relu', 'relu', '2×2×12', 0, 0],
      ['s2.b1.project', 'conv2d', '2×2×8', 12 * 8, 4 * 8 * 12],
      ['s2.b1.project_bn', 'batch_norm', '2×2×8', 16, 0],
      // ratio 1: no expand layers
      ['s2.b2.dw', 'depthwise_conv2d', '2×2×8', 9 * 8, 4 * 8 * 9],
      ['s2.b2.dw_bn', 'batch_norm', '2×2×8', 16, 0],
      ['s2.b2.dw_relu', 'relu', '2×2×8', 0, 0],
      ['s2.b2.project', 'conv2d', '2×2×8', 8 * 8, 4 * 8 * 8],
      ['s2.b2.project_bn', 'batch_norm', '2×2×8', 16, 0],
      ['s2.b2.add', 'add', '2×2×8', 0, 0],
      ['head.conv', 'conv2d', '2×2×16', 8 * 16, 4 * 16 * 8],
      ['head.bn', 'batch_norm', '2×2×16', 32, 0],
      ['head.relu', 'relu', '2×2×16', 0, 0],
      ['head.pool', 'global_avg_pool', '16', 0, 0],
      ['head.dense', 'dense', '10', 16 * 10 + 10, 16 * 10 + 10],
    ]);
    expect(net.inputShape).toEqual([8, 8, 1]);
    expect(net.paramCount()).toBe(1226);
    expect(net.flops()).toBe(6330);
    expect(net.variables.reduce((n, v) => n + v.size, 0)).toBe(net.paramCount());
    // The description lists the same network without building it.
    expect(describeMbv3Network(tinyArch, tiny)).toEqual(describeNetwork(net));
    net.dispose();
  });

  it('takes the resolution of the architecture and gives logits for each image; trains without leaks', () => {
    const before = tf.memory().numTensors;
    const space = mbv3Space({ widths: '4,8,8,8', final: 16 });
    const arch = space.parse('r20-k35e34-k77e66-k333e346-k55e33');
    const net = buildMbv3Network(arch, { ...mbv3NetworkConfig(space.config, { numClasses: 3 }), seed: 4 });
    expect(net.inputShape).toEqual([20, 20, 1]);
    const x = tf.tidy(() => tf.randomUniform([3, 20, 20, 1], 0, 1, 'float32', 1) as tf.Tensor4D);
    const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3));
    const y = net.apply(x);
    expect(y.shape).toEqual([3, 3]);
    expect(gradientProblems(net, x, labels)).toEqual([]);
    tf.dispose([x, y, labels]);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is deterministic in its seed, and builds depths beyond the space choices (compound scaling)', () => {
    const deep: Mbv3Arch = {
      resolution: 12,
      stages: [Array.from({ length: 6 }, () => ({ kernel: 3, expand: 6 })), [{ kernel: 9, expand: 1 }]],
    };
    const x = tf.tidy(() => tf.randomUniform([2, 12, 12, 1], 0, 1, 'float32', 3) as tf.Tensor4D);
    const out = (n: Network) => tf.tidy(() => Array.from(n.apply(x).dataSync()));
    const [a, b] = [
      buildMbv3Network(deep, { ...tiny, seed: 7 }),
      buildMbv3Network(deep, { ...tiny, seed: 7 }),
    ];
    expect(a.layers().filter((l) => l.name.startsWith('s1.') && l.name.endsWith('.dw'))).toHaveLength(6);
    expect(out(a)).toEqual(out(b));
    const c = buildMbv3Network(deep, { ...tiny, seed: 8 });
    expect(out(c)).not.toEqual(out(a));
    for (const n of [a, b, c]) n.dispose();
    x.dispose();
  });

  it('refuses a configuration that does not fit the architecture, with a typed error', () => {
    const before = tf.memory().numTensors;
    expect(() => buildMbv3Network(tinyArch, { ...tiny, widths: [4], strides: [1], seed: 0 })).toThrow(
      ConfigError,
    );
    expect(() => describeMbv3Network(tinyArch, { ...tiny, widths: [4], strides: [1] })).toThrow(
      'mbv3 network: the architecture has 2 stages, the network 1',
    );
    expect(() => describeMbv3Network(tinyArch, { ...tiny, strides: [1] })).toThrow(/one entry per stage/);
    expect(() => describeMbv3Network({ ...tinyArch, stages: [[], tinyArch.stages[1]!] }, tiny)).toThrow(
      'mbv3 network: stage 1 has no blocks',
    );
    expect(() =>
      describeMbv3Network({ ...tinyArch, stages: [[{ kernel: 4, expand: 1 }], tinyArch.stages[1]!] }, tiny),
    ).toThrow(/kernel 4 is not odd/);
    expect(() => describeMbv3Network(tinyArch, { ...tiny, final: 0 })).toThrow(
      /final must be a whole number/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('the mbv3 space network', () => {
  it("builds an architecture's network at its resolution with the data's channels and classes", () => {
    const net = spaceNetwork.build(
      'r24-k33e33-k33e33-k33e33-k33e33',
      {},
      {
        inputShape: [28, 28, 3],
        numClasses: 5,
        seed: 1,
      },
    );
    expect(net.inputShape).toEqual([24, 24, 3]);
    expect(net.numClasses).toBe(5);
    net.dispose();
    const space = mbv3Space({ resolutions: '32,16' });
    // The data's shape by default (Fashion-MNIST's), not a network's
    expect(spaceNetwork.inputShape(space)).toEqual([28, 28, 1]);
    expect(spaceNetwork.inputShape(mbv3Space({ channels: 3 }))).toEqual([28, 28, 3]);
    const d = spaceNetwork.describe(space, space.parse('r16-k33e33-k33e33-k33e33-k33e33'), {
      inputShape: [32, 32, 1],
      numClasses: 10,
    });
    expect(d.inputShape).toEqual([16, 16, 1]);
  });

  it('finds the architecture of least total cost exactly: the same as trying every one', () => {
    const space = mbv3Space(SMALL_MBV3_OPTIONS);
    const network = mbv3NetworkConfig(space.config, { numClasses: 10 });
    // A seeded cost per distinct operation, so that larger kernels or ratios are sometimes cheaper.
    const rng = Rng.fromSeed(3);
    const table = new Map<string, number>();
    const cost = (l: LayerInfo) => {
      const key = JSON.stringify([l.kind, l.attrs, l.inputShape]);
      if (!table.has(key)) table.set(key, rng.float());
      return table.get(key)!;
    };
    const total = (a: Mbv3Arch) => describeMbv3Network(a, network).layers.reduce((s, l) => s + cost(l), 0);
    const all = neighbourWalk(space, space.sample(Rng.fromSeed(0)));
    expect(all).toHaveLength(space.size!);
    const brute = Math.min(...all.map(total));
    const cheapest = mbv3CheapestArchitecture(space.config, network, cost);
    expect(total(cheapest)).toBeCloseTo(brute, 12);
    expect(spaceNetwork.cheapest!(space, cost, { inputShape: [12, 12, 1], numClasses: 10 })).toEqual(
      cheapest,
    );
  });
});
