import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  type Constraint,
  InMemoryEventStore,
  InvalidOptionError,
  mnasReward,
  PluginRegistry,
  paretoFront,
  prunedLimit,
  ReplayDivergenceError,
  randomStrategyFactory,
  replayRun,
  Search,
  type SearchConfigInput,
  type StrategyContext,
  type StrategyFactory,
  type TrialResult,
  UnknownPluginError,
  violations,
} from '../src/index.js';
import {
  copyLogPrefix,
  countingEstimatorFactory,
  digitsSpace,
  digitsSpaceFactory,
  hardwareModelContract,
  hashScore,
  readAll,
  runSearch,
  syntheticCost,
  syntheticCostFactory,
  syntheticEstimator,
  tamperedCopy,
  trialsOf,
} from '../src/testing/index.js';

/**
 * A registry whose estimator and hardware models count their calls, and whose 'spy' strategy
 * (random underneath) records every context it is created with and every result it is told.
 */
function setup() {
  const calls = { evaluate: 0, cheap: 0, expensive: 0 };
  const told: TrialResult[] = [];
  const contexts: StrategyContext[] = [];
  const r = new PluginRegistry();
  r.register('space', digitsSpaceFactory);
  r.register('strategy', randomStrategyFactory);
  r.register(
    'estimator',
    countingEstimatorFactory(() => {
      calls.evaluate++;
    }),
  );
  r.register('hardware model', {
    ...syntheticCostFactory,
    create: (space, o) => {
      const inner = syntheticCostFactory.create(space, o);
      return {
        ...inner,
        cost: (arch: unknown) => {
          calls[inner.cheap ? 'cheap' : 'expensive']++;
          return inner.cost(arch);
        },
      };
    },
  });
  const spy: StrategyFactory = {
    ...randomStrategyFactory,
    name: 'spy',
    create: (ctx) => {
      contexts.push(ctx);
      const inner = randomStrategyFactory.create(ctx);
      return {
        ask: () => inner.ask(),
        tell: (result) => {
          told.push(result);
          return inner.tell(result);
        },
      };
    },
  };
  r.register('strategy', spy);
  return { registry: r, calls, told, contexts };
}

const latency: Constraint = { metric: 'latency_ms', op: '<=', bound: 7 };
const heavy: Constraint = { metric: 'm_params', op: '<=', bound: 600_000 };
const weak: Constraint = { metric: 'score', op: '>=', bound: 15 };

/** Cheap latency (pruning), expensive `m_` costs (checked after evaluation), and a bound on the estimator's score. */
const constrained: SearchConfigInput = {
  space: 'digits',
  estimator: 'counting',
  strategy: 'spy',
  seed: 1,
  budget: { trials: 60 },
  checkpointEvery: 0,
  hardware: [{ name: 'synthetic-cost' }, { name: 'synthetic-cost', options: { cheap: false, prefix: 'm_' } }],
  constraints: [latency, heavy, weak],
};

hardwareModelContract('synthetic-cost', () => syntheticCost(digitsSpace()), digitsSpace());

