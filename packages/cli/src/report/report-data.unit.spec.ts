import {
  NB201_EDGES,
  NB201_OPS,
  nb201Cifar10Factory,
  nb201Cifar100Factory,
  nb201SpaceFactory,
} from '@archlab/bench-nb201';
import {
  bestSoFar,
  type EventStore,
  PluginRegistry,
  paretoFront,
  type RunEvent,
  randomStrategyFactory,
  upcast,
} from '@archlab/core';
import { runSearch, syntheticCostFactory } from '@archlab/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CONFIDENCE_Z,
  gridOf,
  MAX_SERIES_POINTS,
  ReportBuilder,
  reportData,
  valueAt,
} from './report-data.js';

function registry(): PluginRegistry {
  const r = new PluginRegistry();
  r.register('space', nb201SpaceFactory);
  r.register('strategy', randomStrategyFactory);
  for (const table of [nb201Cifar10Factory, nb201Cifar100Factory]) r.register('estimator', table);
  r.register('hardware model', syntheticCostFactory);
  return r;
}

const spaceFor = () => nb201SpaceFactory.create({});

async function eventsOf(store: EventStore, runId: string): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const s of store.read(runId)) out.push(upcast(s));
  return out;
}

describe('reportData of a real NB201 run', () => {
  let store: EventStore;
  let state: Awaited<ReturnType<typeof runSearch>>['state'];
  beforeAll(async () => {
    const out = await runSearch(registry(), {
      space: 'nb201',
      estimator: 'nb201:cifar10',
      strategy: 'random',
      seed: 4,
      budget: { trials: 60 },
      objectives: [
        { metric: 'test_acc', direction: 'max' },
        { metric: 'latency_ms', direction: 'min' },
      ],
      hardware: [{ name: 'synthetic-cost', options: { cheap: false } }],
    });
    store = out.store;
    state = out.state;
  });

  it('holds every trial as columns, the head, and best-so-far where it improves', async () => {
    const data = await reportData(store, ['test-run'], { spaceFor });
    const run = data.runs[0]!;
    expect(run.trials.id).toEqual(state.trials.map((t) => t.trialId));
    expect(run.trials.id.map((_, i) => run.trials.archs[run.trials.arch[i]!])).toEqual(
      state.trials.map((t) => t.arch),
    );
    expect(run.trials.metrics.test_acc).toEqual(state.trials.map((t) => t.metrics!.test_acc));
    expect(run.head).toEqual({ seq: state.lastSeq, hash: state.lastHash });
    // The step series, expanded to every trial, is core's bestSoFar.
    const curve = bestSoFar(state);
    expect(curve.map((_, i) => valueAt(run.bestByTrial, i + 1))).toEqual(curve);
    expect(run.bestByTrial.value.at(-1)).toBe(run.best!.metrics.test_acc);
    // The clock of runSearch ticks 1 ms a call: trials end in order, so by time it is the same steps.
    expect(run.bestBySeconds.value).toEqual(run.bestByTrial.value);
    expect(run.bestBySeconds.x).toEqual([...run.bestBySeconds.x].sort((a, b) => a - b));
    expect(run.verify).toEqual({ mode: 'off', ok: null });
  });

  it('counts the choices of the top-k distinct architectures per decision of the encoding', async () => {
    const data = await reportData(store, ['test-run'], { spaceFor, topK: 7 });
    const ops = data.runs[0]!.ops!;
    expect(ops.top).toBe(7);
    expect(ops.decisions.map((d) => d.name)).toEqual(NB201_EDGES.map(([a, b]) => `${a}->${b}`));
    for (const d of ops.decisions) {
      expect(d.choices).toEqual([...NB201_OPS]);
      expect(d.counts.reduce((a, b) => a + b, 0)).toBe(7);
    }
    // By hand: the 7 best distinct architectures' ops on edge 0->1.
    const space = spaceFor();
    const best = state.trials
      .filter((t) => t.status === 'completed')
      .sort((a, b) => b.metrics!.test_acc! - a.metrics!.test_acc! || a.trialId - b.trialId)
      .map((t) => t.arch!)
      .filter((k, i, all) => all.indexOf(k) === i)
      .slice(0, 7);
    const first = best.map((k) => space.encoding!.encode(space.parse(k))[0]!);
    expect(ops.decisions[0]!.counts).toEqual(NB201_OPS.map((_, c) => first.filter((x) => x === c).length));
    // The best cell is spelled by the same encoding.
    const cell = data.runs[0]!.bestCell!;
    expect(cell.arch).toBe(state.trials[state.best!.trialId]!.arch);
    expect(cell.decisions).toHaveLength(6);
  });

  it('has the Pareto front and a hypervolume that only grows, ending at the front’s', async () => {
    const run = (await reportData(store, ['test-run'])).runs[0]!;
    const p = run.pareto!;
    expect(p.front.map((f) => f.trialId)).toEqual(paretoFront(state).map((t) => t.trialId));
    expect(p.front.length).toBeGreaterThan(2);
    const hv = p.hypervolume.value;
    for (let i = 1; i < hv.length; i++) expect(hv[i]!).toBeGreaterThanOrEqual(hv[i - 1]!);
    expect(p.hypervolume.trial.at(-1)).toBe(60);
    // By hand, in 2-D: the staircase of the final front above the reference (worst acc, worst latency).
    const [accRef, latRef] = p.reference as [number, number];
    // Strips between consecutive accuracies, best first: each as tall as the lowest latency of the
    // points at least that accurate.
    const byAcc = p.front.map((f) => f.values as [number, number]).sort((x, y) => y[0] - x[0]);
    let area = 0;
    let lowest = Number.POSITIVE_INFINITY;
    byAcc.forEach(([acc, lat], i) => {
      lowest = Math.min(lowest, lat);
      area += (acc - (byAcc[i + 1]?.[0] ?? accRef)) * (latRef - lowest);
    });
    expect(hv.at(-1)).toBeCloseTo(area, 6);
  });

  it('updates event by event: data() midway leaves the builder as it was', async () => {
    const events = await eventsOf(store, 'test-run');
    const live = new ReportBuilder(['test-run']);
    const half = Math.floor(events.length / 2);
    for (const e of events.slice(0, half)) live.apply(e);
    const partial = live.data({ spaceFor });
    expect(partial.runs[0]!.trials.id.length).toBeLessThan(60);
    for (const e of events.slice(half)) live.apply(e);
    const whole = await reportData(store, ['test-run'], { spaceFor });
    expect(live.data({ spaceFor })).toEqual(whole);
  });

  it('keeps learning curves from TrialProgressed, best trials first', () => {
    const b = new ReportBuilder(['r']);
    const ev = (seq: number, type: string, data: unknown) =>
      ({
        runId: 'r',
        seq,
        ts: 1000 + seq,
        hash: `h${seq}`,
        prevHash: '',
        type,
        data,
        v: 1,
      }) as unknown as RunEvent;
    b.apply(ev(0, 'RunStarted', { config: { ...state.config, objectives: undefined }, packages: {} }));
    let seq = 1;
    for (const [trialId, acc] of [
      [0, 80],
      [1, 90],
    ] as const) {
      b.apply(ev(seq++, 'TrialProposed', { trialId, arch: state.trials[trialId]!.arch }));
      b.apply(ev(seq++, 'TrialStarted', { trialId }));
      for (let step = 1; step <= 3; step++)
        b.apply(
          ev(seq++, 'TrialProgressed', { trialId, step, metrics: { loss: 1 / step, acc: acc - 3 + step } }),
        );
      b.apply(ev(seq++, 'TrialCompleted', { trialId, metrics: { test_acc: acc } }));
    }
    const curves = b.data().runs[0]!.learningCurves;
    expect(curves.map((c) => [c.trialId, c.metric])).toEqual([
      [1, 'loss'],
      [1, 'acc'],
      [0, 'loss'],
      [0, 'acc'],
    ]);
    expect(curves[1]).toEqual({ trialId: 1, metric: 'acc', step: [1, 2, 3], value: [88, 89, 90] });
  });
});

