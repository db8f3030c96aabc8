import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  configDifference,
  InMemoryEventStore,
  PluginRegistry,
  randomStrategyFactory,
  replayRun,
  resolveConfig,
  Search,
} from '../src/index.js';
import {
  copyLogPrefix,
  countingStrategyFactory,
  digitsSpaceFactory,
  readAll,
  runSearch,
  syntheticEstimatorFactory,
  trialsOf,
} from '../src/testing/index.js';

function registry(): PluginRegistry {
  const r = new PluginRegistry();
  r.register('space', digitsSpaceFactory);
  r.register('estimator', syntheticEstimatorFactory);
  r.register('strategy', randomStrategyFactory);
  r.register('strategy', countingStrategyFactory());
  return r;
}

const base = { space: 'digits', estimator: 'synthetic', seed: 5, checkpointEvery: 10 };

describe('extending a run (RunExtended)', () => {
  for (const strategy of ['random', 'counting']) {
    it(`${strategy}: 30 trials extended to 45 equal an uninterrupted 45-trial run; replay verifies`, async () => {
      const reg = registry();
      const whole = await runSearch(reg, { ...base, strategy, budget: { trials: 45 } });
      const short = await runSearch(reg, { ...base, strategy, budget: { trials: 30 } });
      const store = short.store;
      const deps = { store, plugins: reg };
      const search = await Search.resume(deps, 'test-run', { trials: 45 });
      expect(search.extendedFrom).toBe(30);
      const out = await search.run();
      expect(out.status).toBe('completed');
      expect(out.reason).toBe('trials');
      expect(out.state.config!.budget).toEqual({ trials: 45 });
      expect(trialsOf(out.state).slice(0, 30)).toEqual(trialsOf(short.state));
      expect(trialsOf(out.state)).toEqual(trialsOf(whole.state));
      const types = (await readAll(store as InMemoryEventStore, 'test-run')).map((e) => e.type);
      expect(types.filter((t) => t === 'RunExtended')).toHaveLength(1);
      expect(types.filter((t) => t === 'RunCompleted')).toHaveLength(2);
      expect(types.indexOf('RunResumed')).toBe(types.indexOf('RunExtended') + 1);
      const verified = await replayRun(store, reg, 'test-run', { mode: 'verify' });
      expect(verified.state.trials).toHaveLength(45);
      expect(verified.state.status).toBe('completed');
      // Asking again for the budget it has is a plain resume of a finished run: nothing is written.
      const before = (await readAll(store as InMemoryEventStore, 'test-run')).length;
      const again = await Search.resume(deps, 'test-run', { trials: 45 });
      expect(again.extendedFrom).toBeUndefined();
      expect((await again.run()).trials).toBe(45);
      expect(await readAll(store as InMemoryEventStore, 'test-run')).toHaveLength(before);
    });
  }

  it('a crash at any point of an extended run resumes to the same trials', async () => {
    const reg = registry();
    const config = { ...base, strategy: 'counting', budget: { trials: 20 } };
    const whole = await runSearch(reg, { ...config, budget: { trials: 40 } });
    const short = await runSearch(reg, config);
    await (await Search.resume({ store: short.store, plugins: reg }, 'test-run', { trials: 40 })).run();
    const events = await readAll(short.store as InMemoryEventStore, 'test-run');
    const extendedAt = events.findIndex((e) => e.type === 'RunExtended');
    for (const cut of [extendedAt + 1, extendedAt + 2, extendedAt + 17, events.length - 2]) {
      const store = new InMemoryEventStore();
      await copyLogPrefix(short.store, store, 'test-run', cut);
      const resumed = await runSearch(reg, { resume: 'test-run' }, store);
      expect(resumed.state.config!.budget.trials).toBe(40);
      expect(trialsOf(resumed.state)).toEqual(trialsOf(whole.state));
      expect((await replayRun(store, reg, 'test-run', { mode: 'verify' })).state.trials).toHaveLength(40);
    }
  });

  it('refuses to shrink a budget or to add one to a wall-time run, and writes nothing', async () => {
    const reg = registry();
    const short = await runSearch(reg, { ...base, budget: { trials: 30 } });
    const deps = { store: short.store, plugins: reg };
    const before = await readAll(short.store as InMemoryEventStore, 'test-run');
    await expect(Search.resume(deps, 'test-run', { trials: 29 })).rejects.toThrow(
      new ConfigError(
        "run 'test-run' has budget.trials=30; 29 would shrink it, and a run's budget only grows",
      ),
    );
    await expect(Search.resume(deps, 'test-run', { trials: 2.5 })).rejects.toThrow(/whole number/);
    expect(await readAll(short.store as InMemoryEventStore, 'test-run')).toEqual(before);
    const timed = await runSearch(reg, { ...base, budget: { wallTimeMs: 20 } });
    await expect(
      Search.resume({ store: timed.store, plugins: reg }, 'test-run', { trials: 50 }),
    ).rejects.toThrow(/has no trial budget/);
  });

  it('does not count the time a finished run waited before its extension against its wall time', async () => {
    let t = 0;
    const store = new InMemoryEventStore();
    const deps = { store, plugins: registry(), clock: () => (t += 1) };
    const config = { ...base, budget: { trials: 10, wallTimeMs: 1000 } };
    expect((await (await Search.start(deps, config, 'w')).run()).reason).toBe('trials');
    t += 1_000_000;
    const out = await (await Search.resume(deps, 'w', { trials: 20 })).run();
    expect(out.reason).toBe('trials');
    expect(out.state.trials).toHaveLength(20);
    expect(out.state.config!.budget).toEqual({ trials: 20, wallTimeMs: 1000 });
  });
});

describe('configDifference', () => {
  const resolved = (over: Record<string, unknown>) =>
    resolveConfig(registry(), { ...base, budget: { trials: 30 }, ...over });

  it('names the first setting that differs, with both values, and leaves the trial budget out', () => {
    expect(configDifference(resolved({}), resolved({ budget: { trials: 90 } }))).toBeUndefined();
    expect(configDifference(resolved({}), resolved({ seed: 6 }))).toEqual({
      field: 'seed',
      recorded: 5,
      requested: 6,
    });
    expect(configDifference(resolved({}), resolved({ strategyOptions: { dedupe: false } }))).toEqual({
      field: 'strategyOptions.dedupe',
      recorded: true,
      requested: false,
    });
    expect(configDifference(resolved({}), resolved({ strategy: 'counting' }))).toMatchObject({
      field: 'strategy',
    });
    expect(configDifference(resolved({}), resolved({ budget: { trials: 30, wallTimeMs: 5 } }))).toEqual({
      field: 'budget.wallTimeMs',
      recorded: undefined,
      requested: 5,
    });
    expect(
      configDifference(resolved({}), resolved({ constraints: [{ metric: 'score', op: '<=', bound: 1 }] })),
    ).toMatchObject({ field: 'constraints', recorded: undefined });
  });
});
