import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nb201Space, nb201SpaceNetwork } from '@archlab/bench-nb201';
import { ConfigError, DataError, Rng } from '@archlab/core';
import { hardwareModelContract } from '@archlab/core/testing';
import { initBackend, type Layer, type LayerInfo, NetworkBuilder, SpaceNetworks } from '@archlab/nn';
import { fmnistChainSpace, fmnistChainSpaceNetwork } from '@archlab/space-fmnist-chain';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  defaultTimer,
  type LatencyLut,
  layerFromInfo,
  lutFactory,
  lutModel,
  opKey,
  type ProfileTimer,
  parseLut,
  predictLatency,
  profileDevice,
  readLut,
} from './lut.js';
import { measureLatency } from './measure.js';
import { withSpaceNetwork } from './space-network.js';

const NETWORKS = new SpaceNetworks([nb201SpaceNetwork, fmnistChainSpaceNetwork]);
const nb201Network = await nb201SpaceNetwork.load();
const chainNetwork = await fmnistChainSpaceNetwork.load();

/** A synthetic op cost known in advance: a constant per kind plus one per multiply-add. */
function syntheticMs(layer: LayerInfo): number {
  return (layer.kind === 'add' ? 0.03 : 0.01) + layer.flops * 1e-7;
}
const OVERHEAD_MS = 0.5;
const fakeTimer: ProfileTimer = async (t) => (t.kind === 'op' ? syntheticMs(t.layer) : OVERHEAD_MS);

let lut: LatencyLut;
const dir = mkdtempSync(join(tmpdir(), 'archlab-lut-'));

beforeAll(async () => {
  await initBackend('cpu');
  lut = await profileDevice(nb201Network, nb201Space, { timer: fakeTimer, out: join(dir, 'nb201.lut.json') });
});

describe('opKey', () => {
  it('names kind, sorted attributes and input shape', () => {
    expect(
      opKey({ kind: 'max_pool', attrs: { stride: 2, size: 2, padding: 'same' }, inputShape: [28, 28, 16] }),
    ).toBe('max_pool(padding=same,size=2,stride=2)@28x28x16');
  });
});

describe('profileDevice with synthetic op costs', () => {
  it('predicts exactly the overhead plus the known cost of every layer', async () => {
    const model = lutModel(nb201SpaceNetwork, nb201Space, lut);
    const rng = Rng.fromSeed(7);
    for (let i = 0; i < 25; i++) {
      const arch = nb201Space.sample(rng);
      const expected = withSpaceNetwork(nb201Network, nb201Space, arch, {}, (n) =>
        n.layers().reduce((ms, layer) => ms + syntheticMs(layer), OVERHEAD_MS),
      );
      expect((await model.cost(arch)).latency_ms).toBeCloseTo(expected, 9);
    }
  });

  it('covers every nb201 operation at each stage shape', () => {
    const keys = Object.keys(lut.entries);
    for (const side of [32, 16, 8]) {
      const c = (16 * 32) / side;
      for (const op of ['conv2d', 'batch_norm', 'relu', 'avg_pool', 'zero']) {
        expect(
          keys.some((k) => k.startsWith(`${op}(`) && k.endsWith(`@${side}x${side}x${c}`)),
          `${op}@${side}`,
        ).toBe(true);
      }
      expect(
        keys.filter((k) => k.startsWith('add(inputs=3)') && k.endsWith(`@${side}x${side}x${c}`)),
      ).toHaveLength(1);
    }
    expect(lut).toMatchObject({ space: 'nb201', backend: 'cpu', overheadMs: OVERHEAD_MS, version: 1 });
    expect(lut.network).toEqual({ inputShape: [32, 32, 3], numClasses: 10 });
  });

  it('round-trips through its file', async () => {
    const file = join(dir, 'nb201.lut.json');
    expect(readLut(file)).toEqual(lut);
    const model = lutFactory(NETWORKS).create(nb201Space, { file });
    expect(model).toMatchObject({ name: 'lut', cheap: true, deterministic: true, metrics: ['latency_ms'] });
    expect(model.device).toMatchObject({ kind: 'lut', backend: 'cpu', created: lut.created });
    const arch = [3, 3, 3, 3, 3, 3] as const;
    expect(await model.cost(arch)).toEqual(await lutModel(nb201SpaceNetwork, nb201Space, lut).cost(arch));
  });
});

