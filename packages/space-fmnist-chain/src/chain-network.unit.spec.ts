import { MalformedArchitectureError, Rng } from '@archlab/core';
import { gradientProblems, initBackend, type Network } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildChainNetwork } from './chain-network.js';
import { fmnistChainSpace } from './fmnist-chain-space.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const space = fmnistChainSpace();

/** The gradient check on three seeded normal images of the network's shape, labelled 0, 1, 2. */
function gradientProblemsOn(net: Network, seed: number): string[] {
  const rng = Rng.fromSeed(seed);
  const size = net.inputShape.reduce((a, b) => a * b, 1);
  const x = tf.tensor4d(
    Array.from({ length: 3 * size }, () => rng.normal()),
    [3, ...net.inputShape],
  );
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2], 'int32'), 3));
  try {
    return gradientProblems(net, x, labels);
  } finally {
    tf.dispose([x, labels]);
  }
}

describe('buildChainNetwork', () => {
  it('builds each layer kind with params and FLOPs counted by hand', () => {
    const net = buildChainNetwork(
      space.parse('conv3x3-16|max_pool|sep_conv5x5-32+skip|identity|avg_pool|conv5x5-32+skip'),
      {
        seed: 0,
      },
    );
    const rows = net.layers().map((l) => [l.name, l.kind, l.outputShape.join('×'), l.params, l.flops]);
    expect(rows).toEqual([
      ['layer1.conv', 'conv2d', '28×28×16', 9 * 16, 28 * 28 * 16 * 9],
      ['layer1.bn', 'batch_norm', '28×28×16', 32, 0],
      ['layer1.relu', 'relu', '28×28×16', 0, 0],
      ['layer2.pool', 'max_pool', '14×14×16', 0, 0],
      ['layer3.depthwise', 'depthwise_conv2d', '14×14×16', 25 * 16, 14 * 14 * 16 * 25],
      ['layer3.pointwise', 'conv2d', '14×14×32', 16 * 32, 14 * 14 * 16 * 32],
      ['layer3.bn', 'batch_norm', '14×14×32', 64, 0],
      ['layer3.relu', 'relu', '14×14×32', 0, 0],
      // 16 → 32 channels: the skip goes through a 1×1 projection
      ['layer3.proj', 'conv2d', '14×14×32', 16 * 32, 14 * 14 * 16 * 32],
      ['layer3.add', 'add', '14×14×32', 0, 0],
      ['layer5.pool', 'avg_pool', '7×7×32', 0, 0],
      ['layer6.conv', 'conv2d', '7×7×32', 25 * 32 * 32, 7 * 7 * 32 * 25 * 32],
      ['layer6.bn', 'batch_norm', '7×7×32', 64, 0],
      ['layer6.relu', 'relu', '7×7×32', 0, 0],
      // same width: the skip adds the input as it is
      ['layer6.add', 'add', '7×7×32', 0, 0],
      ['head.pool', 'global_avg_pool', '32', 0, 0],
      ['head.dense', 'dense', '10', 330, 330],
    ]);
    expect(net.paramCount()).toBe(rows.reduce((n, r) => n + (r[3] as number), 0));
    expect(net.variables.reduce((n, v) => n + v.size, 0)).toBe(net.paramCount());
    net.dispose();
  });

  it("ends in flatten and a dense layer over every value with head 'flatten', and trains through it", () => {
    const arch = fmnistChainSpace({ widths: '4,8' }).parse('conv3x3-8|max_pool|conv3x3-4+skip');
    const net = buildChainNetwork(arch, { seed: 1, head: 'flatten', inputShape: [6, 6, 1], numClasses: 3 });
    const rows = net.layers().map((l) => [l.name, l.kind, l.outputShape.join('×'), l.params]);
    expect(rows.slice(-3)).toEqual([
      ['layer3.add', 'add', '3×3×4', 0],
      ['head.flatten', 'flatten', '36', 0],
      ['head.dense', 'dense', '3', 36 * 3 + 3],
    ]);
    expect(gradientProblemsOn(net, 3)).toEqual([]);
    net.dispose();
    expect(() => buildChainNetwork(arch, { seed: 1, head: 'max' as 'gap' })).toThrow(
      /head is one of gap, flatten/,
    );
  });

  it('trains: every variable of a sampled chain gets a finite non-zero gradient, and nothing leaks', () => {
    const before = tf.memory().numTensors;
    const arch = space.parse('sep_conv3x3-16+skip|max_pool|conv3x3-16+skip|avg_pool');
    const net = buildChainNetwork(arch, { seed: 4, inputShape: [12, 12, 1], numClasses: 3 });
    expect(gradientProblemsOn(net, 2)).toEqual([]);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is deterministic in its seed and runs any sampled chain on Fashion-MNIST shapes', () => {
    const x = tf.tidy(() => tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D);
    const out = (n: Network) => tf.tidy(() => Array.from(n.apply(x).dataSync()));
    const rng = Rng.fromSeed(9);
    const narrow = fmnistChainSpace({ widths: '4,8' }); // keeps the cpu backend quick
    for (let i = 0; i < 3; i++) {
      const arch = narrow.sample(rng);
      const [a, b] = [buildChainNetwork(arch, { seed: i }), buildChainNetwork(arch, { seed: i })];
      const y = out(a);
      expect(y).toHaveLength(20);
      expect(y).toEqual(out(b));
      a.dispose();
      b.dispose();
    }
    x.dispose();
  });

  it('rejects a chain that pools the actual input below 1×1', () => {
    const arch = space.parse('max_pool|max_pool|max_pool');
    const before = tf.memory().numTensors;
    expect(() => buildChainNetwork(arch, { seed: 0, inputShape: [16, 4, 1] })).toThrow(
      MalformedArchitectureError,
    );
    expect(() => buildChainNetwork(arch, { seed: 0, inputShape: [16, 4, 1] })).toThrow(
      /layer 3 .* halve a 4×1/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
