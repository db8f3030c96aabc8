import { describe, expect, it } from 'vitest';
import {
  type EstimatorFactory,
  type EvaluationContext,
  fixedStrategyFactory,
  InMemoryEventStore,
  InvalidOptionError,
  MalformedArchitectureError,
  PluginRegistry,
  ReplayDivergenceError,
  replayRun,
  Search,
  sha256Hex,
  trialSeed,
} from '../src/index.js';
import {
  copyLogPrefix,
  digitsSpaceFactory,
  hashScore,
  readAll,
  runSearch,
  strategyContract,
} from '../src/testing/index.js';

/**
 * An estimator that records the contexts it is given and saves `weights` derived from the key and
 * seed; with `hang`, it waits until it is aborted instead (a training cut short).
 */
function savingEstimator(seen: EvaluationContext[], hang = false): EstimatorFactory {
  return {
    name: 'saving',
    description: 'test estimator that saves an artifact',
    create: (space) => ({
      name: 'saving',
      metrics: [{ name: 'score', direction: 'max' }],
      deterministic: false,
      async evaluate(arch, ctx) {
        seen.push(ctx);
        if (hang) {
          await new Promise((_, reject) => ctx.signal.addEventListener('abort', reject));
        }
        const key = space.key(arch);
        ctx.saveArtifact?.('weights', new TextEncoder().encode(`${key}@${ctx.seed}`), 'text');
        return { score: hashScore(key) };
      },
    }),
  };
}

function registry(seen: EvaluationContext[] = [], hang = false): PluginRegistry {
  const r = new PluginRegistry();
  r.register('space', digitsSpaceFactory);
  r.register('estimator', savingEstimator(seen, hang));
  r.register('strategy', fixedStrategyFactory);
  return r;
}

const retrain = {
  space: 'digits',
  estimator: 'saving',
  strategy: 'fixed',
  strategyOptions: { arch: '1-2-3-4', source: 'run s, trial 7 (its best)' },
  seed: 5,
  budget: { trials: 1 },
};

/** A store whose blobs come back altered (or not at all). */
class DamagedBlobs extends InMemoryEventStore {
  constructor(private readonly damage: (bytes: Uint8Array) => Uint8Array | undefined) {
    super();
  }
  override async getBlob(sha: string): Promise<Uint8Array | undefined> {
    const bytes = await super.getBlob(sha);
    return bytes && this.damage(bytes);
  }
}

// Its one architecture is pruned in the contract's run with a constraint: latency 8.7 > 7.
strategyContract(fixedStrategyFactory, { strategyOptions: { arch: '1-2-3-4' }, trials: 1 });

describe('the fixed strategy', () => {
  it('proposes its architecture once: a run of one trial that replays and verifies', async () => {
    const out = await runSearch(registry(), retrain);
    expect(out.reason).toBe('trials');
    expect(out.state.trials.map((t) => [t.arch, t.status])).toEqual([['1-2-3-4', 'completed']]);
    expect(out.state.config?.strategyOptions).toEqual(retrain.strategyOptions);
    const verified = await replayRun(out.store, registry(), out.runId, { mode: 'verify' });
    expect(verified.state.trials).toHaveLength(1);
  });

  it('has nothing more to propose with a larger budget', async () => {
    const out = await runSearch(registry(), { ...retrain, budget: { trials: 3 } });
    expect(out.reason).toBe('exhausted');
    expect(out.state.trials).toHaveLength(1);
  });

  it('rejects a missing or malformed architecture before anything is written', async () => {
    const store = new InMemoryEventStore();
    const start = (arch?: string) =>
      Search.start(
        { store, plugins: registry() },
        { ...retrain, strategyOptions: arch ? { arch } : {} },
        'x',
      );
    await expect(start()).rejects.toThrow(InvalidOptionError);
    await expect(start()).rejects.toThrow(/fixed: option 'arch' is required/);
    await expect(start('1-2-9')).rejects.toThrow(MalformedArchitectureError);
    expect(await store.listRuns()).toEqual([]);
  });
});

