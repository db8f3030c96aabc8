import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  Container,
  coreModule,
  DataError,
  EstimatorFactory,
  InMemoryEventStore,
  PluginRegistry,
} from '@archlab/core';
import { neighbourWalk, runSearch, syntheticEstimatorFactory } from '@archlab/core/testing';
import { initBackend, type LayerInfo } from '@archlab/nn';
import { fmnistChainSpace, fmnistChainSpaceNetwork } from '@archlab/space-fmnist-chain';
import { mbv3Space, mbv3SpaceNetwork, SMALL_MBV3_OPTIONS, spaceMbv3Module } from '@archlab/space-mbv3';
import { beforeAll, describe, expect, it } from 'vitest';
import { countersModel } from './counters.js';
import { hardwareLatencyModule } from './hardware-latency-module.js';
import { type LatencyLut, lutModel, opKey, profileDevice } from './lut.js';
import { latencyModel } from './measure.js';

/** Synthetic costs: by multiply-adds, plus a hashed part per operation so that bigger is not always dearer. */
const costOf = (layer: LayerInfo) =>
  0.001 +
  layer.flops * 1e-7 +
  createHash('sha256').update(opKey(layer)).digest().readUInt16BE(0) / 65536 / 20;

const space = mbv3Space(SMALL_MBV3_OPTIONS);

describe('a latency table of mbv3 (synthetic timings)', () => {
  let file: string;
  let lut: LatencyLut;

  beforeAll(async () => {
    file = join(mkdtempSync(join(tmpdir(), 'archlab-mbv3-lut-')), 'mbv3.lut.json');
    lut = await profileDevice(await mbv3SpaceNetwork.load(), space, {
      timer: async (t) => (t.kind === 'op' ? costOf(t.layer) : 0.1),
      passes: 1,
      out: file,
      spaceOptions: SMALL_MBV3_OPTIONS,
    });
  });

  it('costs every architecture, and its floor is the exact least latency, named with its architecture', async () => {
    const model = lutModel(mbv3SpaceNetwork, space, lut);
    const all = neighbourWalk(space, space.parse('r8-k3e1-k3e1'));
    expect(all).toHaveLength(800);
    const costs = new Map<string, number>();
    for (const a of all) costs.set(space.key(a), (await model.cost(a)).latency_ms!);
    const least = Math.min(...costs.values());
    const [floor] = await model.floors!();
    expect(floor!.metric).toBe('latency_ms');
    expect(floor!.value).toBeCloseTo(least, 12);
    const key = /\((r[^)]*)\)$/.exec(floor!.text)?.[1];
    expect(costs.get(key!)).toBeCloseTo(least, 12);
    expect(floor!.text).toBe(
      `the fastest mbv3 subnet takes ${Number(least.toPrecision(4))} ms on this LUT (${key})`,
    );
  });

  it("refuses a search whose latency budget is below the fastest subnet's, writing nothing; prunes above it", async () => {
    const container = new Container();
    for (const m of [coreModule, spaceMbv3Module, hardwareLatencyModule]) container.load(m);
    container.bind(EstimatorFactory).toConstantValue(syntheticEstimatorFactory);
    const registry = new PluginRegistry(container);
    const [floor] = await lutModel(mbv3SpaceNetwork, space, lut).floors!();
    const config = (bound: number) => ({
      space: 'mbv3',
      spaceOptions: SMALL_MBV3_OPTIONS,
      estimator: 'synthetic',
      strategy: 'random',
      seed: 1,
      budget: { trials: 20 },
      hardware: [{ name: 'lut', options: { file } }],
      constraints: [{ metric: 'latency_ms', op: '<=' as const, bound }],
    });
    const store = new InMemoryEventStore();
    const below = Number((floor!.value * 0.99).toPrecision(4));
    const refused = runSearch(registry, config(below), store);
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(runSearch(registry, config(below), store)).rejects.toThrow(
      `constraint latency_ms<=${below} prunes every architecture: the fastest mbv3 subnet takes ${Number(floor!.value.toPrecision(4))} ms on this LUT (`,
    );
    expect(await store.lastSeq('test-run')).toBe(-1);

    const { state } = await runSearch(registry, config(floor!.value * 1.3));
    const pruned = state.trials.filter((t) => t.status === 'pruned');
    expect(state.counts.completed).toBe(20);
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) expect(t.metrics!.latency_ms).toBeGreaterThan(floor!.value * 1.3);
  });

  it('refuses before a run a table made with other space options or for another space, naming an op it lacks', async () => {
    const wider = lutModel(mbv3SpaceNetwork, mbv3Space({ ...SMALL_MBV3_OPTIONS, widths: '4,16' }), lut, {
      source: 'small.json',
    });
    await expect(wider.floors!()).rejects.toThrow(DataError);
    await expect(wider.floors!()).rejects.toThrow(
      /^small\.json has no entry for conv2d at input 2x2x4 \(.*filters=16.*, layer s2\.b1\.project\), which networks of this mbv3 space have; rebuild it with archlab profile-device --space mbv3 and the same --space-option flags$/,
    );
    const chainOptions = { imageSize: 8, maxDepth: 2, widths: '4' };
    const chainLut = await profileDevice(
      await fmnistChainSpaceNetwork.load(),
      fmnistChainSpace(chainOptions),
      {
        timer: async (t) => (t.kind === 'op' ? costOf(t.layer) : 0.1),
        passes: 1,
      },
    );
    const other = lutModel(mbv3SpaceNetwork, space, chainLut, { source: 'chain.json' });
    await expect(other.floors!()).rejects.toThrow(
      /^chain\.json was built for space 'fmnist-chain', not 'mbv3': it has no entry for \w+ at input [\dx]+ \(.*, layer (stem|s\d\.b\d|head)\.\w+\); build one with archlab profile-device --space mbv3$/,
    );
  });
});

describe('counters and measured latency on mbv3', () => {
  it("count and time each architecture's own network, at its resolution", async () => {
    await initBackend('cpu');
    const module = await mbv3SpaceNetwork.load();
    const counters = countersModel(mbv3SpaceNetwork, space);
    const latency = latencyModel(mbv3SpaceNetwork, space, { backend: 'cpu', warmup: 1, runs: 2 });
    for (const key of ['r8-k3e1-k5e2', 'r12-k35e21-k5e1']) {
      const arch = space.parse(key);
      const built = module.build(key, SMALL_MBV3_OPTIONS, {
        inputShape: [28, 28, 1],
        numClasses: 10,
        seed: 0,
      });
      expect(built.inputShape).toEqual([arch.resolution, arch.resolution, 1]);
      expect(await counters.cost(arch)).toMatchObject({ params: built.paramCount(), flops: built.flops() });
      built.dispose();
      const { latency_ms } = await latency.cost(arch);
      expect(latency_ms).toBeGreaterThan(0);
    }
  });
});