describe('layerFromInfo', () => {
  it('rebuilds every layer of the nb201 and fmnist-chain networks as it was', () => {
    const check = (layers: readonly LayerInfo[]) => {
      for (const info of layers) {
        const layer = layerFromInfo(info);
        expect(opKey(layer.info)).toBe(opKey(info));
        expect(layer.info.outputShape).toEqual(info.outputShape);
        for (const v of [...layer.variables, ...layer.buffers]) v.dispose();
      }
    };
    const before = tf.memory().numTensors;
    withSpaceNetwork(nb201Network, nb201Space, [1, 2, 4, 0, 3, 2], {}, (n) => check(n.layers()));
    const chain = fmnistChainSpace();
    withSpaceNetwork(chainNetwork, chain, chain.parse(chain.key(chain.sample(Rng.fromSeed(3)))), {}, (n) =>
      check(n.layers()),
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('profileDevice on the cpu backend', () => {
  it('times every op of a small chain space and predicts positive latencies', async () => {
    const space = fmnistChainSpace({ imageSize: 8, maxDepth: 3, widths: '4,8' });
    const before = tf.memory().numTensors;
    const real = await profileDevice(chainNetwork, space, {
      runs: 1,
      warmup: 0,
      spaceOptions: { imageSize: 8 },
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(real.network.inputShape).toEqual([8, 8, 1]);
    expect(real.spaceOptions).toEqual({ imageSize: 8 });
    // An entry is the op's time alone plus the network's per-layer correction, which may be
    // negative; the entries are never below 0, and the convolutions cost more than nothing.
    expect(Object.values(real.entries).every((ms) => ms >= 0)).toBe(true);
    const convs = Object.entries(real.entries).filter(([k]) => k.startsWith('conv2d('));
    expect(convs.length).toBeGreaterThan(0);
    expect(convs.some(([, ms]) => ms > 0)).toBe(true);
    expect(real.overheadMs).toBeGreaterThanOrEqual(0);
    expect(real.device).toMatchObject({ backend: 'cpu' });
  });
});

/**
 * Operations of known cost: on a virtual clock that only they move, a `busy` layer costs
 * exactly its `ms`, and the layer library's own layers cost nothing. Timing is then exact and
 * deterministic, so the profile's bookkeeping (repeats per run, the per-layer correction, the
 * overhead) can be checked for equality, whatever else the machine is running.
 */
let virtualMs = 0;
const clock = () => virtualMs;

function busyLayer(info: LayerInfo): Layer {
  return {
    info,
    variables: [],
    buffers: [],
    apply: (inputs) => {
      virtualMs += Number(info.attrs.ms);
      return tf.clone(inputs[0]!);
    },
  };
}

const makeLayer = (info: LayerInfo) => (info.kind === 'busy' ? busyLayer(info) : layerFromInfo(info));

describe('the default timer on operations of known cost', () => {
  it('gives each its cost, and the table sum (overhead plus entries) the measured network latency', async () => {
    const costs = [0.5, 2, 1, 0.25, 1.5];
    const b = new NetworkBuilder([4, 4, 2], 0);
    let x = b.input;
    costs.forEach((ms, i) => {
      x = b.layer(`busy${i}`, [x], (ctx, [shape]) =>
        busyLayer({
          name: ctx.name,
          kind: 'busy',
          inputShape: shape!,
          outputShape: shape!,
          attrs: { ms },
          params: 0,
          flops: 0,
        }),
      );
    });
    const network = b.build(b.dense('head.dense', b.globalAvgPool('head.pool', x), { units: 3 }));
    try {
      const timer = defaultTimer({ warmup: 1, runs: 3, makeLayer, clock });
      const entries: Record<string, number> = {};
      for (const layer of network.layers()) {
        entries[opKey(layer)] = await timer({ kind: 'op', key: opKey(layer), layer });
      }
      const table: LatencyLut = {
        ...lut,
        entries,
        overheadMs: await timer({ kind: 'overhead', inputShape: [4, 4, 2], numClasses: 3 }),
      };
      costs.forEach((ms, i) => {
        expect(entries[opKey(network.layers()[i]!)]).toBeCloseTo(ms, 12);
      });
      expect(table.overheadMs).toBe(0);
      const measured = (await measureLatency(network, { warmup: 1, runs: 3, clock })).median;
      expect(measured).toBeCloseTo(5.25, 12);
      expect(predictLatency(table, network)).toBeCloseTo(measured, 12);
    } finally {
      network.dispose();
    }
  });
});

describe('bad tables', () => {
  it('refuses a table built for another space, naming an operation it lacks, before a run and at a cost', async () => {
    const model = lutModel(fmnistChainSpaceNetwork, fmnistChainSpace(), lut, { source: 'dev.json' });
    await expect(model.floors!()).rejects.toThrow(ConfigError);
    await expect(model.floors!()).rejects.toThrow(
      /^dev\.json was built for space 'nb201', not 'fmnist-chain': it has no entry for \w+ at input [\dx]+ \(.*, layer [\w.]+\); build one with archlab profile-device --space fmnist-chain$/,
    );
    await expect(model.cost(fmnistChainSpace().parse('conv3x3-16|identity'))).rejects.toThrow(
      /built for space 'nb201', not 'fmnist-chain': it has no entry for/,
    );
  });

  it('names the missing op and its shape', async () => {
    const entries = Object.fromEntries(
      Object.entries(lut.entries).filter(([k]) => !k.startsWith('avg_pool(padding=same,size=3')),
    );
    const model = lutModel(nb201SpaceNetwork, nb201Space, { ...lut, entries });
    // Before a run, as soon as the space has networks with that op
    await expect(model.floors!()).rejects.toThrow(
      /^the latency table has no entry for avg_pool at input 32x32x16 \(.*, layer .*\), which networks of this nb201 space have; rebuild it/,
    );
    await expect(model.cost([1, 1, 1, 1, 1, 1])).resolves.toBeDefined();
    const missing = model.cost([4, 1, 1, 1, 1, 1]);
    await expect(missing).rejects.toThrow(DataError);
    await expect(model.cost([4, 1, 1, 1, 1, 1])).rejects.toThrow(/no entry for avg_pool at input 32x32x16/);
  });

  it('warns once about a table from another backend', () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      lutModel(nb201SpaceNetwork, nb201Space, lut, { source: 'wasm.json', backend: 'wasm' });
      lutModel(nb201SpaceNetwork, nb201Space, lut, { source: 'wasm.json', backend: 'wasm' });
      lutModel(nb201SpaceNetwork, nb201Space, lut, { source: 'cpu.json' });
      expect(write).toHaveBeenCalledTimes(1);
      expect(String(write.mock.calls[0]![0])).toMatch(
        /wasm\.json was measured on tfjs backend 'cpu', not 'wasm'/,
      );
    } finally {
      write.mockRestore();
    }
  });

  it('rejects files that are not tables', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"format": "something"}');
    expect(() => readLut(file)).toThrow(DataError);
    writeFileSync(file, 'nope');
    expect(() => readLut(file)).toThrow(/not JSON/);
    const good = JSON.parse(readFileSync(join(dir, 'nb201.lut.json'), 'utf8'));
    expect(() => parseLut({ ...good, entries: { x: -1 } }, 'f.json')).toThrow(/entry x is -1/);
    expect(() => parseLut({ ...good, version: 2 }, 'f.json')).toThrow(/version 2 is not 1/);
    expect(() => lutFactory(NETWORKS).create(nb201Space, {})).toThrow(/lut:file=PATH/);
    expect(() => lutFactory(NETWORKS).create(nb201Space, { file: join(dir, 'none.json') })).toThrow(
      ConfigError,
    );
  });
});

hardwareModelContract(
  'lut (nb201, synthetic costs)',
  () => lutModel(nb201SpaceNetwork, nb201Space, lut),
  nb201Space,
);
