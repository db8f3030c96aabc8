import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  type EstimatorFactory,
  InMemoryEventStore,
  InvalidOptionError,
  PluginRegistry,
  ReplayDivergenceError,
  Rng,
  type RunState,
  randomStrategyFactory,
  replayRun,
  Search,
  type SearchConfigInput,
  type StoredEvent,
  type StrategyFactory,
  type TrialResult,
  UnknownPluginError,
} from '../src/index.js';
import {
  copyLogPrefix,
  countingEstimatorFactory,
  digitsSpace,
  digitsSpaceFactory,
  hashScore,
  readAll,
  runSearch,
  syntheticCost,
  syntheticCostFactory,
  tamperedCopy,
  trialsOf,
} from '../src/testing/index.js';

/** The screen of these tests: half the objective, half noise, so it correlates as a proxy does. */
const proxyOf = (key: string) => (hashScore(key) + hashScore(`noise:${key}`)) / 2;

type Call = { kind: 'ask' } | { kind: 'tell'; result: TrialResult };

/**
 * A registry whose objective estimator (`score`) and screen estimators count their calls, and
 * whose 'spy' strategy (random underneath) records every ask and tell in order. 'memo' is a
 * random strategy that snapshots itself, so resume starts from a checkpoint.
 */
function setup() {
  const calls = { evaluate: 0, screen: 0, prepare: 0, dispose: 0 };
  const log: Call[] = [];
  const r = new PluginRegistry();
  r.register('space', digitsSpaceFactory);
  r.register('space', { ...digitsSpaceFactory, name: 'wide', create: () => digitsSpace(6) });
  r.register('strategy', randomStrategyFactory);
  r.register('hardware model', syntheticCostFactory);
  r.register(
    'estimator',
    countingEstimatorFactory(() => {
      calls.evaluate++;
    }),
  );
  const proxy = (name: string, metric: string, direction: 'max' | 'min', sign: number): EstimatorFactory => ({
    name,
    description: 'test screen: a noisy copy of the score',
    options: { offset: { type: 'number', default: 0, description: 'added to every score' } },
    create: (space, o) => ({
      name,
      metrics: [
        { name: metric, direction },
        { name: 'other', direction: 'max' },
      ],
      deterministic: true,
      prepare: async () => {
        calls.prepare++;
        return { device: 'none' };
      },
      dispose: () => {
        calls.dispose++;
      },
      async evaluate(arch) {
        calls.screen++;
        return { [metric]: sign * proxyOf(space.key(arch)) + (o.offset as number), other: 0 };
      },
    }),
  });
  r.register('estimator', proxy('proxy', 'proxy', 'max', 1));
  r.register('estimator', proxy('cost-proxy', 'cost', 'min', -1));
  // The same scores as 'proxy', from an estimator that does not promise them (as zero-cost proxies on tfjs do not).
  const noisy = proxy('noisy', 'proxy', 'max', 1);
  r.register('estimator', {
    ...noisy,
    create: (space, o) => ({ ...noisy.create(space, o), deterministic: false }),
  });
  const spy: StrategyFactory = {
    ...randomStrategyFactory,
    name: 'spy',
    create: (ctx) => {
      const inner = randomStrategyFactory.create(ctx);
      return {
        ask: () => {
          log.push({ kind: 'ask' });
          return inner.ask();
        },
        tell: (result) => {
          log.push({ kind: 'tell', result });
          return inner.tell(result);
        },
      };
    },
  };
  r.register('strategy', spy);
  r.register('strategy', memoFactory);
  return { registry: r, calls, log };
}

/** Random search without repeats that checkpoints its rng and the keys it has seen. */
const memoFactory: StrategyFactory = {
  name: 'memo',
  description: 'random without repeats, with snapshots',
  options: {},
  requires: [],
  create: (ctx) => {
    let rng = Rng.fromState(ctx.rng.state());
    let seen = new Set<string>();
    return {
      ask: () => {
        for (let i = 0; i < 1000; i++) {
          const arch = ctx.space.sample(rng);
          if (!seen.has(ctx.space.key(arch))) {
            seen.add(ctx.space.key(arch));
            return arch;
          }
        }
        return undefined;
      },
      tell: (r) => {
        seen.add(r.key);
      },
      snapshot: () => new TextEncoder().encode(JSON.stringify({ rng: rng.state(), seen: [...seen] })),
      restore: (bytes) => {
        const s = JSON.parse(new TextDecoder().decode(bytes));
        rng = Rng.fromState(s.rng);
        seen = new Set(s.seen);
      },
    };
  },
};

