import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PluginRegistry } from '../di/plugin-registry.js';
import type { RunService } from '../di/run-scope.js';
import { instantiateEvaluation } from '../engine/plugin-instances.js';
import { replayRun } from '../engine/replay.js';
import type { SearchConfigInput } from '../engine/run-config.js';
import { ConcurrencyConflictError, MalformedArchitectureError } from '../errors.js';
import type { Estimator, EstimatorFactory } from '../estimator/estimator.js';
import { eventHash } from '../events/hash-chain.js';
import type { StoredEvent } from '../events/upcast.js';
import type { HardwareModel } from '../hardware/hardware-model.js';
import { Rng } from '../rng/rng.js';
import type { TrialRunner } from '../runner/trial-runner.js';
import type { SearchSpace, SearchSpaceFactory } from '../space/search-space.js';
import type { EventStore } from '../store/event-store.js';
import { InMemoryEventStore } from '../store/in-memory-event-store.js';
import { randomStrategyFactory } from '../strategy/random-strategy.js';
import type { StrategyFactory } from '../strategy/strategy.js';
import { copyLogPrefix, readAll, runSearch, trialsOf } from './harness.js';
import {
  digitsSpaceFactory,
  syntheticCostFactory,
  syntheticEstimatorFactory,
  syntheticScreenFactory,
} from './synthetic.js';

type Factory<T> = () => T | Promise<T>;

/** `n` hash-chained events of run `runId` from seq `from`, for store tests; `by` tags who wrote them. */
export function fakeEvents(runId: string, from: number, n: number, by = 'test'): StoredEvent[] {
  let prev = '';
  return Array.from({ length: n }, (_, i) => {
    const content = {
      runId,
      seq: from + i,
      type: 'TrialProgressed',
      v: 1,
      ts: 1_700_000_000_000 + from + i,
      data: { trialId: from + i, step: from + i, by },
    };
    prev = eventHash(prev, content);
    return { ...content, hash: prev };
  });
}

/**
 * The EventStore contract. `factory` returns an empty store; `reopen`, when given, returns a
 * new handle on the same storage (to check that appends survive the handle); `another`, when
 * given, a second handle on it while the first stays open, as another process would have.
 */
