import { filter, firstValueFrom, map, type Observable, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  ConcurrencyConflictError,
  ConfigError,
  InMemoryEventStore,
  MissingCapabilityError,
  PluginRegistry,
  type Reaction,
  ReplayDivergenceError,
  type RunEvent,
  RunHaltedError,
  randomStrategyFactory,
  replayRun,
  Search,
  type StoredEvent,
  type Strategy,
  type StrategyFactory,
  UnknownPluginError,
  UnknownRunError,
} from '../src/index.js';
import {
  copyLogPrefix,
  countingStrategyFactory,
  digitsSpace,
  digitsSpaceFactory,
  hashScore,
  readAll,
  runSearch,
  syntheticEstimator,
  syntheticEstimatorFactory,
  tamperedCopy,
  trialsOf,
} from '../src/testing/index.js';

function registry(...extra: StrategyFactory[]): PluginRegistry {
  const r = new PluginRegistry();
  r.register('space', digitsSpaceFactory);
  r.register('estimator', syntheticEstimatorFactory);
  r.register('strategy', randomStrategyFactory);
  for (const f of extra) r.register('strategy', f);
  return r;
}

const base = { space: 'digits', estimator: 'synthetic', seed: 3, budget: { trials: 30 } };

describe('Search', () => {
  it("stops with a strategy's RunHaltedError, records nothing for that ask, and resumes from there", async () => {
    // Halts once, at its 5th ask, in the run's strategy only (the 1st one made checks the
    // options): as a supernet that diverged, then a resume that (here by fiat) gets past it.
    let lives = 0;
    const halting: StrategyFactory = {
      ...randomStrategyFactory,
      name: 'halting',
      create(ctx) {
        const inner = randomStrategyFactory.create(ctx);
        const life = ++lives;
        let asks = 0;
        return {
          ask: () => {
            if (life === 2 && ++asks === 5)
              throw new RunHaltedError('supernet diverged: loss NaN at epoch 5');
            return inner.ask();
          },
          tell: (r) => inner.tell(r),
        };
      },
    };
    const store = new InMemoryEventStore();
    const input = { ...base, strategy: 'halting', budget: { trials: 8 } };
    await expect(runSearch(registry(halting), input, store)).rejects.toThrow(/supernet diverged/);
    const types = (await readAll(store, 'test-run')).map((e) => e.type);
    expect(types.filter((t) => t === 'TrialCompleted')).toHaveLength(4);
    expect(types).not.toContain('TrialFailed');
    expect(types).not.toContain('RunCompleted');
    const resumed = await runSearch(registry(halting), { resume: 'test-run' }, store);
    expect(resumed.status).toBe('completed');
    const ref = await runSearch(registry(), { ...input, strategy: 'random' });
    expect(trialsOf(resumed.state)).toEqual(trialsOf(ref.state));
  });

  it('runs the budget, records every trial and finds the best of them', async () => {
    const r = await runSearch(registry(), base);
    expect(r.status).toBe('completed');
    expect(r.reason).toBe('trials');
    expect(r.state.trials).toHaveLength(30);
    const scores = r.state.trials.map((t) => t.metrics!.score!);
    expect(r.best!.metrics.score).toBe(Math.max(...scores));
    expect(r.best!.metrics.score).toBe(hashScore(r.best!.arch));
    const types = (await readAll(r.store as InMemoryEventStore, r.runId)).map((e) => e.type);
    expect(types[0]).toBe('RunStarted');
    expect(types.at(-1)).toBe('RunCompleted');
    expect(types.filter((t) => t === 'TrialCompleted')).toHaveLength(30);
  });

  it('publishes an event only once the store holds it', async () => {
    const store = new InMemoryEventStore();
    const search = await Search.start({ store, plugins: registry() }, base, 'r');
    const checks: Promise<boolean>[] = [];
    search.events$.subscribe((e) => checks.push(store.lastSeq('r').then((last) => last >= e.seq)));
    const seen = firstValueFrom(search.events$.pipe(toArray()));
    await search.run();
    expect((await seen).length).toBeGreaterThan(60);
    expect(await Promise.all(checks)).not.toContain(false);
  });

  it('records a throwing estimator as TrialFailed and goes on', async () => {
    const r = registry();
    r.register('estimator', {
      name: 'flaky',
      description: '',
      create: (space) =>
        syntheticEstimator({ space, failWhen: (k) => k.startsWith('0') || k.startsWith('1') }),
    });
    const out = await runSearch(r, { ...base, estimator: 'flaky' });
    const failed = out.state.trials.filter((t) => t.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0]!.error!.message).toMatch(/synthetic failure on [01]-/);
    expect(out.state.trials).toHaveLength(30);
    expect(out.best).not.toBeNull();
  });

  it('fails a trial whose objective is NaN or missing, with the reason', async () => {
    const r = registry();
    r.register('estimator', {
      name: 'nan',
      description: '',
      create: () => ({
        name: 'nan',
        metrics: [{ name: 'score', direction: 'max' }],
        deterministic: true,
        evaluate: async () => ({ score: Number.NaN }),
      }),
    });
    const out = await runSearch(r, { ...base, estimator: 'nan', budget: { trials: 3 } });
    expect(out.state.trials.map((t) => t.error?.message)).toEqual(
      Array(3).fill('estimator returned score=NaN'),
    );
    expect(out.best).toBeNull();
  });

  it('records a strategy that throws while proposing or being told, and goes on; replay agrees', async () => {
    const flaky: StrategyFactory = {
      ...randomStrategyFactory,
      name: 'flaky',
      create(ctx) {
        const inner = randomStrategyFactory.create(ctx);
        let asks = 0;
        let tells = 0;
        return {
          ask: () => {
            if (++asks % 5 === 0) throw new Error(`ask ${asks} broke`);
            return inner.ask();
          },
          tell: (res) => {
            if (++tells % 7 === 0) throw new Error('tell broke');
            return inner.tell(res);
          },
        } satisfies Strategy;
      },
    };
    const reg = registry(flaky);
    const out = await runSearch(reg, { ...base, strategy: 'flaky' });
    const proposeFailures = out.state.trials.filter((t) => t.status === 'failed' && t.arch === undefined);
    expect(proposeFailures.map((t) => t.trialId)).toEqual([4, 9, 14, 19, 24, 29]);
    expect(out.state.pluginFailures).toBe(3);
    await expect(replayRun(out.store, reg, out.runId, { mode: 'verify' })).resolves.toBeDefined();
  });

  it('rejects unknown plugins, listing the known ones, and writes nothing', async () => {
    const store = new InMemoryEventStore();
    const deps = { store, plugins: registry() };
    await expect(Search.start(deps, { ...base, strategy: 'evolutoin' })).rejects.toThrow(
      new UnknownPluginError('strategy', 'evolutoin', ['random']),
    );
    await expect(Search.start(deps, { ...base, estimator: 'nope' })).rejects.toThrow(
      /known estimators: synthetic/,
    );
    await expect(
      Search.start(deps, { ...base, objective: { metric: 'acc', direction: 'max' } }),
    ).rejects.toThrow(ConfigError);
    await expect(Search.start(deps, { ...base, budget: {} })).rejects.toThrow(/needs a budget/);
    await expect(Search.start(deps, { ...base, strategyOptions: { dedup: true } })).rejects.toThrow(
      /unknown option 'dedup'; known options: dedupe, maxRetries/,
    );
    expect(await store.listRuns()).toEqual([]);
  });

  it('names the operation a strategy needs that the space lacks', async () => {
    const reg = registry({ ...randomStrategyFactory, name: 'needs-mutate', requires: ['mutate'] });
    const { mutate: _, ...noMutate } = digitsSpace();
    reg.register('space', { name: 'plain', description: '', create: () => ({ ...noMutate, name: 'plain' }) });
    await expect(
      Search.start(
        { store: new InMemoryEventStore(), plugins: reg },
        { ...base, space: 'plain', strategy: 'needs-mutate' },
      ),
    ).rejects.toThrow(
      new MissingCapabilityError(
        "strategy 'needs-mutate' needs the space to provide 'mutate'; space 'plain' does not",
      ),
    );
  });

  it('resumes an unknown run with a clear error', async () => {
    await expect(
      Search.resume({ store: new InMemoryEventStore(), plugins: registry() }, 'ghost'),
    ).rejects.toThrow(UnknownRunError);
  });

  it('lets only one of two resumers of the same run write; the log stays intact', async () => {
    const full = await runSearch(registry(), base);
    const store = new InMemoryEventStore();
    await copyLogPrefix(full.store, store, full.runId, 20);
    const deps = { store, plugins: registry() };
    const [a, b] = await Promise.allSettled([
      Search.resume(deps, full.runId),
      Search.resume(deps, full.runId),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual(['fulfilled', 'rejected']);
    const loser = (a.status === 'rejected' ? a : b) as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(ConcurrencyConflictError);
    const winner = (a.status === 'fulfilled' ? a : b) as PromiseFulfilledResult<Search>;
    await winner.value.run();
    const resumed = await replayRun(store, registry(), full.runId, { mode: 'verify' });
    expect(trialsOf(resumed.state)).toEqual(trialsOf(full.state));
  });

  it('stops on request, leaving in-flight trials for resume to run again', async () => {
    const store = new InMemoryEventStore();
    const reg = registry();
    reg.register('estimator', {
      name: 'slow',
      description: '',
      create: (space) => ({
        ...syntheticEstimator({ space }),
        evaluate: (arch, ctx) =>
          new Promise((resolve, reject) => {
            const t = setTimeout(() => resolve({ score: hashScore(space.key(arch)) }), 5);
            ctx.signal.addEventListener('abort', () => {
              clearTimeout(t);
              reject(ctx.signal.reason);
            });
          }),
      }),
    });
    const config = { ...base, estimator: 'slow', concurrency: 3 };
    const search = await Search.start({ store, plugins: reg }, config, 'r');
    search.events$
      .pipe(
        filter((e) => e.type === 'TrialCompleted'),
        take(10),
      )
      .subscribe({ complete: () => search.stop() });
    const first = await search.run();
    expect(first.status).toBe('interrupted');
    expect(first.state.trials.some((t) => t.status === 'running')).toBe(true);
    const second = await (await Search.resume({ store, plugins: reg }, 'r')).run();
    expect(second.status).toBe('completed');
    expect(second.state.trials.every((t) => t.status === 'completed')).toBe(true);
    const events = await readAll(store, 'r');
    const resumed = events.find((e) => e.type === 'RunResumed')!.data as { redispatched: number[] };
    expect(resumed.redispatched.length).toBeGreaterThan(0);
    for (const id of resumed.redispatched) {
      expect(
        events.filter((e) => e.type === 'TrialCompleted' && (e.data as { trialId: number }).trialId === id),
      ).toHaveLength(1);
    }
  });

  it('ends on the wall-time budget, counting only active time across resumes', async () => {
    let t = 0;
    const store = new InMemoryEventStore();
    const deps = { store, plugins: registry(), clock: () => (t += 10) };
    const out = await (await Search.start(deps, { ...base, budget: { wallTimeMs: 500 } }, 'w')).run();
    expect(out.reason).toBe('wall-time');
    expect(out.state.trials.length).toBeGreaterThan(5);
    expect(out.state.trials.length).toBeLessThan(50);
  });

  it('isolates a failing reaction: recorded as PluginFailed, the run completes', async () => {
    const boom: Reaction = {
      name: 'boom',
      react: (events$: Observable<RunEvent>) =>
        events$.pipe(
          map((e) => {
            if (e.type === 'TrialCompleted' && e.data.trialId === 3) throw new Error('reaction broke');
            return e;
          }),
        ),
    };
    const store = new InMemoryEventStore();
    const out = await (
      await Search.start({ store, plugins: registry(), reactions: [boom] }, base, 'x')
    ).run();
    expect(out.status).toBe('completed');
    const failures = (await readAll(store, 'x')).filter((e) => e.type === 'PluginFailed');
    expect(failures.map((e) => e.data)).toEqual([
      { source: 'reaction:boom', error: { name: 'Error', message: 'reaction broke' } },
    ]);
  });
});

describe('replay --verify', () => {
  it('confirms an untouched run and re-evaluates its deterministic results', async () => {
    const run = await runSearch(registry(), base);
    const r = await replayRun(run.store, registry(), run.runId, { mode: 'verify' });
    expect(r.reevaluated).toBe(30);
    expect(r.events).toBe(run.state.lastSeq + 1);
  });

  it('names the seq of an event altered in place (hash no longer matches)', async () => {
    const run = await runSearch(registry(), base);
    const events = await readAll(run.store as InMemoryEventStore, run.runId);
    const seq = events.findIndex(
      (e) => e.type === 'TrialCompleted' && (e.data as { trialId: number }).trialId === 12,
    );
    const forged = await tamperedCopy(
      run.store as InMemoryEventStore,
      run.runId,
      seq,
      (e) => ({ ...e, data: { ...(e.data as object), metrics: { score: 99.9 } } }),
      false,
    );
    const err = await replayRun(forged, registry(), run.runId, { mode: 'verify' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayDivergenceError);
    expect((err as ReplayDivergenceError).seq).toBe(seq);
    expect((err as Error).message).toMatch(/TrialCompleted does not match its hash/);
  });

  it('catches a forged result even when the forger re-chained the hashes', async () => {
    const run = await runSearch(registry(), base);
    const events = await readAll(run.store as InMemoryEventStore, run.runId);
    const seq = events.findIndex(
      (e) => e.type === 'TrialCompleted' && (e.data as { trialId: number }).trialId === 7,
    );
    const forged = await tamperedCopy(
      run.store as InMemoryEventStore,
      run.runId,
      seq,
      (e) => ({ ...e, data: { ...(e.data as object), metrics: { score: 99.9 } } }),
      true,
    );
    const err = (await replayRun(forged, registry(), run.runId, { mode: 'verify' }).catch(
      (e: unknown) => e,
    )) as ReplayDivergenceError;
    expect(err.seq).toBe(seq);
    expect(err.message).toMatch(/trial 7 .* records score=99.9, but synthetic gives/);
  });

  it('catches a proposal the strategy would not have made', async () => {
    const run = await runSearch(registry(), base);
    const events = await readAll(run.store as InMemoryEventStore, run.runId);
    const seq = events.findIndex(
      (e) => e.type === 'TrialProposed' && (e.data as { trialId: number }).trialId === 5,
    );
    const forged = await tamperedCopy(
      run.store as InMemoryEventStore,
      run.runId,
      seq,
      (e) => ({ ...e, data: { trialId: 5, arch: '4-4-4-4' } }),
      true,
    );
    const err = (await replayRun(forged, registry(), run.runId, { mode: 'verify' }).catch(
      (e: unknown) => e,
    )) as ReplayDivergenceError;
    expect(err.seq).toBe(seq);
    expect(err.message).toMatch(/trial 5: the log proposes 4-4-4-4, the strategy now proposes/);
  });
});

describe('strategy checkpoints', () => {
  it('restores the latest checkpoint on resume and replays only the events after it', async () => {
    const restores: number[] = [];
    const reg = registry(countingStrategyFactory(restores));
    const config = { ...base, strategy: 'counting', checkpointEvery: 10 };
    const full = await runSearch(reg, config);
    const events = await readAll(full.store as InMemoryEventStore, full.runId);
    expect(events.filter((e) => e.type === 'Checkpointed')).toHaveLength(3);
    const cut = events.findIndex(
      (e) => e.type === 'TrialCompleted' && (e.data as { trialId: number }).trialId === 24,
    );
    const store = new InMemoryEventStore();
    await copyLogPrefix(full.store, store, full.runId, cut);
    const resumed = await runSearch(reg, { resume: full.runId }, store);
    expect(restores).toEqual([20]);
    expect(trialsOf(resumed.state)).toEqual(trialsOf(full.state));
  });

  it('falls back past checkpoints whose blob is missing or corrupt, with a warning, to the same run', async () => {
    const restores: number[] = [];
    const reg = registry(countingStrategyFactory(restores));
    const full = await runSearch(reg, { ...base, strategy: 'counting', checkpointEvery: 10 });
    const events = await readAll(full.store as InMemoryEventStore, full.runId);
    const cps = events.flatMap((e) => (e.type === 'Checkpointed' ? [e as Checkpointed] : []));
    const cut = events.findIndex(
      (e) => e.type === 'TrialCompleted' && (e.data as { trialId: number }).trialId === 24,
    );
    // The prefix ends after the second checkpoint (told 20). Blobs as a damaged store would hand
    // them back: that one corrupt, or every one gone.
    const cases = [
      {
        blobs: (sha: string, bytes?: Uint8Array) => (sha === cps[1]!.data.blob ? new Uint8Array([1]) : bytes),
        restored: [10],
        warning: `checkpoint at seq ${cps[1]!.seq} is corrupt (blob ${cps[1]!.data.blob.slice(0, 12)}…); resuming from the checkpoint at seq ${cps[0]!.seq} instead`,
      },
      {
        blobs: () => undefined,
        restored: [],
        warning: `checkpoint at seq ${cps[1]!.seq} is missing (blob ${cps[1]!.data.blob.slice(0, 12)}…), and no earlier one is usable; resuming by replaying the strategy from the first event`,
      },
    ];
    for (const { blobs, restored, warning } of cases) {
      restores.length = 0;
      const store = new InMemoryEventStore();
      await copyLogPrefix(full.store, store, full.runId, cut);
      const damaged = Object.assign(Object.create(store) as InMemoryEventStore, {
        getBlob: async (sha: string) => blobs(sha, await store.getBlob(sha)),
      });
      const warnings: string[] = [];
      let t = 1_800_000_000_000;
      const deps = {
        store: damaged,
        plugins: reg,
        clock: () => (t += 1),
        warn: (m: string) => warnings.push(m),
      };
      const resumed = await (await Search.resume(deps, full.runId)).run();
      expect(warnings).toEqual([warning]);
      expect(restores).toEqual(restored);
      expect(trialsOf(resumed.state)).toEqual(trialsOf(full.state));
    }
  });
});

type Checkpointed = StoredEvent & { data: { blob: string } };