const data = <T>(e: StoredEvent) => e.data as T;
type Proposed = {
  trialId: number;
  arch: string;
  gates?: { hardware?: Record<string, number>; screen?: { value: number } };
  seeded?: 'warmup';
};
/** The screen value the screen gate recorded with a proposal. */
const screenOf = (p: Proposed) => p.gates?.screen?.value;

/** Every key of the 625-architecture digits space. */
const everyKey = Array.from({ length: 625 }, (_, i) =>
  [3, 2, 1, 0].map((p) => Math.floor(i / 5 ** p) % 5).join('-'),
);

/** The reference pre-filter, by sorting: pass while n <= min, then iff in the best ceil(f·n) of the n so far. */
function referenceVerdicts(values: number[], fraction: number, min: number, direction: 'max' | 'min') {
  const scores = values.map((v) => (direction === 'max' ? v : -v));
  return scores.map((s, j) => {
    const n = j + 1;
    const sorted = scores.slice(0, n).sort((a, b) => b - a);
    const threshold = sorted[Math.round(Math.ceil(fraction * n * (1 - 1e-12))) - 1]!;
    return { pass: n <= min || s >= threshold, n, threshold: direction === 'max' ? threshold : -threshold };
  });
}

const warm: SearchConfigInput = {
  space: 'digits',
  estimator: 'counting',
  strategy: 'spy',
  seed: 4,
  budget: { trials: 20 },
  checkpointEvery: 0,
  screen: { estimator: 'proxy', warmup: { pool: 2000, top: 5 } },
};

describe('zero-cost warm-up', () => {
  it('evaluates the best of the pool first, best first, proposed in one batch, then lets the strategy take over', async () => {
    const { registry, log } = setup();
    const out = await runSearch(registry, warm);
    const events = await readAll(out.store, out.runId);
    // A pool of 2000 draws covers the 625 architectures: the warm-up is the best 5 of the space.
    const best5 = [...everyKey].sort((a, b) => proxyOf(b) - proxyOf(a)).slice(0, 5);
    const proposed = events.filter((e) => e.type === 'TrialProposed').map((e) => data<Proposed>(e));
    expect(proposed.slice(0, 5)).toEqual(
      best5.map((arch, trialId) => ({
        trialId,
        arch,
        gates: { screen: { value: proxyOf(arch) } },
        seeded: 'warmup',
      })),
    );
    expect(events.slice(1, 6).map((e) => [e.type, e.ts])).toEqual(
      best5.map(() => ['TrialProposed', events[1]!.ts]),
    );
    expect(proposed.slice(5).every((p) => p.gates === undefined && p.seeded === undefined)).toBe(true);
    // Told first, seeded, best first; asked only then; never proposed again.
    expect(log.slice(0, 6).map((c) => (c.kind === 'tell' ? c.result.trialId : 'ask'))).toEqual([
      0,
      1,
      2,
      3,
      4,
      'ask',
    ]);
    for (const c of log.slice(0, 5)) expect(c.kind === 'tell' && c.result.seeded).toBe(true);
    expect(log.slice(5).some((c) => c.kind === 'tell' && c.result.seeded)).toBe(false);
    expect(new Set(out.state.trials.map((t) => t.arch)).size).toBe(20);
    // Warm-up trials use the budget, and carry their screen score in their metrics.
    expect(out.state.counts.completed).toBe(20);
    for (const t of out.state.trials.slice(0, 5)) {
      expect(t.metrics).toEqual({ score: hashScore(t.arch!), 'screen.proxy': proxyOf(t.arch!) });
    }
    expect(out.state.trials[5]!.metrics).toEqual({ score: hashScore(out.state.trials[5]!.arch!) });
  });

  it('with several trials in flight, asks the strategy only once every warm-up result is told', async () => {
    const { registry, log } = setup();
    const out = await runSearch(registry, { ...warm, concurrency: 3 });
    const firstAsk = log.findIndex((c) => c.kind === 'ask');
    expect(firstAsk).toBe(5);
    expect(out.state.counts.completed).toBe(20);
  });

  it('leaves architectures a cheap constraint prunes out of the pool, and ranks a min metric by its smallest', async () => {
    const { registry } = setup();
    const out = await runSearch(registry, {
      ...warm,
      screen: { estimator: 'cost-proxy', warmup: { pool: 2000, top: 4 } },
      hardware: [{ name: 'synthetic-cost' }],
      constraints: [{ metric: 'latency_ms', op: '<=', bound: 5 }],
    });
    const model = syntheticCost(digitsSpace());
    const feasible: string[] = [];
    for (const k of everyKey)
      if ((await model.cost(k.split('-').map(Number))).latency_ms! <= 5) feasible.push(k);
    const best4 = feasible.sort((a, b) => proxyOf(b) - proxyOf(a)).slice(0, 4);
    expect(out.state.trials.slice(0, 4).map((t) => t.arch)).toEqual(best4);
    expect(out.state.trials[0]!.metrics!['screen.cost']).toBe(-proxyOf(best4[0]!));
    expect(out.state.config!.screen).toEqual({
      estimator: 'cost-proxy',
      options: { offset: 0 },
      metric: 'cost',
      direction: 'min',
      warmup: { pool: 2000, top: 4 },
    });
  });
});