describe('groups of runs (a compare)', () => {
  it('has per strategy the mean best-so-far of its runs with a 95% band', async () => {
    const store = (
      await runSearch(registry(), {
        space: 'nb201',
        estimator: 'nb201:cifar10',
        strategy: 'random',
        seed: 1,
        budget: { trials: 30 },
      })
    ).store;
    // A second run in the same store, under another id.
    const r = registry();
    const { Search } = await import('@archlab/core');
    let t = 1_700_000_000_000;
    const s2 = await Search.start(
      { store, plugins: r, clock: () => (t += 1) },
      { space: 'nb201', estimator: 'nb201:cifar10', strategy: 'random', seed: 2, budget: { trials: 30 } },
      'second',
    );
    await s2.run();
    const data = await reportData(store, ['test-run', 'second']);
    const g = data.groups!;
    expect(g).toHaveLength(1);
    expect(g[0]!.runs).toEqual(['test-run', 'second']);
    expect(g[0]!.byTrial.map((p) => p.x)).toEqual(gridOf(30));
    const a = data.runs[0]!.bestByTrial;
    const b = data.runs[1]!.bestByTrial;
    const at10 = g[0]!.byTrial[9]!;
    const [u, v] = [valueAt(a, 10)!, valueAt(b, 10)!];
    expect(at10.mean).toBeCloseTo((u + v) / 2, 10);
    // Two values: s.e. = |u − v| / 2.
    expect(at10.hi - at10.mean).toBeCloseTo((CONFIDENCE_Z * Math.abs(u - v)) / 2, 10);
    expect(at10.n).toBe(2);
    // By time, from the first moment both runs have a best.
    const start = Math.max(data.runs[0]!.bestBySeconds.x[0]!, data.runs[1]!.bestBySeconds.x[0]!);
    expect(g[0]!.bySeconds.every((p) => p.n === 2 && p.x >= start)).toBe(true);
    expect(g[0]!.bySeconds.length).toBeGreaterThan(MAX_SERIES_POINTS / 2);
  });

  it('averages a run only with runs of the same space, estimator and objective', async () => {
    const r = registry();
    const store = (
      await runSearch(r, {
        space: 'nb201',
        estimator: 'nb201:cifar10',
        strategy: 'random',
        seed: 1,
        budget: { trials: 10 },
      })
    ).store;
    const { Search } = await import('@archlab/core');
    for (const [id, estimator] of [
      ['b', 'nb201:cifar10'],
      ['c', 'nb201:cifar100'],
    ] as const) {
      const s = await Search.start(
        { store, plugins: r },
        { space: 'nb201', estimator, strategy: 'random', seed: 2, budget: { trials: 10 } },
        id,
      );
      await s.run();
    }
    const groups = (await reportData(store, ['test-run', 'b', 'c'])).groups!;
    expect(groups.map((g) => [g.name, g.runs])).toEqual([
      ['random (nb201 / nb201:cifar10, test_acc:max)', ['test-run', 'b']],
      ['random (nb201 / nb201:cifar100, test_acc:max)', ['c']],
    ]);
  });
});