describe('trial seeds', () => {
  it("with trialSeed 'run', the estimator gets the run's seed itself; otherwise one derived per trial", async () => {
    const own: EvaluationContext[] = [];
    const run = await runSearch(registry(own), { ...retrain, trialSeed: 'run' });
    expect(own.map((c) => c.seed)).toEqual([5]);
    expect(run.state.config?.trialSeed).toBe('run');
    const derived: EvaluationContext[] = [];
    const plain = await runSearch(registry(derived), retrain);
    expect(derived.map((c) => c.seed)).toEqual([trialSeed(5, 0)]);
    expect(plain.state.config?.trialSeed).toBeUndefined();
    // RunStarted is v2 only when the run uses the field, so older readers still read the others.
    const [a] = await readAll(run.store, run.runId);
    const [b] = await readAll(plain.store, plain.runId);
    expect([a!.v, b!.v]).toEqual([2, 1]);
  });

  it("keeps the run's seed when resumed", async () => {
    const store = new InMemoryEventStore();
    const first: EvaluationContext[] = [];
    const search = await Search.start(
      { store, plugins: registry(first, true) },
      { ...retrain, trialSeed: 'run' },
      'r',
    );
    // Stopped while training: the trial is left unfinished, for resume to train again.
    search.events$.subscribe((e) => {
      if (e.type === 'TrialStarted') setTimeout(() => search.stop(), 5);
    });
    expect((await search.run()).status).toBe('interrupted');
    expect(search.state.trials[0]?.status).toBe('running');
    const again: EvaluationContext[] = [];
    const resumed = await runSearch(registry(again), { resume: 'r' }, store);
    expect(resumed.state.trials.map((t) => [t.status, t.attempts])).toEqual([['completed', 2]]);
    expect([...first, ...again].map((c) => c.seed)).toEqual([5, 5]);
  });
});

describe('artifacts', () => {
  it('stores what the estimator saved as a blob, named with its sha256 in TrialCompleted (v2)', async () => {
    const out = await runSearch(registry(), retrain);
    const bytes = new TextEncoder().encode(`1-2-3-4@${trialSeed(5, 0)}`);
    const ref = { blob: sha256Hex(bytes), bytes: bytes.byteLength, format: 'text' };
    expect(out.state.trials[0]?.artifacts).toEqual({ weights: ref });
    expect(await out.store.getBlob(ref.blob)).toEqual(bytes);
    const completed = (await readAll(out.store, out.runId)).find((e) => e.type === 'TrialCompleted')!;
    expect(completed.v).toBe(2);
    expect((completed.data as { artifacts: unknown }).artifacts).toEqual({ weights: ref });
    const verified = await replayRun(out.store, registry(), out.runId, { mode: 'verify' });
    expect(verified.artifacts).toBe(1);
    // A crash after the result keeps it: the copy of the log holds the blob too.
    const copy = new InMemoryEventStore();
    await copyLogPrefix(out.store, copy, out.runId, completed.seq + 1);
    expect((await replayRun(copy, registry(), out.runId, { mode: 'verify' })).artifacts).toBe(1);
  });

  it.each([
    ['corrupt', (b: Uint8Array) => Uint8Array.from(b, (x, i) => (i === 0 ? x ^ 1 : x))],
    ['missing', () => undefined],
  ])('replay --verify names the TrialCompleted whose blob is %s', async (what, damage) => {
    const store = new DamagedBlobs(damage);
    const out = await runSearch(registry(), retrain, store);
    const seq = (await readAll(store, out.runId)).find((e) => e.type === 'TrialCompleted')!.seq;
    const err = await replayRun(store, registry(), out.runId, { mode: 'verify' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayDivergenceError);
    expect((err as ReplayDivergenceError).seq).toBe(seq);
    expect((err as Error).message).toMatch(new RegExp(`trial 0's weights blob [0-9a-f]{12}… is ${what}`));
  });
});