const filtered: SearchConfigInput = {
  ...warm,
  space: 'wide',
  seed: 5,
  budget: { trials: 30 },
  screen: { estimator: 'proxy', filter: { fraction: 0.3, min: 6 } },
};

describe('zero-cost pre-filter', () => {
  for (const [estimator, metric, direction] of [
    ['proxy', 'proxy', 'max'],
    ['cost-proxy', 'cost', 'min'],
  ] as const) {
    it(`prunes exactly the proposals outside the best fraction of those screened so far (${direction})`, async () => {
      const { registry, calls, log } = setup();
      const out = await runSearch(registry, { ...filtered, screen: { ...filtered.screen!, estimator } });
      const events = await readAll(out.store, out.runId);
      const proposed = events.filter((e) => e.type === 'TrialProposed').map((e) => data<Proposed>(e));
      const values = proposed.map((p) => screenOf(p)!);
      expect(values).toEqual(proposed.map((p) => (direction === 'max' ? 1 : -1) * proxyOf(p.arch)));
      const verdicts = referenceVerdicts(values, 0.3, 6, direction);
      expect(verdicts.filter((v) => !v.pass).length).toBeGreaterThan(30);
      const started = new Set(
        events.filter((e) => e.type === 'TrialStarted').map((e) => data<{ trialId: number }>(e).trialId),
      );
      for (const [j, p] of proposed.entries()) {
        const t = out.state.trials[p.trialId]!;
        const v = verdicts[j]!;
        expect(t.status, `proposal ${j}`).toBe(v.pass ? 'completed' : 'pruned');
        expect(started.has(p.trialId)).toBe(v.pass);
        expect(t.metrics![`screen.${metric}`]).toBe(screenOf(p)!);
        if (v.pass) continue;
        const pruned = events.find(
          (e) => e.type === 'TrialPruned' && data<{ trialId: number }>(e).trialId === p.trialId,
        )!;
        const short = (x: number) => String(Number(x.toPrecision(4)));
        expect(pruned.data).toEqual({
          trialId: p.trialId,
          reason: `screen: ${metric}=${short(screenOf(p)!)} is not in the best 30% of the ${v.n} proposals screened so far (threshold ${short(v.threshold)})`,
          metrics: { [`screen.${metric}`]: screenOf(p)! },
          gate: 'screen',
        });
      }
      // Pruned proposals cost an evaluation of the screen only, and not the trial budget.
      expect(out.state.counts.completed).toBe(30);
      expect(out.reason).toBe('trials');
      expect(calls.evaluate).toBe(30);
      expect(calls.screen).toBe(proposed.length);
      expect(calls.prepare).toBe(1);
      expect(calls.dispose).toBe(1);
      // Told as a constraint-pruned trial is: score NaN, infeasible; passed ones as usual.
      const told = log.flatMap((c) => (c.kind === 'tell' ? [c.result] : []));
      expect(told.map((r) => r.trialId)).toEqual(proposed.map((p) => p.trialId));
      for (const r of told) {
        if (r.status === 'pruned') {
          expect(r).toMatchObject({ score: Number.NaN, feasible: false });
          expect(r.violations).toBeUndefined();
        } else {
          expect(r.score).toBe(hashScore(r.key));
          expect(r.feasible).toBeUndefined();
        }
        expect(r.seeded).toBeUndefined();
      }
    });
  }

  it('screens only what the cheap constraints keep; with a warm-up, the warm-up trials are not filtered', async () => {
    const { registry } = setup();
    const out = await runSearch(registry, {
      ...filtered,
      screen: { estimator: 'proxy', warmup: { pool: 40, top: 8 }, filter: { fraction: 0.5, min: 0 } },
      hardware: [{ name: 'synthetic-cost' }],
      constraints: [{ metric: 'latency_ms', op: '<=', bound: 7 }],
    });
    const events = await readAll(out.store, out.runId);
    const proposed = events.filter((e) => e.type === 'TrialProposed').map((e) => data<Proposed>(e));
    expect(proposed.slice(0, 8).every((p) => p.seeded === 'warmup' && screenOf(p) !== undefined)).toBe(true);
    expect(out.state.trials.slice(0, 8).every((t) => t.status === 'completed')).toBe(true);
    const screened = proposed.slice(8).filter((p) => screenOf(p) !== undefined);
    const verdicts = referenceVerdicts(
      screened.map((p) => screenOf(p)!),
      0.5,
      0,
      'max',
    );
    expect(screened.map((p) => out.state.trials[p.trialId]!.status)).toEqual(
      verdicts.map((v) => (v.pass ? 'completed' : 'pruned')),
    );
    for (const p of proposed.slice(8).filter((p) => screenOf(p) === undefined)) {
      const t = out.state.trials[p.trialId]!;
      expect(t.status).toBe('pruned');
      expect(t.violations![0]).toMatch(/^latency_ms=.* breaks latency_ms<=7$/);
    }
    expect(out.state.counts.completed).toBe(30);
  });
});

