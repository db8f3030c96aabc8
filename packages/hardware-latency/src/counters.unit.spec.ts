import { enumerateNb201, nb201Space, nb201SpaceNetwork } from '@archlab/bench-nb201';
import { buildNb201Network } from '@archlab/bench-nb201/network';
import { hardwareModelContract } from '@archlab/core/testing';
import { describeNetwork, initBackend, SpaceNetworks } from '@archlab/nn';
import { type ChainArch, fmnistChainSpace, fmnistChainSpaceNetwork } from '@archlab/space-fmnist-chain';
import { buildChainNetwork, describeChainNetwork } from '@archlab/space-fmnist-chain/network';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countArchitecture, countersFactory, countersModel } from './counters.js';

const NETWORKS = new SpaceNetworks([nb201SpaceNetwork, fmnistChainSpaceNetwork]);

beforeAll(async () => {
  await initBackend('cpu');
});

/** The counts of a chain, from its description; those of the built network must agree. */
function countChain(arch: ChainArch) {
  const counts = countArchitecture(describeChainNetwork(arch));
  const network = buildChainNetwork(arch, { seed: 1 });
  try {
    expect(countArchitecture(describeNetwork(network))).toEqual(counts);
    expect(counts.params).toBe(network.variables.reduce((n, v) => n + v.size, 0));
  } finally {
    network.dispose();
  }
  return counts;
}

describe('countArchitecture', () => {
  it('counts a conv3x3 1→16 on 28×28, BN, ReLU, pooling and a dense head by hand', () => {
    // conv 3·3·1·16 = 144 weights, 28·28·16·9 = 112,896 multiply-adds; BN 2·16; dense 16·10 + 10.
    // Peak at the BN: input 784 + conv output 12,544 + BN output 12,544 floats.
    expect(countChain([{ op: 'conv3x3', width: 16, skip: false }])).toEqual({
      params: 144 + 32 + 170,
      flops: 112_896 + 170,
      peak_mem_bytes: (784 + 2 * 12_544) * 4,
    });
  });

  it('keeps a residual branch live until its add', () => {
    // Adds a 1×1 projection 1→16 (16 weights, 12,544 multiply-adds) read only by the add: at
    // the add, the input, the ReLU output, the projection and the sum are live.
    expect(countChain([{ op: 'conv3x3', width: 16, skip: true }])).toEqual({
      params: 144 + 32 + 16 + 170,
      flops: 112_896 + 12_544 + 170,
      peak_mem_bytes: (784 + 3 * 12_544) * 4,
    });
  });

  it('counts a pooled, depthwise-separable chain by hand', () => {
    // max pool 28→14; depthwise 5×5 on 14×14×1 (25 weights, 196·25 madds), pointwise 1→8.
    const counts = countChain([{ op: 'max_pool' }, { op: 'sep_conv5x5', width: 8, skip: false }]);
    expect(counts.params).toBe(25 + 8 + 16 + 8 * 10 + 10);
    expect(counts.flops).toBe(196 * 25 + 196 * 8 + 90);
    // The BN holds the input, the pointwise output and its own: 784 + 2 · 1568 floats.
    expect(counts.peak_mem_bytes).toBe((784 + 2 * 1568) * 4);
  });
});

describe('counters model', () => {
  it('matches NAS-Bench-201 for the all-conv3x3 cell on CIFAR-10', async () => {
    const model = countersFactory(NETWORKS).create(nb201Space, {});
    expect(model.device).toEqual({ kind: 'analytic' });
    const cost = await model.cost([3, 3, 3, 3, 3, 3]);
    expect(cost.params).toBe(1_531_546);
    expect(cost.flops).toBe(220_119_690);
    expect(cost.peak_mem_bytes).toBeGreaterThan(32 * 32 * 16 * 4 * 3);
  });

  it('counts from descriptions alone: a fifth of NB201, making no tensor, as the built networks count', async () => {
    const model = countersModel(nb201SpaceNetwork, nb201Space);
    const before = tf.memory().numTensors;
    const archs = enumerateNb201().filter((_, i) => i % 5 === 0);
    const all = await Promise.all(archs.map((a) => model.cost(a)));
    expect(tf.memory().numTensors).toBe(before);
    expect(all.every((c) => c.params! > 0 && c.flops! > 0 && c.peak_mem_bytes! > 0)).toBe(true);
    for (const i of [0, 1, 777, 3124]) {
      const network = buildNb201Network(archs[i]!, { seed: 0 });
      try {
        expect(all[i]).toEqual(countArchitecture(describeNetwork(network)));
      } finally {
        network.dispose();
      }
    }
  });

  it('takes the image shape as an option', async () => {
    const model = countersFactory(NETWORKS).create(nb201Space, { input: '16,16,3', classes: 100 });
    const small = await model.cost([3, 3, 3, 3, 3, 3]);
    const cifar = await countersModel(nb201SpaceNetwork, nb201Space).cost([3, 3, 3, 3, 3, 3]);
    expect(small.params).toBe(1_531_546 + 65 * 90);
    expect(small.flops).toBeLessThan(cifar.flops!);
    expect(() => countersFactory(NETWORKS).create(nb201Space, { input: '16,16' })).toThrow(
      /height,width,channels/,
    );
  });

  it('reports only the counts its metrics option names, so it can sit beside an estimator that reports params', async () => {
    const model = countersFactory(NETWORKS).create(nb201Space, { metrics: 'flops, peak_mem_bytes' });
    expect(model.metrics).toEqual(['flops', 'peak_mem_bytes']);
    const all = await countersModel(nb201SpaceNetwork, nb201Space).cost([3, 3, 3, 3, 3, 3]);
    expect(await model.cost([3, 3, 3, 3, 3, 3])).toEqual({
      flops: all.flops,
      peak_mem_bytes: all.peak_mem_bytes,
    });
    for (const bad of ['flops,latency_ms', 'flops,flops', '']) {
      expect(() => countersFactory(NETWORKS).create(nb201Space, { metrics: bad })).toThrow(
        /counters: option 'metrics' is a comma-separated list of distinct counts among params, flops, peak_mem_bytes/,
      );
    }
  });
});

hardwareModelContract('counters (nb201)', () => countersFactory(NETWORKS).create(nb201Space, {}), nb201Space);
hardwareModelContract(
  'counters (fmnist-chain)',
  () => countersFactory(NETWORKS).create(fmnistChainSpace(), {}),
  fmnistChainSpace(),
);
