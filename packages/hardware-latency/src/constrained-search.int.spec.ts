import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchNb201Module, nb201Space, nb201SpaceNetwork } from '@archlab/bench-nb201';
import { Container, coreModule, PluginRegistry, Rng } from '@archlab/core';
import { readAll, runSearch } from '@archlab/core/testing';
import type { LayerInfo } from '@archlab/nn';
import { describe, expect, it } from 'vitest';
import { hardwareLatencyModule } from './hardware-latency-module.js';
import { lutModel, profileDevice } from './lut.js';

/** Synthetic costs: convolutions dear by their multiply-adds, everything else cheap. */
const costOf = (layer: LayerInfo) => 0.002 + layer.flops * 1e-8;

describe('a latency-constrained search (nb201:cifar10, lut from a synthetic table)', () => {
  it('completes only architectures within the limit and prunes the others unevaluated', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'archlab-constrained-')), 'synthetic.lut.json');
    const lut = await profileDevice(await nb201SpaceNetwork.load(), nb201Space, {
      timer: async (t) => (t.kind === 'op' ? costOf(t.layer) : 0.1),
      passes: 1,
      out: file,
    });
    // The limit: the median prediction over 301 random architectures, so about half break it.
    const model = lutModel(nb201SpaceNetwork, nb201Space, lut);
    const rng = Rng.fromSeed(5);
    const sample: number[] = [];
    for (let i = 0; i < 301; i++) sample.push((await model.cost(nb201Space.sample(rng))).latency_ms!);
    const limit = sample.sort((a, b) => a - b)[150]!;

    const container = new Container();
    for (const m of [coreModule, benchNb201Module, hardwareLatencyModule]) container.load(m);
    const { state, store } = await runSearch(new PluginRegistry(container), {
      space: 'nb201',
      estimator: 'nb201:cifar10',
      strategy: 'random',
      seed: 3,
      budget: { trials: 60 },
      hardware: [{ name: 'lut', options: { file } }],
      constraints: [{ metric: 'latency_ms', op: '<=', bound: limit }],
    });

    const completed = state.trials.filter((t) => t.status === 'completed');
    const pruned = state.trials.filter((t) => t.status === 'pruned');
    expect(completed).toHaveLength(60);
    expect(pruned.length).toBeGreaterThan(10);
    expect(completed.length + pruned.length).toBe(state.trials.length);
    for (const t of completed) {
      const ms = (await model.cost(nb201Space.parse(t.arch!))).latency_ms!;
      expect(t.metrics).toEqual({ test_acc: expect.any(Number), latency_ms: ms });
      expect(ms).toBeLessThanOrEqual(limit);
      expect(t.violations).toBeUndefined();
    }
    for (const t of pruned) {
      // Only the cheap model's cost is known: the estimator never ran.
      expect(Object.keys(t.metrics!)).toEqual(['latency_ms']);
      expect(t.metrics!.latency_ms).toBeGreaterThan(limit);
      expect(t.violations).toEqual([`latency_ms=${t.metrics!.latency_ms} breaks latency_ms<=${limit}`]);
    }
    const started = new Set(
      (await readAll(store, state.runId))
        .filter((e) => e.type === 'TrialStarted')
        .map((e) => (e.data as { trialId: number }).trialId),
    );
    expect(pruned.some((t) => started.has(t.trialId))).toBe(false);
    const best = Math.max(...completed.map((t) => t.metrics!.test_acc!));
    expect(state.best?.metrics.test_acc).toBe(best);
    expect(state.counts).toMatchObject({ completed: 60, pruned: pruned.length, infeasible: 0 });
  });
});