describe('resume and replay of a screened run', () => {
  const both: SearchConfigInput = {
    space: 'wide',
    estimator: 'counting',
    strategy: 'memo',
    seed: 6,
    budget: { trials: 14 },
    checkpointEvery: 4,
    screen: { estimator: 'proxy', warmup: { pool: 30, top: 4 }, filter: { fraction: 0.4, min: 3 } },
    hardware: [{ name: 'synthetic-cost' }],
    constraints: [{ metric: 'latency_ms', op: '<=', bound: 8 }],
  };

  it('resumes a run cut after any event into the identical trajectory, screening only what the log lacks', async () => {
    const full = await runSearch(setup().registry, both);
    const expected = trialsOf(full.state);
    const events = await readAll(full.store, full.runId);
    expect(full.state.counts.pruned).toBeGreaterThan(5);
    expect(events.some((e) => e.type === 'Checkpointed')).toBe(true);
    const screenedAt = events.flatMap((e) =>
      e.type === 'TrialProposed' && screenOf(data<Proposed>(e)) !== undefined && !data<Proposed>(e).seeded
        ? [e.seq]
        : [],
    );
    const poolScreens = setup();
    await runSearch(poolScreens.registry, { ...both, budget: { trials: 4 } });
    const pool = poolScreens.calls.screen;
    for (let cut = 1; cut < events.length; cut++) {
      const store = new InMemoryEventStore();
      await copyLogPrefix(full.store, store, full.runId, cut);
      const { registry, calls } = setup();
      const resumed = await runSearch(registry, { resume: full.runId }, store);
      expect(trialsOf(resumed.state), `cut after ${cut} events`).toEqual(expected);
      expect(resumed.state.best, `cut after ${cut} events`).toEqual(full.state.best);
      expect(resumed.state.counts, `cut after ${cut} events`).toEqual(full.state.counts);
      const after = screenedAt.filter((seq) => seq >= cut).length;
      // The warm-up batch is seqs 1-4: a log with part of it scores the pool again.
      expect(calls.screen, `cut after ${cut} events`).toBe((cut <= 4 ? pool : 0) + after);
    }
  });

  it('resumes a run stopped while it screened the warm-up pool, nothing recorded but RunStarted', async () => {
    const { registry } = setup();
    const proxy = registry.get('estimator', 'proxy');
    const stopAt: EstimatorFactory = {
      ...proxy,
      create: (space, o) => {
        const inner = proxy.create(space, o);
        let n = 0;
        return {
          ...inner,
          evaluate: async (arch, ctx) => {
            if (++n === 10) search.stop();
            return inner.evaluate(arch, ctx);
          },
        };
      },
    };
    registry.register('estimator', stopAt);
    const store = new InMemoryEventStore();
    const search = await Search.start({ store, plugins: registry }, both, 'stopped');
    expect((await search.run()).status).toBe('interrupted');
    expect((await readAll(store, 'stopped')).map((e) => e.type)).toEqual(['RunStarted']);
    const resumed = await runSearch(setup().registry, { resume: 'stopped' }, store);
    const full = await runSearch(setup().registry, both);
    expect(trialsOf(resumed.state)).toEqual(trialsOf(full.state));
  });

  it('verifies a screened run by recomputing every screen score and the warm-up pool', async () => {
    const run = setup();
    const out = await runSearch(run.registry, both);
    const { registry, calls } = setup();
    const r = await replayRun(out.store, registry, out.runId, { mode: 'verify' });
    expect(r.state.counts).toEqual(out.state.counts);
    expect(r.reevaluated).toBe(out.state.trials.length);
    // Everything the run screened, screened again: the pool, then every screened proposal.
    expect(calls.screen).toBe(run.calls.screen);
    expect(calls.prepare).toBe(1);
  });

  it('takes a screen that is not deterministic: verify checks every decision from the recorded scores, recomputing none', async () => {
    const config = { ...both, screen: { ...both.screen!, estimator: 'noisy' } };
    const out = await runSearch(setup().registry, config);
    expect(trialsOf(out.state)).toEqual(trialsOf((await runSearch(setup().registry, both)).state));
    const { registry, calls } = setup();
    const r = await replayRun(out.store, registry, out.runId, { mode: 'verify' });
    expect(r.state.counts).toEqual(out.state.counts);
    expect(r.rescreened).toBe(0);
    expect(calls.screen).toBe(0);
    for (let cut = 1; cut < out.state.lastSeq + 1; cut += 5) {
      const store = new InMemoryEventStore();
      await copyLogPrefix(out.store, store, out.runId, cut);
      const resumed = await runSearch(setup().registry, { resume: out.runId }, store);
      expect(trialsOf(resumed.state), `cut after ${cut} events`).toEqual(trialsOf(out.state));
    }
  });

  /** A rechained copy of the run with the first TrialProposed that `pick` selects edited. */
  async function forge(pick: (p: Proposed, state: RunState) => boolean, edit: (p: Proposed) => Proposed) {
    const out = await runSearch(setup().registry, both);
    const events = await readAll(out.store, out.runId);
    const at = events.find((e) => e.type === 'TrialProposed' && pick(data<Proposed>(e), out.state))!;
    const store = await tamperedCopy(
      out.store,
      out.runId,
      at.seq,
      (e) => ({ ...e, data: edit(data(e)) }),
      true,
    );
    for (const e of events.filter((x) => x.type === 'Checkpointed')) {
      await store.putBlob((await out.store.getBlob(data<{ blob: string }>(e).blob))!);
    }
    return { store, runId: out.runId, seq: at.seq, proposal: data<Proposed>(at), state: out.state };
  }
  const verify = (f: { store: InMemoryEventStore; runId: string }, reevaluate = true) =>
    replayRun(f.store, setup().registry, f.runId, { mode: 'verify', reevaluate }).catch((e: unknown) => e);

  it('detects a tampered screen score by recomputing it, naming the trial', async () => {
    const f = await forge(
      (p) => screenOf(p) !== undefined && !p.seeded,
      (p) => ({ ...p, gates: { ...p.gates, screen: { value: screenOf(p)! + 0.5 } } }),
    );
    const err = await verify(f);
    expect(err).toBeInstanceOf(ReplayDivergenceError);
    expect(err.seq).toBe(f.seq);
    expect(err.reason).toBe(
      `trial ${f.proposal.trialId} (${f.proposal.arch}) records screen score proxy=${screenOf(f.proposal)! + 0.5}, but screen estimator 'proxy' gives ${screenOf(f.proposal)!}`,
    );
  });

  it('detects a screening decision the recorded scores contradict, on resume and plain replay too', async () => {
    const f = await forge(
      (p, state) => screenOf(p) !== undefined && !p.seeded && state.trials[p.trialId]?.status === 'pruned',
      (p) => ({ ...p, gates: { ...p.gates, screen: { value: 1000 } } }),
    );
    const message = `trial ${f.proposal.trialId} (${f.proposal.arch}) was pruned, but its screen score proxy=1000 passes the pre-filter`;
    expect((await verify(f, false)).reason).toBe(message);
    const resumed = await replayRun(f.store, setup().registry, f.runId, { mode: 'resume' }).catch((e) => e);
    expect(resumed).toBeInstanceOf(ReplayDivergenceError);
    expect(resumed.reason).toBe(message);
  });

  it('detects a tampered warm-up trial against the pool screened again', async () => {
    const f = await forge(
      (p) => p.trialId === 1,
      (p) => ({ ...p, gates: { ...p.gates, screen: { value: screenOf(p)! - 1 } } }),
    );
    const err = await verify(f);
    expect(err.seq).toBe(f.seq);
    expect(err.reason).toMatch(
      new RegExp(
        `^warm-up trial 1 \\(${f.proposal.arch}\\) with proxy=.*, but screening the pool today gives ${f.proposal.arch} with proxy=${screenOf(f.proposal)!}$`,
      ),
    );
  });
});

