import { describe, expect, it } from 'vitest';
import {
  InMemoryEventStore,
  PluginRegistry,
  randomStrategyFactory,
  replayRun,
  Search,
  type StatefulService,
  upcast,
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

/**
 * A run-scoped service with state (a stand-in for a supernet): every snapshot advances it, so
 * each checkpoint holds a different state, and `restored` lists what resume gave it back.
 */
class FakeSupernet implements StatefulService {
  readonly owner = 'supernet';
  steps = 0;
  readonly restored: number[] = [];
  snapshot(): Uint8Array {
    this.steps++;
    return new TextEncoder().encode(JSON.stringify({ steps: this.steps }));
  }
  restore(bytes: Uint8Array): void {
    this.steps = (JSON.parse(new TextDecoder().decode(bytes)) as { steps: number }).steps;
    this.restored.push(this.steps);
  }
}

// Every run of the test gets the current fake as its run service 'supernet' (RunService):
// the run's container lists it among the stateful services the engine checkpoints.
const SUPERNET = Symbol('FakeSupernet');
const services = { current: [] as FakeSupernet[] };

function registry(restores: number[]): PluginRegistry {
  const r = new PluginRegistry();
  r.register('space', digitsSpaceFactory);
  r.register('estimator', syntheticEstimatorFactory);
  r.register('strategy', randomStrategyFactory);
  r.register('strategy', countingStrategyFactory(restores));
  r.registerRunService({ token: SUPERNET, name: 'supernet', create: () => services.current[0] });
  return r;
}

const config = {
  space: 'digits',
  estimator: 'synthetic',
  strategy: 'counting',
  seed: 3,
  budget: { trials: 30 },
  checkpointEvery: 10,
};

describe('Checkpointed: every owner at the same point', () => {
  it('checkpoints the strategy and each stateful service together; resume after a kill restores both from the latest point', async () => {
    const before = new FakeSupernet();
    services.current = [before];
    const full = await runSearch(registry([]), config);
    const events = await readAll(full.store as InMemoryEventStore, full.runId);
    const cps = events
      .filter((e) => e.type === 'Checkpointed')
      .map((e) => e.data as { owner: string; told: number });
    expect(cps.map((c) => `${c.owner}@${c.told}`)).toEqual([
      'strategy@10',
      'supernet@10',
      'strategy@20',
      'supernet@20',
      'strategy@30',
      'supernet@30',
    ]);
    // Killed after trial 24 completed: the last complete point is told 20.
    const cut = events.findIndex(
      (e) => e.type === 'TrialCompleted' && (e.data as { trialId: number }).trialId === 24,
    );
    const store = new InMemoryEventStore();
    await copyLogPrefix(full.store, store, full.runId, cut);
    const after = new FakeSupernet();
    services.current = [after];
    const restores: number[] = [];
    const resumed = await runSearch(registry(restores), { resume: full.runId }, store);
    expect(restores).toEqual([20]);
    expect(after.restored).toEqual([2]);
    expect(trialsOf(resumed.state)).toEqual(trialsOf(full.state));
  });

  it('falls back to the latest point at which every owner has an intact checkpoint', async () => {
    services.current = [new FakeSupernet()];
    const full = await runSearch(registry([]), config);
    const events = await readAll(full.store as InMemoryEventStore, full.runId);
    const supernetAt20 = events.find(
      (e) =>
        e.type === 'Checkpointed' &&
        (e.data as { owner: string; told: number }).owner === 'supernet' &&
        (e.data as { told: number }).told === 20,
    )!;
    const cut = events.findIndex(
      (e) => e.type === 'TrialCompleted' && (e.data as { trialId: number }).trialId === 24,
    );
    const store = new InMemoryEventStore();
    await copyLogPrefix(full.store, store, full.runId, cut);
    const blob = (supernetAt20.data as { blob: string }).blob;
    const damaged = Object.assign(Object.create(store) as InMemoryEventStore, {
      getBlob: async (sha: string) => (sha === blob ? undefined : store.getBlob(sha)),
    });
    const after = new FakeSupernet();
    services.current = [after];
    const restores: number[] = [];
    const warnings: string[] = [];
    const r = await replayRun(damaged, registry(restores), full.runId, {
      mode: 'resume',
      onWarning: (m) => warnings.push(m),
    });
    expect(restores).toEqual([10]);
    expect(after.restored).toEqual([1]);
    expect(r.told).toBe(24);
    expect(warnings).toEqual([
      `checkpoint at seq ${supernetAt20.seq} is missing (blob ${blob.slice(0, 12)}…); resuming from the checkpoint at seq ${events.find((e) => e.type === 'Checkpointed')!.seq} instead`,
    ]);
    const resumed = await (await Search.resume({ store, plugins: registry([]) }, full.runId)).run();
    expect(trialsOf(resumed.state)).toEqual(trialsOf(full.state));
  });

  it('reads a StrategyCheckpointed of an earlier log as the checkpoint of owner strategy', () => {
    const stored = {
      type: 'StrategyCheckpointed',
      v: 1,
      runId: 'r',
      seq: 5,
      ts: 1,
      hash: 'h',
      data: { blob: 'b', bytes: 3, told: 10 },
    };
    expect(upcast(stored)).toEqual({
      ...stored,
      type: 'Checkpointed',
      data: { owner: 'strategy', blob: 'b', bytes: 3, told: 10 },
    });
  });
});