describe('constraints, cost models and pruning in the engine', () => {
  it('prunes on cheap costs before evaluating: no estimator call, no TrialStarted, the costs and the reason recorded', async () => {
    const { registry, calls } = setup();
    const out = await runSearch(registry, constrained);
    const s = out.state;
    const pruned = s.trials.filter((t) => t.status === 'pruned');
    const completed = s.trials.filter((t) => t.status === 'completed');
    expect(pruned.length).toBeGreaterThan(5);
    // Pruned trials cost nothing and do not use the budget: 60 are evaluated.
    expect(completed.length).toBe(60);
    expect(s.trials).toHaveLength(60 + pruned.length);
    expect(calls.evaluate).toBe(completed.length);
    expect(calls.cheap).toBe(60 + pruned.length);
    expect(calls.expensive).toBe(completed.length);
    const events = await readAll(out.store, out.runId);
    const started = new Set(
      events.filter((e) => e.type === 'TrialStarted').map((e) => (e.data as { trialId: number }).trialId),
    );
    for (const t of pruned) {
      expect(started.has(t.trialId)).toBe(false);
      const e = events.find(
        (x) => x.type === 'TrialPruned' && (x.data as { trialId: number }).trialId === t.trialId,
      )!;
      const cost = await syntheticCost(registry.get('space', 'digits').create({})).cost(
        t.arch!.split('-').map(Number),
      );
      expect(e.data).toEqual({
        trialId: t.trialId,
        reason: `latency_ms=${cost.latency_ms} breaks latency_ms<=7`,
        metrics: cost,
        gate: 'hardware',
      });
      expect(t.violations).toEqual([`latency_ms=${cost.latency_ms} breaks latency_ms<=7`]);
    }
  });

  it('merges every source into the metrics; completed infeasible trials stay in the log, out of best and the front', async () => {
    const { registry } = setup();
    const { state: s } = await runSearch(registry, constrained);
    const completed = s.trials.filter((t) => t.status === 'completed');
    for (const t of completed) {
      expect(Object.keys(t.metrics!).sort()).toEqual([
        'latency_ms',
        'm_latency_ms',
        'm_params',
        'params',
        'score',
      ]);
      expect(t.metrics!.score).toBe(hashScore(t.arch!));
      // Pruning held: no evaluated trial breaks the cheap constraint.
      expect(t.metrics!.latency_ms).toBeLessThanOrEqual(7);
    }
    const feasible = completed.filter((t) => !t.violations);
    const infeasible = completed.filter((t) => t.violations);
    expect(infeasible.length).toBeGreaterThan(0);
    expect(s.counts.infeasible).toBe(infeasible.length);
    for (const t of feasible) expect(violations([latency, heavy, weak], t.metrics)).toEqual([]);
    for (const t of infeasible) expect(t.violations).toEqual(violations([latency, heavy, weak], t.metrics));
    const bestFeasible = Math.max(...feasible.map((t) => t.metrics!.score!));
    expect(s.best!.metrics.score).toBe(bestFeasible);
    // The seed is one where an infeasible trial scores higher: best really skips it.
    expect(Math.max(...infeasible.map((t) => t.metrics!.score!))).toBeGreaterThan(bestFeasible);
    const front = paretoFront(s, [
      { metric: 'score', direction: 'max' },
      { metric: 'latency_ms', direction: 'min' },
    ]);
    expect(front.length).toBeGreaterThan(1);
    expect(front.every((t) => t.status === 'completed' && !t.violations)).toBe(true);
    expect(front.map((t) => t.trialId)).toContain(s.best!.trialId);
  });

  it('tells the strategy each outcome in log order: pruned and infeasible ones with score NaN and feasible false', async () => {
    const { registry, told, contexts } = setup();
    const out = await runSearch(registry, constrained);
    const results = (await readAll(out.store, out.runId)).filter((e) =>
      ['TrialCompleted', 'TrialPruned', 'TrialFailed'].includes(e.type),
    );
    expect(told.map((r) => r.trialId)).toEqual(results.map((e) => (e.data as { trialId: number }).trialId));
    for (const r of told) {
      const t = out.state.trials[r.trialId]!;
      expect(r.status).toBe(t.status);
      expect(r.feasible).toBe(!t.violations);
      if (t.violations) {
        expect(r.score).toBeNaN();
        expect(r.violations).toEqual(t.violations);
      } else {
        expect(r.score).toBe(t.metrics!.score);
      }
    }
    expect(contexts.at(-1)!.constraints).toEqual([latency, heavy, weak]);
    expect(contexts.at(-1)!.objectives).toEqual([{ metric: 'score', direction: 'max' }]);
  });

  it('records the config (v2) and the devices; a run without the new fields stays v1, as before', async () => {
    const { registry } = setup();
    const out = await runSearch(registry, constrained);
    const [started] = await readAll(out.store, out.runId);
    expect(started!.v).toBe(2);
    const data = started!.data as { config: Record<string, unknown>; env: { hardware: unknown } };
    expect(data.config.constraints).toEqual([latency, heavy, weak]);
    expect(data.config.hardware).toEqual([
      { name: 'synthetic-cost', options: { cheap: true, scale: 10, prefix: '' } },
      { name: 'synthetic-cost', options: { cheap: false, scale: 10, prefix: 'm_' } },
    ]);
    expect(data.env.hardware).toEqual([
      { name: 'synthetic-cost', device: { kind: 'synthetic' } },
      { name: 'synthetic-cost', device: { kind: 'synthetic' } },
    ]);
    const plain = await runSearch(registry, {
      space: 'digits',
      estimator: 'counting',
      budget: { trials: 3 },
    });
    const [first] = await readAll(plain.store, plain.runId);
    expect(first!.v).toBe(1);
    expect(Object.keys((first!.data as { config: object }).config)).not.toContain('objectives');
  });

  it('scores by the MnasNet reward when the run has one, and picks the best by it', async () => {
    const { registry, told } = setup();
    const out = await runSearch(registry, {
      space: 'digits',
      estimator: 'counting',
      strategy: 'spy',
      seed: 2,
      budget: { trials: 40 },
      hardware: [{ name: 'synthetic-cost' }],
      reward: { metric: 'latency_ms', target: 5 },
    });
    const reward = out.state.config!.reward!;
    expect(reward).toEqual({ kind: 'mnas', metric: 'latency_ms', target: 5, alpha: -0.07, beta: -0.07 });
    for (const r of told) expect(r.score).toBe(mnasReward(reward, r.metrics!.score, r.metrics!.latency_ms));
    const best = told.reduce((a, b) => (b.score > a.score ? b : a));
    expect(out.state.best!.trialId).toBe(best.trialId);
  });

  it('prunes with several trials in flight, uses exactly the budget, and verifies', async () => {
    const { registry, told } = setup();
    const out = await runSearch(registry, { ...constrained, concurrency: 4 });
    const { pruned } = out.state.counts;
    expect(pruned).toBeGreaterThan(0);
    expect(out.state.trials).toHaveLength(60 + pruned);
    expect(out.state.counts.completed).toBe(60);
    expect(out.reason).toBe('trials');
    expect(told).toHaveLength(60 + pruned);
    const r = await replayRun(out.store, setup().registry, out.runId, { mode: 'verify' });
    expect(r.reevaluated).toBe(60 + pruned);
  });

  it('ends a run whose constraints nothing meets after prunedLimit proposals, with reason pruned', async () => {
    const { registry, calls } = setup();
    // 5^8 architectures: random search does not run out of new ones before the limit.
    registry.register('space', { ...digitsSpaceFactory, name: 'wide', create: () => digitsSpace(8) });
    const out = await runSearch(registry, {
      ...constrained,
      space: 'wide',
      budget: { trials: 5 },
      constraints: [{ metric: 'latency_ms', op: '<=', bound: -1 }],
    });
    expect(prunedLimit(5)).toBe(10_000);
    expect(prunedLimit(1000)).toBe(100_000);
    expect(out.state.counts.pruned).toBe(prunedLimit(5));
    expect(out.state.counts.completed).toBe(0);
    expect(calls.evaluate).toBe(0);
    expect(out.reason).toBe('pruned');
  });

  it('lets a cheap deterministic model take over a metric the estimator reports; an expensive one may not', async () => {
    const { registry } = setup();
    // An estimator that also reports `params` (as `train` does), with values of its own.
    registry.register('estimator', {
      name: 'with-params',
      description: '',
      create: (space) => {
        const inner = syntheticEstimator({ space });
        return {
          ...inner,
          name: 'with-params',
          metrics: [...inner.metrics, { name: 'params', direction: 'min' }],
          evaluate: async (arch, ctx) => ({ ...(await inner.evaluate(arch, ctx)), params: -1 }),
        };
      },
    });
    const bound = 5000;
    const out = await runSearch(registry, {
      space: 'digits',
      estimator: 'with-params',
      seed: 3,
      budget: { trials: 30 },
      hardware: [{ name: 'synthetic-cost' }],
      constraints: [{ metric: 'params', op: '<=', bound }],
    });
    const model = syntheticCost(digitsSpace());
    expect(out.state.counts.pruned).toBeGreaterThan(0);
    for (const t of out.state.trials) {
      const params = (await model.cost(t.arch!.split('-').map(Number))).params!;
      expect(t.status).toBe(params <= bound ? 'completed' : 'pruned');
      expect(t.metrics!.params).toBe(params);
    }
    await expect(
      runSearch(registry, {
        space: 'digits',
        estimator: 'with-params',
        budget: { trials: 1 },
        hardware: [{ name: 'synthetic-cost', options: { cheap: false } }],
      }),
    ).rejects.toThrow(
      "metric 'params' comes from both estimator 'with-params' and hardware model 'synthetic-cost'; keep one of them (a metric needs one source)",
    );
  });

  it('fails a trial whose hardware model throws, naming the model, and goes on', async () => {
    const { registry } = setup();
    registry.register('hardware model', {
      name: 'broken',
      description: '',
      create: (space) => ({
        name: 'broken',
        metrics: ['watts'],
        cheap: true,
        device: {},
        cost: async (arch) => {
          if (space.key(arch).startsWith('1')) throw new Error('no power meter');
          return { watts: 3 };
        },
      }),
    });
    const out = await runSearch(registry, {
      space: 'digits',
      estimator: 'counting',
      seed: 1,
      budget: { trials: 20 },
      hardware: [{ name: 'broken' }],
    });
    const failed = out.state.trials.filter((t) => t.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.error).toEqual({
      name: 'HardwareCostError',
      message: "hardware model 'broken' failed: no power meter",
    });
    expect(
      out.state.trials.filter((t) => t.status === 'completed').every((t) => t.metrics!.watts === 3),
    ).toBe(true);
  });
});