export function eventStoreContract(
  name: string,
  factory: Factory<EventStore>,
  reopen?: (old: EventStore) => Promise<EventStore>,
  another?: (first: EventStore) => EventStore | Promise<EventStore>,
): void {
  describe(`EventStore contract: ${name}`, () => {
    it('reads back what was appended, in seq order, from any position', async () => {
      const store = await factory();
      const events = fakeEvents('r1', 0, 5);
      await store.append('r1', -1, events.slice(0, 2));
      await store.append('r1', 1, events.slice(2));
      expect(await readAll(store, 'r1')).toEqual(events);
      expect(await readAll(store, 'r1', 3)).toEqual(events.slice(3));
      expect(await store.lastSeq('r1')).toBe(4);
      await store.close();
    });

    it('knows nothing of a run never written', async () => {
      const store = await factory();
      expect(await store.lastSeq('nope')).toBe(-1);
      expect(await readAll(store, 'nope')).toEqual([]);
      await store.close();
    });

    it('rejects an append at a stale position with a conflict and writes nothing', async () => {
      const store = await factory();
      const events = fakeEvents('r1', 0, 3);
      await store.append('r1', -1, events.slice(0, 2));
      await expect(store.append('r1', 0, fakeEvents('r1', 1, 1))).rejects.toBeInstanceOf(
        ConcurrencyConflictError,
      );
      await expect(store.append('r1', -1, fakeEvents('r1', 0, 1))).rejects.toBeInstanceOf(
        ConcurrencyConflictError,
      );
      expect(await readAll(store, 'r1')).toEqual(events.slice(0, 2));
      await store.close();
    });

    it('lets exactly one of two racing writers append at the same position', async () => {
      const store = await factory();
      await store.append('r1', -1, fakeEvents('r1', 0, 1));
      const results = await Promise.allSettled([
        store.append('r1', 0, fakeEvents('r1', 1, 2)),
        store.append('r1', 0, fakeEvents('r1', 1, 3)),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(ConcurrencyConflictError);
      const winner = results.findIndex((r) => r.status === 'fulfilled');
      expect((await readAll(store, 'r1')).length).toBe(winner === 0 ? 3 : 4);
      await store.close();
    });

    it('writes a batch whole or not at all', async () => {
      const store = await factory();
      const bad = fakeEvents('r1', 0, 3);
      const broken = [bad[0]!, { ...bad[1]!, seq: 7 }, bad[2]!];
      await expect(store.append('r1', -1, broken)).rejects.toThrow();
      expect(await readAll(store, 'r1')).toEqual([]);
      await store.close();
    });

    it('keeps runs apart and lists them', async () => {
      const store = await factory();
      await store.append('a', -1, fakeEvents('a', 0, 2));
      await store.append('b', -1, fakeEvents('b', 0, 3));
      expect((await readAll(store, 'a')).length).toBe(2);
      const runs = await store.listRuns();
      expect(runs.map((r) => [r.runId, r.lastSeq])).toEqual([
        ['a', 1],
        ['b', 2],
      ]);
      await store.close();
    });

    it('returns fresh objects: changing what was read changes nothing stored', async () => {
      const store = await factory();
      await store.append('r1', -1, fakeEvents('r1', 0, 1));
      const [e] = await readAll(store, 'r1');
      (e!.data as { trialId: number }).trialId = 99;
      expect(((await readAll(store, 'r1'))[0]!.data as { trialId: number }).trialId).toBe(0);
      await store.close();
    });

    it('stores blobs by sha256, idempotently', async () => {
      const store = await factory();
      const bytes = new TextEncoder().encode('checkpoint bytes');
      const sha = await store.putBlob(bytes);
      expect(sha).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(await store.putBlob(bytes)).toBe(sha);
      expect(Buffer.from((await store.getBlob(sha))!).toString()).toBe('checkpoint bytes');
      expect(await store.getBlob('0'.repeat(64))).toBeUndefined();
      await store.close();
    });

    it('reads a long run, appended in batches, from any position, in order', async () => {
      const store = await factory();
      const total = 4_500;
      const all = fakeEvents('long', 0, total);
      for (let i = 0; i < total; i += 500) await store.append('long', i - 1, all.slice(i, i + 500));
      expect(await readAll(store, 'long')).toEqual(all);
      // Around the page sizes stores read in (SQLite and PostgreSQL: 2,000 rows).
      for (const from of [1_999, 2_000, 2_001, total - 1, total]) {
        expect((await readAll(store, 'long', from)).map((e) => e.seq)).toEqual(
          all.slice(from).map((e) => e.seq),
        );
      }
      await store.close();
    });

    it('stores large blobs and returns copies of exactly the bytes given', async () => {
      const store = await factory();
      const big = new Uint8Array(5_000_000).map((_, i) => i % 251);
      const sha = await store.putBlob(big);
      const back = (await store.getBlob(sha))!;
      expect(back).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(back).equals(Buffer.from(big))).toBe(true);
      back[0] = 99;
      expect((await store.getBlob(sha))![0]).toBe(0);
      // A view into a larger buffer stores the view's bytes only.
      const view = new Uint8Array([9, 9, 1, 2, 3, 9]).subarray(2, 5);
      expect([...((await store.getBlob(await store.putBlob(view))) ?? [])]).toEqual([1, 2, 3]);
      await store.close();
    });

    if (another) {
      it('gives a second handle at a stale position the conflict, keeping every event', async () => {
        const a = await factory();
        const b = await another(a);
        const first = fakeEvents('r', 0, 2, 'a');
        const fromB = fakeEvents('r', 2, 1, 'b');
        await a.append('r', -1, first);
        expect(await b.lastSeq('r')).toBe(1);
        await b.append('r', 1, fromB);
        const stale = a.append('r', 1, fakeEvents('r', 2, 2, 'a'));
        await expect(stale).rejects.toBeInstanceOf(ConcurrencyConflictError);
        await expect(stale).rejects.toMatchObject({ expectedSeq: 1, actualSeq: 2 });
        // Two handles creating the same run at once: one wins, the other gets the conflict.
        const racing = await Promise.allSettled([
          a.append('new', -1, fakeEvents('new', 0, 2, 'a')),
          b.append('new', -1, fakeEvents('new', 0, 3, 'b')),
        ]);
        expect(racing.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        const lost = racing.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(lost.reason).toBeInstanceOf(ConcurrencyConflictError);
        expect(await readAll(a, 'r')).toEqual([...first, ...fromB]);
        expect(await readAll(b, 'r')).toEqual([...first, ...fromB]);
        await a.close();
        await b.close();
      });
    } else {
      it.skip('gives a second handle the conflict (no second-handle factory: the store is one process’s)', () => {});
    }

    if (reopen) {
      it('holds a real search, which replays after reopening', async () => {
        const registry = new PluginRegistry();
        registry.register('space', digitsSpaceFactory);
        registry.register('estimator', syntheticEstimatorFactory);
        registry.register('strategy', randomStrategyFactory);
        const config = {
          space: digitsSpaceFactory.name,
          estimator: syntheticEstimatorFactory.name,
          strategy: randomStrategyFactory.name,
          strategyOptions: {},
          seed: 5,
          concurrency: 1,
          budget: { trials: 30 },
          checkpointEvery: 7,
        };
        const stored = await runSearch(registry, config, await factory());
        const inMemory = await runSearch(registry, config);
        expect(trialsOf(stored.state)).toEqual(trialsOf(inMemory.state));
        const reopened = await reopen(stored.store);
        const replayed = await replayRun(reopened, registry, stored.runId, { mode: 'verify' });
        expect(trialsOf(replayed.state)).toEqual(trialsOf(stored.state));
        await reopened.close();
      });

      it('keeps appended events and blobs across handles', async () => {
        const store = await factory();
        const events = fakeEvents('r1', 0, 4);
        await store.append('r1', -1, events);
        const sha = await store.putBlob(new Uint8Array([1, 2, 3]));
        const again = await reopen(store);
        expect(await readAll(again, 'r1')).toEqual(events);
        expect([...((await again.getBlob(sha)) ?? [])]).toEqual([1, 2, 3]);
        await again.close();
      });
    } else {
      it.skip('keeps appended events across handles (no reopen factory: the store is not persistent)', () => {});
    }
  });
}

/** The SearchSpace contract: sampling, keys, parsing and whichever optional operations the space has. */
export function searchSpaceContract(
  name: string,
  factory: Factory<SearchSpace>,
  malformedKeys: readonly string[],
): void {
  describe(`SearchSpace contract: ${name}`, () => {
    it('samples the same architectures from the same seed', async () => {
      const space = await factory();
      const draw = (seed: number) => {
        const rng = Rng.fromSeed(seed);
        return Array.from({ length: 50 }, () => space.key(space.sample(rng)));
      };
      expect(draw(7)).toEqual(draw(7));
      expect(draw(7)).not.toEqual(draw(8));
    });

    it('parses every key it makes back to the same key', async () => {
      const space = await factory();
      const rng = Rng.fromSeed(1);
      for (let i = 0; i < 200; i++) {
        const key = space.key(space.sample(rng));
        expect(space.key(space.parse(key))).toBe(key);
      }
    });

    it('rejects malformed keys with MalformedArchitectureError', async () => {
      const space = await factory();
      for (const key of malformedKeys)
        expect(() => space.parse(key), key).toThrow(MalformedArchitectureError);
    });

    it('mutates to a different, valid architecture, deterministically', async (ctx) => {
      const space = await factory();
      if (!space.mutate) return ctx.skip();
      const rng = Rng.fromSeed(2);
      for (let i = 0; i < 100; i++) {
        const arch = space.sample(rng);
        const s = rng.state();
        const child = space.mutate(arch, rng);
        expect(space.key(child)).not.toBe(space.key(arch));
        expect(space.key(space.parse(space.key(child)))).toBe(space.key(child));
        expect(space.key(space.mutate(arch, Rng.fromState(s)))).toBe(space.key(child));
      }
    });

    it('lists distinct neighbours that differ from the architecture', async (ctx) => {
      const space = await factory();
      if (!space.neighbours) return ctx.skip();
      const arch = space.sample(Rng.fromSeed(3));
      const keys = space.neighbours(arch).map((n) => space.key(n));
      expect(keys.length).toBeGreaterThan(0);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys).not.toContain(space.key(arch));
    });

    it('encodes to decisions within range and decodes back', async (ctx) => {
      const space = await factory();
      if (!space.encoding) return ctx.skip();
      const { decisions, encode, decode } = space.encoding;
      const rng = Rng.fromSeed(4);
      for (let i = 0; i < 100; i++) {
        const arch = space.sample(rng);
        const code = encode(arch);
        expect(code.length).toBe(decisions.length);
        for (const [j, c] of code.entries()) expect(c).toBeLessThan(decisions[j]!.choices.length);
        expect(space.key(decode(code))).toBe(space.key(arch));
      }
    });

    it('gives equal isomorphism keys to equal architectures', async (ctx) => {
      const space = await factory();
      if (!space.isomorphismKey) return ctx.skip();
      const rng = Rng.fromSeed(5);
      for (let i = 0; i < 50; i++) {
        const arch = space.sample(rng);
        expect(space.isomorphismKey(space.parse(space.key(arch)))).toBe(space.isomorphismKey(arch));
      }
    });
  });
}

export interface StrategyContractOptions {
  /** The space to search; defaults to a small synthetic one with every capability. */
  readonly space?: SearchSpaceFactory;
  readonly estimator?: EstimatorFactory;
  readonly strategyOptions?: Record<string, unknown>;
  readonly trials?: number;
  readonly checkpointEvery?: number;
  /** Run services the strategy uses (a one-shot method's supernet), registered for every run. */
  readonly runServices?: readonly RunService[];
  /**
   * Why the strategy runs one trial at a time only (SPOS scores with the supernet it trains
   * between trials): the test with several trials in flight is skipped, saying so.
   */
  readonly oneAtATime?: string;
}

/** What a run's progress reports (Progressed) record, in log order: what a resumed run must record too. */
function progressOf(events: readonly StoredEvent[]): unknown[] {
  return events.filter((e) => e.type === 'Progressed').map((e) => e.data);
}

/** The registry and run config the strategy contract uses for `factory` under `opts`. */
function contractSetup(factory: StrategyFactory, opts: StrategyContractOptions) {
  const spaceFactory = opts.space ?? digitsSpaceFactory;
  const estimatorFactory = opts.estimator ?? syntheticEstimatorFactory;
  const registry = new PluginRegistry();
  registry.register('space', spaceFactory);
  registry.register('estimator', estimatorFactory);
  registry.register('strategy', factory);
  registry.register('hardware model', syntheticCostFactory);
  registry.register('estimator', syntheticScreenFactory);
  for (const service of opts.runServices ?? []) registry.registerRunService(service);
  const config = (seed: number, concurrency = 1): SearchConfigInput => ({
    space: spaceFactory.name,
    estimator: estimatorFactory.name,
    strategy: factory.name,
    strategyOptions: opts.strategyOptions ?? {},
    seed,
    concurrency,
    budget: { trials: opts.trials ?? 40 },
    checkpointEvery: opts.checkpointEvery ?? 7,
  });
  return { registry, config };
}

/**
 * A screened run's warm-up (`RunConfig.screen.warmup`) evaluates architectures the strategy
 * never proposed and tells it their results (`seeded: true`) before its first `ask`. Checks
 * that the strategy accepts them (its `tell` does not throw, its `ask` goes on proposing
 * architectures of the space) and stays deterministic under a seed; returns the run. Part of
 * `strategyContract`; exported so that a test can show it catches a strategy that does not.
 */
export async function expectAcceptsSeededTrials(
  factory: StrategyFactory,
  opts: StrategyContractOptions = {},
  seed = 16,
): Promise<Awaited<ReturnType<typeof runSearch>>> {
  const { registry, config } = contractSetup(factory, opts);
  const trials = opts.trials ?? 40;
  const top = Math.min(5, trials);
  const screened: SearchConfigInput = {
    ...config(seed),
    screen: { estimator: syntheticScreenFactory.name, warmup: { pool: 4 * top, top } },
  };
  const full = await runSearch(registry, screened);
  const events = await readAll(full.store, full.runId);
  const warmup = events.flatMap((e) =>
    e.type === 'TrialProposed' && (e.data as { seeded?: 'warmup' }).seeded === 'warmup' ? [e] : [],
  );
  expect(warmup.map((e) => (e.data as { trialId: number }).trialId)).toEqual([...Array(top).keys()]);
  const failures = events.filter((e) => e.type === 'PluginFailed').map((e) => e.data);
  expect(failures, 'the strategy threw while told a seeded trial or later').toEqual([]);
  expect(
    full.state.trials.filter((t) => t.arch === undefined),
    'the strategy threw while proposing',
  ).toEqual([]);
  expect(full.state.trials.length).toBe(trials);
  const { space } = instantiateEvaluation(registry, screened);
  for (const t of full.state.trials) expect(space.key(space.parse(t.arch!))).toBe(t.arch);
  const again = await runSearch(registry, screened);
  expect(trialsOf(again.state)).toEqual(trialsOf(full.state));
  return full;
}

/**
 * The Strategy contract: determinism under a seed, and the resume contract (a run cut at any
 * event and resumed ends with the same trials as the uninterrupted run), with `replay --verify`
 * confirming the log; also with a cheap hardware model pruning some proposals, and with seeded
 * warm-up trials the strategy did not propose.
 */
export function strategyContract(factory: StrategyFactory, opts: StrategyContractOptions = {}): void {
  const { registry, config } = contractSetup(factory, opts);

  describe(`Strategy contract: ${factory.name}`, () => {
    it('proposes the same trials from the same seed', async () => {
      const a = await runSearch(registry, config(11));
      const b = await runSearch(registry, config(11));
      expect(trialsOf(a.state)).toEqual(trialsOf(b.state));
      expect(a.state.trials.length).toBe(opts.trials ?? 40);
    });

    const resumesAtCuts = async (full: Awaited<ReturnType<typeof runSearch>>, n: number) => {
      const expected = trialsOf(full.state);
      const progress = progressOf(await readAll(full.store, full.runId));
      const total = full.state.lastSeq + 1;
      const rng = Rng.fromSeed('cuts');
      const cuts = new Set([1, 2, 3, total - 1, ...Array.from({ length: n }, () => 1 + rng.int(total - 1))]);
      for (const cut of cuts) {
        const store = new InMemoryEventStore();
        await copyLogPrefix(full.store, store, full.runId, cut);
        const resumed = await runSearch(registry, { resume: full.runId }, store);
        expect(trialsOf(resumed.state), `cut after ${cut} events`).toEqual(expected);
        expect(resumed.state.best, `cut after ${cut} events`).toEqual(full.state.best);
        // Work between trials (a supernet's epochs) re-done after the cut is checked, not written twice.
        expect(progressOf(await readAll(store, full.runId)), `cut after ${cut} events`).toEqual(progress);
      }
    };

    it('resumes a run cut at any event into the same trials as the uninterrupted run', async () => {
      await resumesAtCuts(await runSearch(registry, config(12)), 12);
    });

    it('is told pruned trials, and resumes and replays a run with pruning the same', async () => {
      const full = await runSearch(registry, {
        ...config(15),
        // Prefixed metrics, so no estimator's own metric names collide with them.
        hardware: [{ name: syntheticCostFactory.name, options: { prefix: 'hw_' } }],
        constraints: [{ metric: 'hw_latency_ms', op: '<=', bound: 7 }],
      });
      expect(full.state.counts.pruned).toBeGreaterThan(0);
      await resumesAtCuts(full, 4);
      const r = await replayRun(full.store, registry, full.runId, { mode: 'verify' });
      expect(r.told).toBe(full.state.trials.filter((t) => t.arch !== undefined).length);
    });

    it('accepts seeded warm-up trials it did not propose, and resumes and replays such a run the same', async () => {
      const full = await expectAcceptsSeededTrials(factory, opts);
      await resumesAtCuts(full, 4);
      const r = await replayRun(full.store, registry, full.runId, { mode: 'verify' });
      expect(r.told).toBe(full.state.trials.length);
    });

    it('replays its own log without divergence', async () => {
      const full = await runSearch(registry, config(13));
      const r = await replayRun(full.store, registry, full.runId, { mode: 'verify' });
      expect(r.state.trials.length).toBe(full.state.trials.length);
      // Every progress report of a finished run was made again and equal.
      expect(r.progress).toBe(progressOf(await readAll(full.store, full.runId)).length);
    });

    const inFlight = opts.oneAtATime ? it.skip : it;
    const skipped = opts.oneAtATime ? ` (skipped: ${opts.oneAtATime})` : '';
    inFlight(`runs with several trials in flight and uses exactly the budget${skipped}`, async () => {
      const r = await runSearch(registry, config(14, 4));
      expect(r.state.trials.length).toBe(opts.trials ?? 40);
      expect(r.state.trials.every((t) => t.status === 'completed' || t.status === 'failed')).toBe(true);
      const again = await replayRun(r.store, registry, r.runId, { mode: 'verify' });
      expect(again.told).toBe(r.state.trials.length);
    });
  });
}

/** The Estimator contract: declared metrics, finite values, and determinism where claimed. */
export function estimatorContract(
  name: string,
  factory: Factory<Estimator>,
  space: SearchSpace,
  samples = 20,
): void {
  describe(`Estimator contract: ${name}`, () => {
    it('returns every declared metric as a finite number', async () => {
      const est = await factory();
      await est.prepare?.();
      const rng = Rng.fromSeed(21);
      for (let i = 0; i < samples; i++) {
        const m = await est.evaluate(space.sample(rng), {
          trialId: i,
          seed: i,
          signal: new AbortController().signal,
          report: () => {},
        });
        for (const spec of est.metrics) expect(Number.isFinite(m[spec.name]), `${spec.name}`).toBe(true);
      }
    });

    it('gives the same metrics twice when it claims to be deterministic', async (ctx) => {
      const est = await factory();
      if (!est.deterministic) return ctx.skip();
      await est.prepare?.();
      const arch = space.sample(Rng.fromSeed(22));
      const ctx1 = { trialId: 0, seed: 5, signal: new AbortController().signal, report: () => {} };
      expect(await est.evaluate(arch, ctx1)).toEqual(await est.evaluate(arch, ctx1));
    });
  });
}

/**
 * The TrialRunner contract: trials run through it give the metrics the estimator gives in this
 * process for the same architecture and trial seed (a run's results must not depend on its
 * runner), `concurrency` of them at once. `make` returns the runner and the estimator it runs
 * (made here, as a reference); the runner is disposed after each test.
 */
export function trialRunnerContract(
  name: string,
  make: () => Promise<{ runner: TrialRunner; estimator: Estimator; space: SearchSpace }>,
  trials = 8,
): void {
  describe(`TrialRunner contract: ${name}`, () => {
    it('gives the metrics the estimator gives in process, for concurrency trials at once', async () => {
      const { runner, estimator, space } = await make();
      try {
        expect(Number.isInteger(runner.concurrency) && runner.concurrency >= 1).toBe(true);
        const rng = Rng.fromSeed(31);
        const jobs = Array.from({ length: trials }, (_, i) => ({
          arch: space.sample(rng),
          trialId: i,
          seed: 1000 + i,
          signal: new AbortController().signal,
          report: () => {},
        }));
        const want = await Promise.all(jobs.map(({ arch, ...ctx }) => estimator.evaluate(arch, ctx)));
        const got: unknown[] = [];
        for (let i = 0; i < jobs.length; i += runner.concurrency) {
          got.push(...(await Promise.all(jobs.slice(i, i + runner.concurrency).map((j) => runner.run(j)))));
        }
        expect(got).toEqual(want);
      } finally {
        await runner.dispose?.();
      }
    }, 30_000);
  });
}

/**
 * The HardwareModel contract: exactly the declared costs, finite and non-negative, and the same
 * costs twice where it claims to be deterministic (`replay --verify` relies on it).
 */
export function hardwareModelContract(
  name: string,
  factory: Factory<HardwareModel>,
  space: SearchSpace,
): void {
  describe(`HardwareModel contract: ${name}`, () => {
    it('returns every declared cost as a finite, non-negative number', async () => {
      const model = await factory();
      expect(model.metrics.length).toBeGreaterThan(0);
      const rng = Rng.fromSeed(31);
      for (let i = 0; i < 10; i++) {
        const cost = await model.cost(space.sample(rng));
        for (const m of model.metrics) {
          expect(Number.isFinite(cost[m]), m).toBe(true);
          expect(cost[m]).toBeGreaterThanOrEqual(0);
        }
      }
    });

    it('gives the same costs twice when it claims to be deterministic', async (ctx) => {
      const model = await factory();
      if (!model.deterministic) return ctx.skip();
      const arch = space.sample(Rng.fromSeed(32));
      expect(await model.cost(space.parse(space.key(arch)))).toEqual(await model.cost(arch));
    });
  });
}
