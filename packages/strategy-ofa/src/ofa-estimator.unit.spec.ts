import { type EvaluationContext, parseOptions, type RunConfig, type RunScope } from '@archlab/core';
import { decodeSafetensors, loadNetworkWeights, SAFETENSORS_FORMAT } from '@archlab/nn';
import { registerTinyDataset } from '@archlab/oneshot/testing';
import type { Mbv3Arch } from '@archlab/space-mbv3';
import { buildMbv3Network } from '@archlab/space-mbv3/network';
import { inheritedAccuracy } from '@archlab/supernet';
import { accuracy, makeBatch } from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ofaEstimatorFactory } from './ofa-estimator.js';
import { ofaOptionsSpec } from './ofa-options.js';
import { OFA_ESTIMATOR, OfaRun, OfaService } from './ofa-service.js';
import { TINY_OFA, tinyMbv3SpaceFactory } from './testing.js';

const unregister = registerTinyDataset();
const space = tinyMbv3SpaceFactory.create({});
const KEY = 'r6-k53e32-k7e2';
const ARCH = space.parse(KEY) as Mbv3Arch;
const BN_IMAGES = 32;

let service: OfaService;

beforeAll(async () => {
  const config = {
    strategy: 'ofa',
    estimator: OFA_ESTIMATOR,
    strategyOptions: parseOptions('ofa', ofaOptionsSpec, { ...TINY_OFA, backend: 'cpu' }),
    seed: 4,
    concurrency: 1,
  } as unknown as RunConfig;
  const scope = { config, space } as unknown as RunScope;
  service = new OfaService(scope);
  const { trainer, dataset } = await service.ready();
  // One epoch of the largest subnet, so the weights and BN statistics are not the initial ones.
  await service.trainEpoch({
    epochs: 1,
    inputShape: () => [8, 8, dataset.imageShape[2]],
    forward: (x, _b, training) => trainer.supernet.apply(x, trainer.supernet.largest(8), { training }),
  });
});

afterAll(() => {
  service.supernet.dispose();
  unregister();
});

/** `ofa-subnet` with `options` on the test's service; returns its metrics and what it saved. */
async function evaluate(options: Record<string, unknown>, recorded = true) {
  const estimator = ofaEstimatorFactory.create(space, { 'bn-images': BN_IMAGES, ...options }, {
    services: { get: <T>(token: symbol) => (token === OfaRun ? service : undefined) as T, has: () => true },
  } as never);
  const saved: { name: string; bytes: Uint8Array; format: string }[] = [];
  const ctx: EvaluationContext = {
    trialId: 0,
    seed: 0,
    signal: new AbortController().signal,
    report: () => {},
    ...(recorded && { saveArtifact: (name, bytes, format) => saved.push({ name, bytes, format }) }),
  };
  const metrics = await estimator.evaluate(ARCH, ctx);
  return { metrics, saved };
}

describe('ofa-subnet keeps the weights of the subnets picked per budget', () => {
  it('keeps none for a subnet the strategy has not picked (a predictor sample, a training proposal)', async () => {
    const { metrics, saved } = await evaluate({});
    expect(metrics.ofa_acc).toBeGreaterThanOrEqual(0);
    expect(saved).toEqual([]);
  });

  it("keeps a pick's scored network: its weights rebuild a network that scores what the estimator scored and computes what the supernet does with recalibrated BN", async () => {
    const before = await service.weightsHash();
    service.markPicked(KEY);
    const { metrics, saved } = await evaluate({});
    expect(saved.map((s) => [s.name, s.format])).toEqual([['weights', SAFETENSORS_FORMAT]]);
    const bytes = saved[0]!.bytes;
    expect(decodeSafetensors(bytes).metadata).toEqual({ space: 'mbv3', arch: KEY });
    // The supernet is as it was (its BN statistics put back), so scoring again gives the same bytes.
    expect(await service.weightsHash()).toBe(before);
    expect((await evaluate({})).saved[0]!.bytes).toEqual(bytes);

    const data = service.at(ARCH.resolution);
    const { stem, stemStride, widths, strides, final } = service.shape;
    const config = { inputChannels: 1, stem, stemStride, widths, strides, final, numClasses: 10, seed: 9 };
    const net = buildMbv3Network(ARCH, config);
    try {
      loadNetworkWeights(net, bytes);
      expect(await accuracy(net, data.dataset, data.val, 256)).toBe(metrics.ofa_acc);
      // The reference: the supernet's own forward pass with the subnet's BN statistics recalibrated.
      const batch = makeBatch(data.dataset, data.val.split, Array.from(data.val.indices));
      const x = tf.tensor4d(batch.images, [batch.size, 6, 6, 1]);
      const expected = await service.keepingBatchNorm(async (trainer) => {
        await inheritedAccuracy(trainer, ARCH, data, {
          recalibrationImages: BN_IMAGES,
          batchSize: service.options['batch-size'],
          seed: service.seed,
        });
        return tf.tidy(() => Array.from(trainer.supernet.apply(x, ARCH).dataSync()));
      });
      const actual = tf.tidy(() => Array.from(net.apply(x).dataSync()));
      x.dispose();
      expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(0.01);
      for (const [i, e] of expected.entries()) expect(Math.abs(actual[i]! - e), `[${i}]`).toBeLessThan(1e-5);
    } finally {
      net.dispose();
    }
  });

  it("keeps every trial's with save-weights=all, none with none, and nothing where results are not recorded (verify)", async () => {
    service.markPicked(KEY);
    expect((await evaluate({ 'save-weights': 'none' })).saved).toEqual([]);
    expect((await evaluate({}, false)).saved).toEqual([]);
    const other = ofaEstimatorFactory.create(space, { 'save-weights': 'all', 'bn-images': BN_IMAGES }, {
      services: { get: <T>() => service as T, has: () => true },
    } as never);
    const saved: string[] = [];
    await other.evaluate(space.parse('r8-k3e2-k35e23'), {
      trialId: 1,
      seed: 0,
      signal: new AbortController().signal,
      report: () => {},
      saveArtifact: (name) => saved.push(name),
    });
    expect(saved).toEqual(['weights']);
    expect(() => ofaEstimatorFactory.create(space, { 'save-weights': 'some' })).toThrow(/save-weights/);
  });
});
