import { Container, coreModule, PluginRegistry } from '@archlab/core';
import { describeWith, readAll, runSearch } from '@archlab/core/testing';
import { hardwareLatencyModule } from '@archlab/hardware-latency';
import { fashionMnistRequirement, trainerTfjsModule } from '@archlab/trainer-tfjs';
import { expect, it } from 'vitest';
import { mbv3ScaledSpace } from './mbv3-scaled-space.js';
import { strategyEffnetModule } from './strategy-effnet-module.js';

/** Two stages of tiny widths on 12×12 images. */
const spaceOptions = {
  stem: 8,
  widths: '8,16',
  strides: '1,2',
  final: 16,
  resolutions: '12',
  depths: '1,2',
  kernels: '3',
  expands: '2',
};
const base = 'r12-k3e2-k3e2';

function registry(): PluginRegistry {
  const container = new Container();
  for (const m of [coreModule, trainerTfjsModule, hardwareLatencyModule, strategyEffnetModule])
    container.load(m);
  return new PluginRegistry(container);
}

/** A search of compound-scaling on mbv3-scaled, each trial trained for 1 epoch on 200 images. */
const search = (strategyOptions: Record<string, unknown>, trials: number) =>
  runSearch(registry(), {
    space: 'mbv3-scaled',
    spaceOptions,
    estimator: 'train',
    estimatorOptions: { epochs: 1, 'max-train': 200, 'max-test': 100, 'batch-size': 32, workers: 1 },
    strategy: 'compound-scaling',
    // (α, β, γ) = (2, 1, 1) and (1, 1, 1.5): the grid of α ∈ {1, 2}, γ ∈ {1, 1.5} within 0.3 of 2.
    strategyOptions: { base, alphas: '1,2', betas: '1', gammas: '1,1.5', tolerance: 0.3, ...strategyOptions },
    hardware: [{ name: 'latency', options: { runs: 3, warmup: 1 } }],
    seed: 4,
    budget: { trials },
  });

describeWith(fashionMnistRequirement(), 'compound-scaling on a Fashion-MNIST slice', () => {
  it('trains the grid, scales the best by val_acc, and records real FLOPs and latency; a baseline matches them', async () => {
    const space = mbv3ScaledSpace(spaceOptions);
    const flops = await space.flopsCounter();
    const { state, store } = await search({ 'phi-max': 2 }, 10);
    // Two grid points at φ=1 (α first in grid order), then φ=2 of the better: the run ends when the strategy is done.
    expect(state.trials.map((t) => t.status)).toEqual(['completed', 'completed', 'completed']);
    const [first, second, scaled] = state.trials;
    expect(first!.arch).toBe(`d1,w1,r1.5:${base}`);
    expect(second!.arch).toBe(`d2,w1,r1:${base}`);
    const accs = [first!, second!].map((t) => t.metrics!.val_acc!);
    // The better by val_acc; the first in grid order on a tie.
    const picked = accs[1]! > accs[0]! ? { alpha: 2, beta: 1, gamma: 1 } : { alpha: 1, beta: 1, gamma: 1.5 };
    expect(scaled!.arch).toBe(`d${picked.alpha ** 2},w1,r${picked.gamma ** 2}:${base}`);
    const progressed = (await readAll(store, state.runId)).filter((e) => e.type === 'Progressed');
    expect(progressed.map((e) => e.data)).toEqual([
      {
        owner: 'strategy',
        step: 1,
        metrics: { ...picked, flops_factor: picked.alpha * picked.gamma ** 2, best_score: Math.max(...accs) },
      },
    ]);
    for (const t of state.trials) {
      // The FLOPs the trained network has are the ones the strategy counts.
      expect(t.metrics!.flops).toBe(flops(space.parse(t.arch!)));
      expect(t.metrics!.latency_ms).toBeGreaterThan(0);
    }

    // Width alone to the FLOPs of compound φ = 1, 2 of the same coefficients.
    const coefficients = `${picked.alpha},${picked.beta},${picked.gamma}`;
    const baseline = await search({ coefficients, only: 'width', 'phi-max': 2 }, 10);
    expect(baseline.state.trials).toHaveLength(2);
    const targets = [picked.alpha === 2 ? second! : first!, scaled!].map((t) => t.metrics!.flops!);
    baseline.state.trials.forEach((t, i) => {
      const arch = space.parse(t.arch!);
      expect(arch.m.depth).toBe(1);
      expect(arch.m.resolution).toBe(1);
      expect(t.metrics!.flops).toBe(flops(arch));
      // No width multiplier (in hundredths, up to 4) comes closer to the target than the one chosen.
      const err = (f: number) => Math.abs(Math.log(f / targets[i]!));
      for (let w = 100; w <= 400; w++)
        expect(err(t.metrics!.flops!)).toBeLessThanOrEqual(
          err(flops({ ...arch, m: { ...arch.m, width: w / 100 } })) + 1e-12,
        );
    });
  }, 600_000);
});
