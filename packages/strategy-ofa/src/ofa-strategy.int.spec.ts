import { type HardwareModel, parseOptions, Rng, type SearchSpace } from '@archlab/core';
import { strategyContract } from '@archlab/core/testing';
import { registerTinyDataset } from '@archlab/oneshot/testing';
import { type Mbv3Arch, mbv3Space } from '@archlab/space-mbv3';
import { describe, expect, it } from 'vitest';
import { ofaEstimatorFactory } from './ofa-estimator.js';
import { OFA_ESTIMATOR, OfaRun, type OfaService, ofaRunService } from './ofa-service.js';
import { ofaStrategyFactory } from './ofa-strategy.js';
import { ofaRunScope, TINY_MBV3, TINY_OFA, tinyMbv3SpaceFactory } from './testing.js';

registerTinyDataset();

// Four phases of one epoch each (training asks), three measured subnets, one pick by the
// predictor: every resume point (in each phase, in the measurements, at the pick), verify,
// pruning and warm-up trials on a real supernet; once with one subnet per step, once with
// three (the draws of a step, their summed loss, resume within a step's draws).
for (const perStep of [1, 3]) {
  strategyContract(ofaStrategyFactory, {
    space: tinyMbv3SpaceFactory,
    estimator: ofaEstimatorFactory,
    runServices: [ofaRunService],
    strategyOptions: { ...TINY_OFA, 'subnets-per-step': perStep },
    trials: 8,
    checkpointEvery: 1,
    oneAtATime: 'the ofa-subnet estimator scores with the supernet the strategy trains between trials',
  });
}

/** An `ofa` strategy on a hand-made run scope (the run's supernet service, and `hardware` as the run's models). */
function ofaRun(
  space: SearchSpace,
  overrides: Record<string, unknown>,
  hardware: readonly HardwareModel[] = [],
) {
  const options = parseOptions('ofa', ofaStrategyFactory.options, { ...TINY_OFA, ...overrides });
  const config = {
    strategy: 'ofa',
    estimator: OFA_ESTIMATOR,
    seed: 5,
    concurrency: 1,
    strategyOptions: options,
  };
  const scope = ofaRunScope(config, space, { hardware });
  const service = scope.get<OfaService>(OfaRun);
  const ofa = ofaStrategyFactory.create({
    space,
    rng: Rng.fromSeed('5/strategy'),
    options,
    objective: { metric: 'ofa_acc', direction: 'max' },
    budget: { trials: 8 },
    concurrency: 1,
    services: scope,
    progress: scope.reporter,
  } as never);
  return { ofa, service };
}

describe('subnets-per-step', () => {
  /** A run's first `asks` asks (training epochs); the supernet's weights hash after each, and its trained variables at the end. */
  async function train(space: SearchSpace, overrides: Record<string, unknown>, asks: number) {
    const { ofa, service } = ofaRun(space, overrides);
    const hashes: string[] = [];
    for (let a = 0; a < asks; a++) {
      await ofa.ask();
      hashes.push(await service.weightsHash());
    }
    const { trainer } = await service.ready();
    return { hashes, weights: trainer.supernet.variables.map((v) => v.dataSync().slice()) };
  }

  it('sums the losses of the subnets drawn for a step: three copies of one subnet step like three times the learning rate', async () => {
    // One kernel and one resolution: the kernel phase's every draw is the largest network.
    const space = mbv3Space({ ...TINY_MBV3, kernels: '7', resolutions: '8' });
    const plain = { 'weight-decay': 0, 'full-epochs': 1, 'kernel-epochs': 1, 'kd-weight': 0 };
    const three = await train(space, { ...plain, 'subnets-per-step': 3, 'shrink-lr': 0.02 }, 2);
    const tripled = await train(space, { ...plain, 'subnets-per-step': 1, 'shrink-lr': 0.06 }, 2);
    const one = await train(space, { ...plain, 'subnets-per-step': 1, 'shrink-lr': 0.02 }, 2);
    // The full phase trains the largest network alone whatever the option.
    expect(three.hashes[0]).toBe(one.hashes[0]);
    let moved = 0;
    three.weights.forEach((w, i) => {
      const t = tripled.weights[i]!;
      for (let j = 0; j < w.length; j++) {
        expect(Math.abs(w[j]! - t[j]!)).toBeLessThan(1e-5 * (1 + Math.abs(t[j]!)));
        moved = Math.max(moved, Math.abs(w[j]! - one.weights[i]![j]!));
      }
    });
    // …and not like the plain learning rate.
    expect(moved).toBeGreaterThan(1e-3);
  });

  it('trains the same weights from the same options, and other weights than one subnet per step', async () => {
    const space = tinyMbv3SpaceFactory.create({});
    const [one, three] = [await train(space, {}, 3), await train(space, { 'subnets-per-step': 3 }, 3)];
    expect(three.hashes[0]).toBe(one.hashes[0]);
    expect(three.hashes[1]).not.toBe(one.hashes[1]);
    expect((await train(space, { 'subnets-per-step': 3 }, 2)).hashes).toEqual(three.hashes.slice(0, 2));
  });
});

describe('a budget only the fastest subnet meets', () => {
  // A table where every choice above the smallest costs more: only the fastest subnet meets a
  // budget equal to its latency, and the model names it as its floor (as a lookup table does).
  const space = tinyMbv3SpaceFactory.create({}) as ReturnType<typeof mbv3Space>;
  const { resolutions, depths, kernels, expands } = space.config;
  const latency = (a: Mbv3Arch) =>
    1 +
    resolutions.indexOf(a.resolution) +
    a.stages.reduce(
      (t, blocks) =>
        t +
        depths.indexOf(blocks.length) +
        blocks.reduce((u, b) => u + kernels.indexOf(b.kernel) + expands.indexOf(b.expand), 0),
      0,
    );
  const fastest: Mbv3Arch = {
    resolution: resolutions[0]!,
    stages: space.config.widths.map(() =>
      Array.from({ length: depths[0]! }, () => ({ kernel: kernels[0]!, expand: expands[0]! })),
    ),
  };
  const model = (named: boolean): HardwareModel => ({
    name: 'table',
    metrics: ['latency_ms'],
    cheap: true,
    device: {},
    cost: async (arch) => ({ latency_ms: latency(arch as Mbv3Arch) }),
    floors: async () => [
      {
        metric: 'latency_ms',
        value: 1,
        text: 'the fastest subnet takes 1 ms',
        ...(named && { arch: space.key(fastest) }),
      },
    ],
  });
  /** The run up to its pick under a budget of 1 ms, with one subnet looked at by the evolution. */
  async function pick(named: boolean): Promise<Mbv3Arch | undefined> {
    const { ofa } = ofaRun(space, { budgets: '1', 'search-steps': 1 }, [model(named)]);
    for (let t = 0; t < 7; t++) {
      const arch = (await ofa.ask())!;
      const key = space.key(arch);
      ofa.tell({
        trialId: t,
        arch,
        key,
        status: 'completed',
        metrics: { ofa_acc: 10 + latency(arch) },
      } as never);
    }
    return ofa.ask();
  }

  it('is met by the fastest subnet the table names when the evolution looked at none that fits', async () => {
    expect(latency(fastest)).toBe(1);
    const picked = await pick(true);
    expect(space.key(picked!)).toBe(space.key(fastest));
  });

  it('without a named floor is an error naming the fastest subnet looked at', async () => {
    await expect(pick(false)).rejects.toThrow(
      /no subnet meets latency_ms<=1: the fastest of the 1 looked at takes \d+\.\d{3} ms; raise the budget/,
    );
  });
});
