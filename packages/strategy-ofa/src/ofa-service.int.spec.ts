import { parseOptions, Rng, type RunConfig, type RunScope } from '@archlab/core';
import { registerTinyDataset } from '@archlab/oneshot/testing';
import type { Mbv3Arch } from '@archlab/space-mbv3';
import type { Samples, TrainingData } from '@archlab/trainer-tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFA_ESTIMATOR, OfaService } from './ofa-service.js';
import { ofaStrategyFactory } from './ofa-strategy.js';
import { TINY_OFA, tinyMbv3SpaceFactory } from './testing.js';

const unregister = registerTinyDataset();
afterAll(() => unregister());

/** The scope a run of ofa with ofa-subnet hands its services (only its config and space are read). */
function scope(): RunScope {
  const strategyOptions = parseOptions('ofa', ofaStrategyFactory.options, TINY_OFA);
  const config = {
    strategy: 'ofa',
    estimator: OFA_ESTIMATOR,
    strategyOptions,
    seed: 3,
    concurrency: 1,
  } as unknown as RunConfig;
  const no = () => {
    throw new Error('not in this test');
  };
  return { config, space: tinyMbv3SpaceFactory.create({}), get: no, has: () => false, progress: no };
}

describe('OfaService.scoreOn', () => {
  let service: OfaService;
  let arch: Mbv3Arch;
  beforeAll(async () => {
    const s = scope();
    service = new OfaService(s);
    await service.ready();
    arch = s.space.sample(Rng.fromSeed('scoreOn')) as Mbv3Arch;
  });

  const part = (data: TrainingData, from: number, to: number): Samples => ({
    split: data.test.split,
    indices: data.test.indices.slice(from, to),
  });

  it('scores the images it is given: each alone is right or wrong, and together they score the mean', async () => {
    const n = 12;
    const alone: number[] = [];
    for (let i = 0; i < n; i++) alone.push(await service.scoreOn(arch, 16, (d) => part(d, i, i + 1)));
    const together = await service.scoreOn(arch, 16, (d) => part(d, 0, n));
    for (const acc of alone) expect([0, 100]).toContain(acc);
    expect(together).toBeCloseTo(alone.reduce((a, b) => a + b, 0) / n, 9);
  });

  it('is score on the validation images it would pick, and puts the supernet’s BN statistics back', async () => {
    const before = service.supernet.buffers.map((v) => v.arraySync());
    const viaScoreOn = await service.scoreOn(arch, 16, (d) => service.fixedImages(d.val, 10, 'eval'));
    expect(viaScoreOn).toBe(await service.score(arch, { bnImages: 16, evalImages: 10 }));
    expect(service.supernet.buffers.map((v) => v.arraySync())).toEqual(before);
    // Other BN images, another recalibration: the score may change, the supernet still does not.
    await service.scoreOn(arch, 48, (d) => d.val);
    expect(service.supernet.buffers.map((v) => v.arraySync())).toEqual(before);
  });
});