describe('screening config, checked before anything is written', () => {
  const start = async (screen: SearchConfigInput['screen'], over: Partial<SearchConfigInput> = {}) => {
    const { registry } = setup();
    const store = new InMemoryEventStore();
    const attempt = Search.start(
      { store, plugins: registry },
      { space: 'digits', estimator: 'counting', budget: { trials: 5 }, ...over, ...(screen && { screen }) },
      'v',
    );
    await attempt.catch(async () => expect(await store.listRuns()).toEqual([]));
    return attempt;
  };
  const warmup = { pool: 10, top: 2 };

  it('names the known estimators for an unknown screen, and checks its options and metric', async () => {
    await expect(start({ estimator: 'zc:synflow', warmup })).rejects.toThrow(
      new UnknownPluginError('estimator', 'zc:synflow', ['cost-proxy', 'counting', 'noisy', 'proxy']),
    );
    await expect(start({ estimator: 'proxy', options: { offsett: 1 }, warmup })).rejects.toThrow(
      new InvalidOptionError("screen estimator 'proxy': unknown option 'offsett'; known options: offset"),
    );
    await expect(start({ estimator: 'proxy', metric: 'synflow', warmup })).rejects.toThrow(
      new ConfigError("screen estimator 'proxy' has no metric 'synflow'; it reports: proxy, other"),
    );
  });

  it('rejects a bad schedule: no warm-up nor filter, pool below top, top over the budget, fraction outside (0, 1]', async () => {
    await expect(start({ estimator: 'proxy' })).rejects.toThrow(
      new ConfigError(
        'screening needs a warm-up, a pre-filter or both (--warmup POOL[:TOP], --prefilter FRACTION[:MIN])',
      ),
    );
    await expect(start({ estimator: 'proxy', warmup: { pool: 3, top: 4 } })).rejects.toThrow(
      'the warm-up pool (3) must be at least its top (4): it evaluates the top of the pool',
    );
    await expect(start({ estimator: 'proxy', warmup: { pool: 30, top: 6 } })).rejects.toThrow(
      'the warm-up top (6) is more than the trial budget (5)',
    );
    await expect(start({ estimator: 'proxy', warmup: { pool: 0 } })).rejects.toThrow(
      'screen warm-up pool must be a whole number of at least 1, got 0',
    );
    for (const fraction of [0, 1.5, Number.NaN, -0.1]) {
      await expect(start({ estimator: 'proxy', filter: { fraction } })).rejects.toThrow(
        `the pre-filter fraction must be in (0, 1], e.g. 0.5 keeps the best half, got ${fraction}`,
      );
    }
    await expect(start({ estimator: 'proxy', filter: { fraction: 0.5, min: -1 } })).rejects.toThrow(
      'screen pre-filter min must be a whole number of at least 0, got -1',
    );
  });

  it('records the resolved screening in RunStarted (v2) and what its prepare reported', async () => {
    const out = await runSearch(setup().registry, {
      space: 'digits',
      estimator: 'counting',
      budget: { trials: 10 },
      screen: { estimator: 'proxy', warmup: { pool: 8 }, filter: { fraction: 1 } },
    });
    const [started] = await readAll(out.store, out.runId);
    expect(started!.v).toBe(2);
    const d = data<{ config: { screen: unknown }; env: { screen: unknown } }>(started!);
    expect(d.config.screen).toEqual({
      estimator: 'proxy',
      options: { offset: 0 },
      metric: 'proxy',
      direction: 'max',
      warmup: { pool: 8, top: 8 },
      filter: { fraction: 1, min: 10 },
    });
    expect(d.env.screen).toEqual({ device: 'none' });
    // Fraction 1 keeps every proposal.
    expect(out.state.counts.pruned).toBe(0);
  });
});
