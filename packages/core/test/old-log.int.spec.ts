import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  foldRun,
  InMemoryEventStore,
  PluginRegistry,
  randomStrategyFactory,
  replayRun,
  runObjectives,
  type StoredEvent,
  upcast,
} from '../src/index.js';
import {
  copyLogPrefix,
  digitsSpaceFactory,
  hashScore,
  readAll,
  runSearch,
  syntheticEstimator,
  trialsOf,
} from '../src/testing/index.js';

/**
 * A log written by archlab 0.1.0, before objectives, constraints and hardware models existed
 * (RunStarted v1 with a single `objective`): digits space, random strategy, seed 3, 12 trials,
 * an estimator failing on about a fifth of the keys.
 */
const FIXTURE = new URL('./fixtures/run-0.1.0-digits-random.jsonl', import.meta.url);
const events = readFileSync(FIXTURE, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as StoredEvent);
const runId = events[0]!.runId;

function registry(): PluginRegistry {
  const r = new PluginRegistry();
  r.register('space', digitsSpaceFactory);
  r.register('strategy', randomStrategyFactory);
  r.register('estimator', {
    name: 'flaky',
    description: 'synthetic score, failing on about 20% of keys',
    create: (space) => syntheticEstimator({ space, failWhen: (k) => hashScore(`fail:${k}`) < 20 }),
  });
  return r;
}

async function storeWith(n = events.length): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  await store.append(runId, -1, events.slice(0, n));
  return store;
}

describe('a log from before objectives and constraints (RunStarted v1)', () => {
  it('upcasts to the current RunStarted, and reads as a one-objective run without constraints', () => {
    expect(events[0]).toMatchObject({ type: 'RunStarted', v: 1 });
    const started = upcast(events[0]!);
    expect(started.v).toBe(2);
    const state = foldRun(events.map((e) => upcast(e)));
    expect(runObjectives(state.config!)).toEqual([{ metric: 'score', direction: 'max' }]);
    expect(state.config!.constraints).toBeUndefined();
    expect(state.counts).toEqual({ completed: 11, failed: 1, pruned: 0, infeasible: 0 });
    expect(state.best!.metrics.score).toBe(Math.max(...state.trials.map((t) => t.metrics?.score ?? 0)));
  });

  it('verifies: hash chain, every proposal, and every result re-evaluated', async () => {
    const r = await replayRun(await storeWith(), registry(), runId, { mode: 'verify' });
    expect(r.reevaluated).toBe(11);
    expect(r.state.trials).toHaveLength(12);
  });

  it('is what a run of the same config writes today: the same v1 RunStarted config, the same events', async () => {
    const today = await runSearch(registry(), {
      space: 'digits',
      estimator: 'flaky',
      strategy: 'random',
      seed: 3,
      budget: { trials: 12 },
      checkpointEvery: 0,
    });
    const written = await readAll(today.store, today.runId);
    expect(written[0]!.v).toBe(1);
    expect((written[0]!.data as { config: unknown }).config).toEqual(
      (events[0]!.data as { config: unknown }).config,
    );
    // Durations are measured, so they differ; everything else is equal.
    const shape = (e: StoredEvent) => [
      e.type,
      e.v,
      JSON.stringify({ ...(e.data as object), durationMs: 0, env: 0, packages: 0 }),
    ];
    expect(written.map(shape)).toEqual(events.map(shape));
  });

  it('resumes from any cut into the recorded trials', async () => {
    const whole = foldRun(events.map((e) => upcast(e)));
    const full = await storeWith();
    for (let cut = 1; cut < events.length; cut++) {
      const store = new InMemoryEventStore();
      await copyLogPrefix(full, store, runId, cut);
      const resumed = await runSearch(registry(), { resume: runId }, store);
      expect(trialsOf(resumed.state), `cut after ${cut} events`).toEqual(trialsOf(whole));
      expect(resumed.state.best, `cut after ${cut} events`).toEqual(whole.best);
    }
  });
});