describe('validation before the run starts (nothing written)', () => {
  const start = async (over: Partial<SearchConfigInput>) => {
    const { registry } = setup();
    const store = new InMemoryEventStore();
    const attempt = Search.start(
      { store, plugins: registry },
      { space: 'digits', estimator: 'counting', budget: { trials: 5 }, ...over },
      'v',
    );
    await attempt.catch(async () => expect(await store.listRuns()).toEqual([]));
    return attempt;
  };

  it('rejects a constraint, objective or reward on a metric no plugin produces, listing what is there', async () => {
    const hint = ' — add --hardware NAME with a hardware model that produces it (registered: synthetic-cost)';
    await expect(start({ constraints: [latency] })).rejects.toThrow(
      new ConfigError(
        `constraint latency_ms<=7 on 'latency_ms', but no plugin produces it; metrics available: score${hint}`,
      ),
    );
    await expect(
      start({
        objectives: [
          { metric: 'score', direction: 'max' },
          { metric: 'energy', direction: 'min' },
        ],
        hardware: [{ name: 'synthetic-cost' }],
      }),
    ).rejects.toThrow(
      new ConfigError(
        `objective on 'energy', but no plugin produces it; metrics available: score, latency_ms, params${hint}`,
      ),
    );
    await expect(start({ reward: { metric: 'latency_ms', target: 5 } })).rejects.toThrow(
      /^reward on 'latency_ms', but no plugin produces it/,
    );
  });

  it('names the known hardware models for an unknown one, and checks their options', async () => {
    await expect(start({ hardware: [{ name: 'lut' }] })).rejects.toThrow(
      new UnknownPluginError('hardware model', 'lut', ['synthetic-cost']),
    );
    await expect(start({ hardware: [{ name: 'lut' }] })).rejects.toThrow(
      "unknown hardware model 'lut'; known hardware models: synthetic-cost",
    );
    await expect(start({ hardware: [{ name: 'synthetic-cost', options: { scale: -1 } }] })).rejects.toThrow(
      new InvalidOptionError("hardware model 'synthetic-cost': option 'scale' must be at least 0, got -1"),
    );
  });

  it('rejects a metric with two sources, malformed constraints, objectives and rewards', async () => {
    await expect(
      start({ hardware: [{ name: 'synthetic-cost' }, { name: 'synthetic-cost' }] }),
    ).rejects.toThrow(
      "metric 'latency_ms' comes from both hardware model 'synthetic-cost' and hardware model 'synthetic-cost'; keep one of them (a metric needs one source)",
    );
    await expect(start({ constraints: [{ metric: 'score', op: '=<' as '<=', bound: 1 }] })).rejects.toThrow(
      /constraint \{"metric":"score","op":"=<","bound":1\} must name a metric and one of <= >= < >/,
    );
    await expect(start({ constraints: [{ metric: 'score', op: '<=', bound: Number.NaN }] })).rejects.toThrow(
      "constraint on 'score' needs a finite number as its bound, got NaN",
    );
    await expect(
      start({
        objectives: [
          { metric: 'score', direction: 'max' },
          { metric: 'score', direction: 'min' },
        ],
      }),
    ).rejects.toThrow("objective metric 'score' is named twice; name each metric once");
    await expect(
      start({
        objective: { metric: 'score', direction: 'min' },
        objectives: [{ metric: 'score', direction: 'max' }],
      }),
    ).rejects.toThrow(
      'objective score:min differs from the first of objectives (score:max); give one or the other',
    );
    const hw = { hardware: [{ name: 'synthetic-cost' }] };
    await expect(start({ ...hw, reward: { metric: 'latency_ms', target: 0 } })).rejects.toThrow(
      "reward target for 'latency_ms' must be a positive number, got 0",
    );
    await expect(
      start({
        ...hw,
        objective: { metric: 'params', direction: 'min' },
        reward: { metric: 'latency_ms', target: 5 },
      }),
    ).rejects.toThrow(
      "the mnas reward multiplies the primary objective, which must be maximised (an accuracy); 'params' is min",
    );
  });
});

