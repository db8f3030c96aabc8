import { hardwareModelContract } from '@archlab/core/testing';
import { initBackend, type Network, SpaceNetworks } from '@archlab/nn';
import { fmnistChainSpace, fmnistChainSpaceNetwork } from '@archlab/space-fmnist-chain';
import { buildChainNetwork } from '@archlab/space-fmnist-chain/network';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latencyFactory, measureLatency } from './measure.js';
import { timingStats } from './stats.js';

const NETWORKS = new SpaceNetworks([fmnistChainSpaceNetwork]);

let network: Network;

beforeAll(async () => {
  await initBackend('cpu');
  network = buildChainNetwork([{ op: 'conv3x3', width: 8, skip: true }, { op: 'max_pool' }], {
    inputShape: [8, 8, 1],
    seed: 1,
  });
});

afterAll(() => network.dispose());

describe('timingStats', () => {
  it('summarises timings by interpolated quantiles', () => {
    expect(timingStats([5, 1, 3])).toEqual({ median: 3, p10: 1.4, p90: 4.6, min: 1, max: 5, runs: 3 });
  });
});

describe('measureLatency', () => {
  it('returns positive finite times with the median between min and max, leaking no tensors', async () => {
    const before = tf.memory().numTensors;
    const m = await measureLatency(network, { warmup: 1, runs: 5 });
    expect(tf.memory().numTensors).toBe(before);
    for (const v of [m.median, m.p10, m.p90, m.min, m.max]) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeGreaterThan(0);
    }
    expect(m.min).toBeLessThanOrEqual(m.p10);
    expect(m.p10).toBeLessThanOrEqual(m.median);
    expect(m.median).toBeLessThanOrEqual(m.p90);
    expect(m.p90).toBeLessThanOrEqual(m.max);
    expect(m).toMatchObject({ runs: 5, batch: 1, backend: 'cpu' });
  });

  it('times batches too', async () => {
    const m = await measureLatency(network, { batch: 4, warmup: 0, runs: 2 });
    expect(m.batch).toBe(4);
    expect(m.median).toBeGreaterThan(0);
  });

  it('rejects bad counts and another backend', async () => {
    await expect(measureLatency(network, { runs: 0 })).rejects.toThrow(/runs must be a whole number ≥ 1/);
    await expect(measureLatency(network, { backend: 'wasm' })).rejects.toThrow(
      /current tfjs backend is 'cpu'/,
    );
  });
});

describe('latency model', () => {
  it('records the backend and machine', () => {
    const model = latencyFactory(NETWORKS).create(fmnistChainSpace(), { backend: 'cpu' });
    expect(model).toMatchObject({ cheap: false, deterministic: false });
    expect(model.device).toMatchObject({ kind: 'measured', backend: 'cpu', batch: '1' });
    expect(Number(model.device.cores)).toBeGreaterThan(0);
    expect(model.device.cpu).toBeTruthy();
  });

  it('refuses a backend other than the one the process runs', async () => {
    const model = latencyFactory(NETWORKS).create(fmnistChainSpace(), { backend: 'wasm' });
    await expect(model.cost([{ op: 'max_pool' }, { op: 'max_pool' }])).rejects.toThrow(/choose backend=cpu/);
  });
});

hardwareModelContract(
  'latency (fmnist-chain, 8×8)',
  () =>
    latencyFactory(NETWORKS).create(fmnistChainSpace({ imageSize: 8 }), {
      backend: 'cpu',
      warmup: 0,
      runs: 2,
    }),
  fmnistChainSpace({ imageSize: 8 }),
);
