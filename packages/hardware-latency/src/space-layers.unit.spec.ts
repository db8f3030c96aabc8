import { enumerateNb201, type Nb201Arch, nb201Space, nb201SpaceNetwork } from '@archlab/bench-nb201';
import { buildNb201Network, describeNb201Network as nb201Layers } from '@archlab/bench-nb201/network';
import { MalformedArchitectureError, Rng } from '@archlab/core';
import { describeNetwork, initBackend, type LayerInfo } from '@archlab/nn';
import { fmnistChainSpace, fmnistChainSpaceNetwork } from '@archlab/space-fmnist-chain';
import { buildChainNetwork, describeChainNetwork } from '@archlab/space-fmnist-chain/network';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LatencyLut, lutModel, predictLatency, predictLayers, profileDevice } from './lut.js';
import { buildSpaceNetwork, spaceDescription, spaceLayers } from './space-network.js';

const nb201Network = await nb201SpaceNetwork.load();
const chainNetwork = await fmnistChainSpaceNetwork.load();

/** Distinct costs per operation, so a missing, extra or mislabelled layer changes the sum. */
const costOf = (layer: LayerInfo) =>
  (layer.kind.length + layer.inputShape[0]! / 7) * 1e-3 + layer.flops * 1e-9;

let lut: LatencyLut;

beforeAll(async () => {
  await initBackend('cpu');
  lut = await profileDevice(nb201Network, nb201Space, {
    timer: async (t) => (t.kind === 'op' ? costOf(t.layer) : 0.25),
    passes: 1,
  });
});

/** 200 architectures: seeded random ones plus the cells with one op on every edge, and some with dead edges or no path. */
function someArchs(): Nb201Arch[] {
  const rng = Rng.fromSeed(11);
  const all = enumerateNb201();
  const picked = new Map<string, Nb201Arch>();
  for (const op of [0, 1, 2, 3, 4]) picked.set(String([op, op, op, op, op, op]), [op, op, op, op, op, op]);
  for (const a of [
    [3, 0, 0, 3, 0, 0], // node 3 reached through node 1 only: edges from node 2 are dead
    [0, 3, 3, 0, 0, 3], // input never reaches node 1: its edges are dead
    [3, 3, 3, 0, 0, 0], // no path to node 3: a zero cell
  ] as Nb201Arch[])
    picked.set(String(a), a);
  while (picked.size < 200) {
    const a = all[rng.int(all.length)]!;
    picked.set(String(a), a);
  }
  return [...picked.values()];
}

describe('describeNb201Network (the layers without a network)', () => {
  it('lists exactly the layers and dataflow of the built network for 200 architectures, and the same latency', () => {
    for (const arch of someArchs()) {
      const network = buildNb201Network(arch, { seed: 0 });
      try {
        const listed = nb201Layers(arch);
        expect(listed, `[${arch}]`).toEqual(describeNetwork(network));
        expect(predictLayers(lut, listed.layers), `[${arch}]`).toBe(predictLatency(lut, network));
      } finally {
        network.dispose();
      }
    }
  });

  it('follows the image shape and class count', () => {
    const arch: Nb201Arch = [3, 2, 4, 1, 0, 3];
    const options = { inputShape: [16, 16, 3] as const, numClasses: 120 };
    const network = buildNb201Network(arch, { ...options, seed: 0 });
    try {
      expect(nb201Layers(arch, options)).toEqual(describeNetwork(network));
    } finally {
      network.dispose();
    }
  });

  it('creates no tensors, even for layers it has not seen before', () => {
    const before = tf.memory().numTensors;
    for (const arch of someArchs().slice(0, 50)) nb201Layers(arch, { inputShape: [8, 8, 5], numClasses: 7 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a malformed architecture', () => {
    expect(() => nb201Layers([1, 2, 3] as unknown as Nb201Arch)).toThrow(MalformedArchitectureError);
  });
});

describe('describeChainNetwork', () => {
  it('lists exactly the layers and dataflow of the built network for 100 random fmnist-chain architectures', () => {
    const space = fmnistChainSpace();
    const rng = Rng.fromSeed(5);
    for (let i = 0; i < 100; i++) {
      const arch = space.sample(rng);
      const network = buildChainNetwork(arch, { seed: 0 });
      try {
        expect(describeChainNetwork(arch), space.key(arch)).toEqual(describeNetwork(network));
      } finally {
        network.dispose();
      }
    }
  });

  it("follows the space's head option, as the networks the train estimator builds do", () => {
    const space = fmnistChainSpace({ head: 'flatten' });
    const rng = Rng.fromSeed(6);
    for (let i = 0; i < 30; i++) {
      const arch = space.sample(rng);
      const network = buildSpaceNetwork(chainNetwork, space, arch);
      try {
        const description = spaceDescription(chainNetwork, space, arch);
        expect(description, space.key(arch)).toEqual(describeNetwork(network));
        expect(spaceLayers(chainNetwork, space, arch)).toEqual(description.layers);
        expect(description.layers.at(-2)?.kind).toBe('flatten');
      } finally {
        network.dispose();
      }
    }
  });
});

describe('lut model on nb201', () => {
  it('predicts a fifth of the space (every op of it in the table) from layer lists, as the network would', async () => {
    const model = lutModel(nb201SpaceNetwork, nb201Space, lut);
    const archs = enumerateNb201().filter((_, i) => i % 5 === 0);
    const costs = await Promise.all(archs.map((a) => model.cost(a)));
    expect(costs.every((c) => Number.isFinite(c.latency_ms) && c.latency_ms! > 0.25)).toBe(true);
    for (const i of [0, 1, 777, 3124]) {
      const network = buildNb201Network(archs[i]!, { seed: 0 });
      expect(costs[i]!.latency_ms).toBe(predictLatency(lut, network));
      network.dispose();
    }
  });
});