describe('resume and replay with constraints', () => {
  it('resumes a run cut after any event into the identical trajectory', async () => {
    const config = { ...constrained, strategy: 'random', reward: { metric: 'latency_ms', target: 5 } };
    const full = await runSearch(setup().registry, config);
    const expected = trialsOf(full.state);
    const total = full.state.lastSeq + 1;
    for (let cut = 1; cut < total; cut++) {
      const store = new InMemoryEventStore();
      await copyLogPrefix(full.store, store, full.runId, cut);
      const { registry, calls } = setup();
      const before = full.state.trials.filter((t) => t.endSeq !== undefined && t.endSeq < cut).length;
      const resumed = await runSearch(registry, { resume: full.runId }, store);
      expect(trialsOf(resumed.state), `cut after ${cut} events`).toEqual(expected);
      expect(resumed.state.best, `cut after ${cut} events`).toEqual(full.state.best);
      expect(resumed.state.counts, `cut after ${cut} events`).toEqual(full.state.counts);
      // Trials that had ended before the cut are neither costed nor evaluated again.
      expect(calls.cheap, `cut after ${cut} events`).toBe(full.state.trials.length - before);
    }
  });

  it('verifies a log by recomputing deterministic costs, pruned trials included', async () => {
    const out = await runSearch(setup().registry, constrained);
    const r = await replayRun(out.store, setup().registry, out.runId, { mode: 'verify' });
    expect(r.reevaluated).toBe(out.state.trials.length);
    expect(r.state.counts).toEqual(out.state.counts);
  });

  /** A copy of the log with the first TrialPruned's metrics edited; `rechain` redoes every hash after it. */
  async function tampered(rechain: boolean, edit: (m: Record<string, number>) => Record<string, number>) {
    const out = await runSearch(setup().registry, constrained);
    const seq = (await readAll(out.store, out.runId)).findIndex((e) => e.type === 'TrialPruned');
    let data = { trialId: -1, metrics: {} as Record<string, number> };
    const store = await tamperedCopy(
      out.store,
      out.runId,
      seq,
      (e) => {
        data = e.data as typeof data;
        return { ...e, data: { ...data, metrics: edit(data.metrics) } };
      },
      rechain,
    );
    return { store, runId: out.runId, seq, trialId: data.trialId, metrics: data.metrics };
  }

  it('detects a tampered TrialPruned cost: by its hash, and by recomputing it when the chain was redone', async () => {
    const plain = await tampered(false, (m) => ({ ...m, latency_ms: m.latency_ms! + 1 }));
    await expect(replayRun(plain.store, setup().registry, plain.runId, { mode: 'verify' })).rejects.toThrow(
      `run '${plain.runId}' diverges at seq ${plain.seq}: TrialPruned does not match its hash`,
    );
    const forged = await tampered(true, (m) => ({ ...m, latency_ms: m.latency_ms! + 1 }));
    const err = await replayRun(forged.store, setup().registry, forged.runId, { mode: 'verify' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ReplayDivergenceError);
    expect(err.seq).toBe(forged.seq);
    expect(err.reason).toMatch(
      new RegExp(
        `^trial ${forged.trialId} \\(.+\\) records latency_ms=${forged.metrics.latency_ms! + 1}, but hardware model 'synthetic-cost' gives ${forged.metrics.latency_ms}$`,
      ),
    );
    // Resuming trusts the log (it recomputes nothing already recorded).
    await expect(
      replayRun(forged.store, setup().registry, forged.runId, { mode: 'resume' }),
    ).resolves.toBeDefined();
  });

  it('judges a trial a crash left unfinished on the cheap costs its TrialProposed records', async () => {
    const out = await runSearch(setup().registry, constrained);
    const events = await readAll(out.store, out.runId);
    const started = events.find((e) => e.type === 'TrialStarted')!;
    const { trialId } = started.data as { trialId: number };
    const at = events.findIndex(
      (e) => e.type === 'TrialProposed' && (e.data as { trialId: number }).trialId === trialId,
    );
    const proposal = events[at]!.data as { gates: { hardware: Record<string, number> } };
    expect(proposal.gates.hardware).toEqual(out.state.decision.gates.get(trialId)!.hardware);
    const forged = await tamperedCopy(
      out.store,
      out.runId,
      at,
      (e) => ({
        ...e,
        data: { ...proposal, gates: { hardware: { ...proposal.gates.hardware, latency_ms: 1e6 } } },
      }),
      true,
    );
    // Cut after its TrialStarted: it was never evaluated, so only its TrialProposed holds its costs.
    const store = new InMemoryEventStore();
    await copyLogPrefix(forged, store, out.runId, started.seq + 1);
    await expect(replayRun(store, setup().registry, out.runId, { mode: 'resume' })).rejects.toThrow(
      /was evaluated, but latency_ms=1000000 breaks latency_ms<=.*: the cheap hardware models should have pruned it/,
    );
  });

  it('detects a pruned trial whose recorded costs break no constraint', async () => {
    const forged = await tampered(true, (m) => ({ ...m, latency_ms: 1 }));
    await expect(replayRun(forged.store, setup().registry, forged.runId, { mode: 'verify' })).rejects.toThrow(
      /was pruned, but its recorded costs \{"latency_ms":1,"params":\d+\} break no constraint/,
    );
  });
});

describe('a constraint the whole space breaks', () => {
  /** digits with a cheap model whose floor of `latency_ms` is 4, reached by `0000`. */
  function registry() {
    const floor = 4;
    const r = new PluginRegistry();
    r.register('space', digitsSpaceFactory);
    r.register('strategy', randomStrategyFactory);
    r.register(
      'estimator',
      countingEstimatorFactory(() => {}),
    );
    r.register('hardware model', {
      ...syntheticCostFactory,
      create: (space, o) => ({
        ...syntheticCostFactory.create(space, o),
        floors: async () => [
          { metric: 'latency_ms', value: floor, text: `the fastest takes ${floor} ms (0000)` },
        ],
      }),
    });
    return r;
  }
  const config = (...constraints: Constraint[]): SearchConfigInput => ({
    space: 'digits',
    estimator: 'counting',
    seed: 1,
    budget: { trials: 5 },
    hardware: [{ name: 'synthetic-cost', options: {} }],
    constraints,
  });

  it('is refused before the run, naming the floor, and nothing is written', async () => {
    const store = new InMemoryEventStore();
    const below = config({ metric: 'latency_ms', op: '<=', bound: 3.9 });
    await expect(runSearch(registry(), below, store)).rejects.toThrow(ConfigError);
    await expect(runSearch(registry(), below, store)).rejects.toThrow(
      'constraint latency_ms<=3.9 prunes every architecture: the fastest takes 4 ms (0000); raise the bound',
    );
    // `<` the floor itself breaks it too.
    await expect(
      runSearch(registry(), config({ metric: 'latency_ms', op: '<', bound: 4 }), store),
    ).rejects.toThrow(/constraint latency_ms<4 prunes every architecture/);
    expect(await store.lastSeq('test-run')).toBe(-1);
  });

  it('runs when the floor meets it, and on a lower bound (>=) or another metric the floor says nothing of', async () => {
    for (const c of [
      { metric: 'latency_ms', op: '<=', bound: 4 },
      { metric: 'latency_ms', op: '>=', bound: 9 },
      { metric: 'params', op: '<=', bound: 1 },
    ] as const) {
      const { state } = await runSearch(registry(), config(c));
      expect(state.trials.length, JSON.stringify(c)).toBeGreaterThan(0);
    }
  });
});
