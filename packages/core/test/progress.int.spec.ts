import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type EstimatorFactory,
  type EventStore,
  InMemoryEventStore,
  InvalidProgressError,
  initialRunState,
  PluginRegistry,
  type ProgressReporter,
  ReplayDivergenceError,
  Rng,
  type RngState,
  type RunEvent,
  RunProgress,
  type RunScope,
  type RunService,
  RunWriter,
  replayRun,
  Search,
  type StoredEvent,
  type StrategyFactory,
} from '../src/index.js';
import {
  copyLogPrefix,
  digitsSpaceFactory,
  readAll,
  runSearch,
  strategyContract,
  tamperedCopy,
  trialsOf,
} from '../src/testing/index.js';

/** How the fakes behave in the run under test: a resumed run may be made to differ. */
const behaviour = { drift: 1, quiet: false, nanAt: 0 };

const WIDTH = 4;
const BASE = 5;

/**
 * A stand-in for a supernet (a run service shared by the strategy and the estimator): an epoch
 * is two chunks of deterministic arithmetic on a Float64Array and its own rng, each chunk
 * reported as one step of progress; its weights, rng and step count are its checkpoint.
 */
class FakeSupernet {
  weights = new Float64Array(WIDTH * BASE);
  rng = Rng.fromSeed('supernet');
  step = 0;
  images = 0;

  constructor(private readonly progress: ProgressReporter) {}

  async trainEpoch(alpha: Float64Array): Promise<void> {
    for (let chunk = 0; chunk < 2; chunk++) {
      let loss = 0;
      for (let k = 0; k < 3; k++) {
        const x = this.rng.float() * behaviour.drift;
        for (let j = 0; j < this.weights.length; j++) {
          this.weights[j] = 0.75 * this.weights[j]! + 0.25 * x * Math.tanh(alpha[j]! + j / 7);
          loss += (this.weights[j]! - 0.3) ** 2;
        }
      }
      this.step++;
      this.images += 32;
      if (this.step === behaviour.nanAt) loss = Number.NaN;
      await this.progress.report(this.step, { loss, images: this.images });
    }
  }

  /** The inherited-weight score of an architecture. */
  score(arch: readonly number[]): number {
    return arch.reduce((s, op, pos) => s + this.weights[pos * BASE + op]!, 0);
  }

  snapshot(): Uint8Array {
    const { weights, rng, step, images } = this;
    return new TextEncoder().encode(
      JSON.stringify({ weights: [...weights], rng: rng.state(), step, images }),
    );
  }

  restore(bytes: Uint8Array): void {
    const s = JSON.parse(new TextDecoder().decode(bytes)) as {
      weights: number[];
      rng: RngState;
      step: number;
      images: number;
    };
    this.weights = Float64Array.from(s.weights);
    this.rng = Rng.fromState(s.rng);
    this.step = s.step;
    this.images = s.images;
  }
}

const SUPERNET = Symbol.for('test.FakeSupernet');
const made: FakeSupernet[] = [];
const supernetService: RunService<FakeSupernet> = {
  token: SUPERNET,
  name: 'supernet',
  create: (scope: RunScope) => {
    const s = new FakeSupernet(scope.progress('supernet'));
    made.push(s);
    return s;
  },
};

/**
 * A one-shot strategy in the DARTS shape: each `ask` trains the supernet one epoch, moves the
 * architecture weights α, reports (softmax of α per position as `values.alpha`) and proposes
 * the derived architecture (argmax per position); `tell` nudges α by the result.
 */
const oneShotFactory: StrategyFactory = {
  name: 'one-shot',
  description: 'test: trains the shared supernet one epoch per ask and reports its progress',
  options: {},
  create(ctx) {
    const supernet = ctx.services!.get<FakeSupernet>(SUPERNET);
    let alpha = new Float64Array(WIDTH * BASE);
    let rng = ctx.rng;
    let epoch = 0;
    return {
      async ask() {
        await supernet.trainEpoch(alpha);
        for (let j = 0; j < alpha.length; j++)
          alpha[j] = alpha[j]! + 0.1 * (supernet.weights[j]! - rng.float() / 4);
        epoch++;
        const softmax = softmaxPerPosition(alpha);
        // Gumbel hard sampling (GDAS): the proposal is the argmax of the perturbed logits.
        const logits = alpha.map((a) => a - Math.log(-Math.log(rng.float() + 1e-12)));
        if (!behaviour.quiet) {
          await ctx.progress!.report(epoch, { epoch, images: supernet.images }, { alpha: softmax, logits });
        }
        return derive(logits);
      },
      tell(result) {
        // Failed and pruned trials have no score (NaN) to learn from.
        if (Number.isNaN(result.score)) return;
        const arch = result.arch as number[];
        for (const [p, op] of arch.entries())
          alpha[p * BASE + op] = alpha[p * BASE + op]! + 0.05 * Math.tanh(result.score);
      },
      snapshot: () =>
        new TextEncoder().encode(JSON.stringify({ alpha: [...alpha], rng: rng.state(), epoch })),
      restore(bytes) {
        const s = JSON.parse(new TextDecoder().decode(bytes)) as {
          alpha: number[];
          rng: RngState;
          epoch: number;
        };
        alpha = Float64Array.from(s.alpha);
        rng = Rng.fromState(s.rng);
        epoch = s.epoch;
      },
    };
  },
};

function softmaxPerPosition(alpha: Float64Array): Float64Array {
  const out = new Float64Array(alpha.length);
  for (let p = 0; p < WIDTH; p++) {
    const row = alpha.subarray(p * BASE, (p + 1) * BASE);
    const max = Math.max(...row);
    const exps = [...row].map((a) => Math.exp(a - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    for (let k = 0; k < BASE; k++) out[p * BASE + k] = exps[k]! / sum;
  }
  return out;
}

/** The derived architecture: the strongest op per position. */
function derive(weights: ArrayLike<number>): number[] {
  const all = Array.from(weights);
  return Array.from({ length: WIDTH }, (_, p) => argmax(all.slice(p * BASE, (p + 1) * BASE)));
}

function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

/** Scores an architecture with the run's supernet: it must be the strategy's instance (in process). */
const inheritedFactory: EstimatorFactory = {
  name: 'inherited',
  description: 'test: the inherited-weight score of an architecture on the shared supernet',
  create(_space, _options, ctx) {
    const supernet = ctx?.services.get<FakeSupernet>(SUPERNET);
    return {
      name: 'inherited',
      metrics: [{ name: 'score', direction: 'max' }],
      deterministic: true,
      parallelism: 1,
      evaluate: async (arch) => ({ score: supernet!.score(arch as number[]) }),
    };
  },
};

function registry(): PluginRegistry {
  const r = new PluginRegistry();
  r.register('space', digitsSpaceFactory);
  r.register('estimator', inheritedFactory);
  r.register('strategy', oneShotFactory);
  r.registerRunService(supernetService);
  return r;
}

const config = {
  space: 'digits',
  estimator: 'inherited',
  strategy: 'one-shot',
  seed: 7,
  budget: { trials: 6 },
  checkpointEvery: 2,
};

/** A run's events as a resumed run must repeat them: without times (durations too), hashes, seqs and RunResumed. */
function comparable(events: readonly StoredEvent[]): unknown[] {
  // A trial the crash left running is started again: its later attempts are the resume's own.
  return events
    .filter(
      (e) =>
        e.type !== 'RunResumed' &&
        !(e.type === 'TrialStarted' && (e.data as { attempt: number }).attempt > 1),
    )
    .map((e) => {
      const { durationMs: _, ...data } = e.data as { durationMs?: number };
      return { type: e.type, data };
    });
}

/** A copy of a run (`tamperedCopy`) given the checkpoint blobs of the original, so only the tampering differs. */
async function withBlobs(from: EventStore, to: InMemoryEventStore, events: readonly StoredEvent[]) {
  for (const e of events) {
    if (e.type === 'Checkpointed') await to.putBlob((await from.getBlob((e.data as { blob: string }).blob))!);
  }
  return to;
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function withBehaviour<T>(b: Partial<typeof behaviour>, f: () => Promise<T>): Promise<T> {
  Object.assign(behaviour, b);
  try {
    return await f();
  } finally {
    Object.assign(behaviour, { drift: 1, quiet: false, nanAt: 0 });
  }
}

/** The uninterrupted run, its events, and the hash of its supernet's final state. */
async function fullRun() {
  const full = await runSearch(registry(), config);
  const events = await readAll(full.store, full.runId);
  return { full, events, weights: sha(made.at(-1)!.snapshot()) };
}

describe('progress of work between trials (Progressed)', () => {
  it('is appended as it is reported, in order, before the proposal it led to, and reaches events$', async () => {
    const store = new InMemoryEventStore();
    let t = 1_700_000_000_000;
    const search = await Search.start({ store, plugins: registry(), clock: () => (t += 1) }, config, 'live');
    const seen: RunEvent[] = [];
    search.events$.subscribe((e) => seen.push(e));
    await search.run();
    const events = await readAll(store, 'live');
    const progressed = events.filter((e) => e.type === 'Progressed');
    expect(seen.filter((e) => e.type === 'Progressed').map((e) => e.seq)).toEqual(
      progressed.map((e) => e.seq),
    );
    // Per trial: the supernet's two chunks, then the strategy's epoch, then the proposal.
    const first = events
      .slice(1, 5)
      .map((e) => [e.type, (e.data as { owner?: string; step?: number }).owner]);
    expect(first).toEqual([
      ['Progressed', 'supernet'],
      ['Progressed', 'supernet'],
      ['Progressed', 'strategy'],
      ['TrialProposed', undefined],
    ]);
    const steps = (owner: string) =>
      progressed
        .filter((e) => (e.data as { owner: string }).owner === owner)
        .map((e) => (e.data as { step: number }).step);
    expect(steps('supernet')).toEqual([...Array(12).keys()].map((i) => i + 1));
    expect(steps('strategy')).toEqual([1, 2, 3, 4, 5, 6]);
    const last = progressed.at(-1)!.data as {
      values: { alpha: number[]; logits: number[] };
      metrics: { images: number };
    };
    expect(Object.keys(last.values)).toEqual(['alpha', 'logits']);
    expect(last.metrics.images).toBe(6 * 2 * 32);
    // Softmax per position: each position's five weights sum to one.
    for (let p = 0; p < WIDTH; p++) {
      const row = last.values.alpha.slice(p * BASE, (p + 1) * BASE);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
    // The fold keeps the latest progress per owner, without the vectors.
    expect(search.state.progress.get('strategy')).toEqual({
      seq: progressed.at(-1)!.seq,
      step: 6,
      metrics: { epoch: 6, images: 384 },
    });
    expect(search.state.progress.get('supernet')?.step).toBe(12);
    // The architecture sampled each epoch is the trial: argmax of the recorded perturbed logits.
    const proposed = events
      .filter((e) => e.type === 'TrialProposed')
      .map((e) => (e.data as { arch: string }).arch);
    const derived = progressed
      .filter((e) => (e.data as { owner: string }).owner === 'strategy')
      .map((e) => derive((e.data as { values: { logits: number[] } }).values.logits).join('-'));
    expect(proposed).toEqual(derived);
  });

  it('resumes after a crash at every append, mid-epoch and mid-checkpoint, to the same events and supernet state', async () => {
    const { full, events, weights } = await fullRun();
    const want = comparable(events);
    // A batch is appended whole or not at all (the store contract): a crash falls between batches,
    // which share a timestamp. One before a checkpoint may leave its blobs stored without the event.
    const cuts = events.flatMap((e, i) => (i > 0 && e.ts !== events[i - 1]!.ts ? [i] : []));
    expect(cuts.length).toBeGreaterThan(30);
    for (const cut of cuts) {
      const store = new InMemoryEventStore();
      await copyLogPrefix(full.store, store, full.runId, cut);
      for (const e of events.filter((x) => x.ts === events[cut]!.ts && x.type === 'Checkpointed')) {
        await store.putBlob((await full.store.getBlob((e.data as { blob: string }).blob))!);
      }
      const resumed = await runSearch(registry(), { resume: full.runId }, store);
      const got = await readAll(store, full.runId);
      expect(comparable(got), `cut after ${cut} events`).toEqual(want);
      expect(trialsOf(resumed.state), `cut after ${cut} events`).toEqual(trialsOf(full.state));
      expect(sha(made.at(-1)!.snapshot()), `cut after ${cut} events`).toBe(weights);
      // Nothing before the cut was written again.
      expect(got.slice(0, cut)).toEqual(events.slice(0, cut));
    }
  });

  it('a resumed run that reports other progress than the log records is a divergence at the recorded seq', async () => {
    const { full, events } = await fullRun();
    // After a checkpoint, the supernet's first chunk of the next epoch.
    const checkpoint = events.findLastIndex((e, i) => e.type === 'Checkpointed' && i < events.length - 8);
    const chunk = events.findIndex((e, i) => i > checkpoint && e.type === 'Progressed');
    // Killed in the middle of that epoch (its first chunk recorded), and after its proposal.
    for (const cut of [chunk + 1, chunk + 4]) {
      const store = new InMemoryEventStore();
      await copyLogPrefix(full.store, store, full.runId, cut);
      const before = await readAll(store, full.runId);
      const err = await withBehaviour({ drift: 1.001 }, () =>
        runSearch(registry(), { resume: full.runId }, store).catch((e: unknown) => e),
      );
      expect(err).toBeInstanceOf(ReplayDivergenceError);
      // chunk + 1: re-done inside the live run's first ask; chunk + 4: checked while replaying.
      expect((err as ReplayDivergenceError).seq, `cut after ${cut} events`).toBe(chunk);
      expect((err as Error).message).toMatch(
        /'supernet' reports progress step \d+ with metrics\.loss=[\d.e-]+, but the log records metrics\.loss=/,
      );
      // Nothing recorded was lost; at most the resume was noted.
      const after = (await readAll(store, full.runId)).filter((e) => e.type !== 'RunResumed');
      expect(after).toEqual(before);
    }
  });

  it('a resumed run that does not report what the log records again is a divergence naming that seq', async () => {
    const { full, events } = await fullRun();
    const strategyProgress = events.filter(
      (e) => e.type === 'Progressed' && (e.data as { owner: string }).owner === 'strategy',
    );
    const target = strategyProgress.at(-1)!;
    // Cut just after it: the resume re-does the epochs after the checkpoint without reporting them.
    const checkpoint = events.findLast((e) => e.type === 'Checkpointed' && e.seq < target.seq)!;
    const first = strategyProgress.find((e) => e.seq > checkpoint.seq)!;
    const store = new InMemoryEventStore();
    await copyLogPrefix(full.store, store, full.runId, target.seq + 1);
    const err = await withBehaviour({ quiet: true }, () =>
      runSearch(registry(), { resume: full.runId }, store).catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(ReplayDivergenceError);
    expect((err as ReplayDivergenceError).seq).toBe(first.seq);
    expect((err as Error).message).toContain(
      `the log records progress step ${(first.data as { step: number }).step} of 'strategy', which the run did not report again`,
    );
    const failed = (await readAll(store, full.runId)).filter((e) => e.type === 'TrialFailed');
    expect(failed).toEqual([]);
  });

  it('replay --verify re-derives every report of a good log and catches a tampered one behind a rebuilt chain', async () => {
    const { full, events } = await fullRun();
    const ok = await replayRun(full.store, registry(), full.runId, { mode: 'verify' });
    expect(ok.progress).toBe(events.filter((e) => e.type === 'Progressed').length);
    expect(ok.reevaluated).toBe(6);

    // Only the value differs: the chain is rebuilt, the checkpoint blobs are the original's.
    const tamper = async (seq: number, edit: (data: Record<string, unknown>) => Record<string, unknown>) =>
      withBlobs(
        full.store,
        await tamperedCopy(
          full.store,
          full.runId,
          seq,
          (e) => ({ ...e, data: edit(e.data as Record<string, unknown>) }),
          true,
        ),
        events,
      );
    const verify = (store: EventStore) =>
      replayRun(store, registry(), full.runId, { mode: 'verify' }).catch((e: unknown) => e as Error);

    const alphaAt = events.findLast(
      (e) => e.type === 'Progressed' && (e.data as { owner: string }).owner === 'strategy',
    )!;
    const err = await verify(
      await tamper(alphaAt.seq, (data) => {
        const alpha = [...(data.values as { alpha: number[] }).alpha];
        alpha[3] = alpha[3]! + 1e-12;
        return { ...data, values: { alpha } };
      }),
    );
    expect(err).toBeInstanceOf(ReplayDivergenceError);
    expect((err as ReplayDivergenceError).seq).toBe(alphaAt.seq);
    expect(err.message).toMatch(
      /'strategy' reports progress step 6 with values\.alpha\[3\]=[\d.e-]+, but the log records values\.alpha\[3\]=/,
    );

    const lossAt = events.find((e) => e.type === 'Progressed')!;
    const loss = await verify(
      await tamper(lossAt.seq, (data) => ({ ...data, metrics: { ...(data.metrics as object), loss: 0.5 } })),
    );
    expect((loss as ReplayDivergenceError).seq).toBe(lossAt.seq);
    expect(loss.message).toContain('but the log records metrics.loss=0.5');

    // A report nobody makes again (here: of an owner the run does not have) is a divergence at its seq.
    const ghost = await verify(await tamper(lossAt.seq, (data) => ({ ...data, owner: 'ghost' })));
    expect((ghost as ReplayDivergenceError).seq).toBe(lossAt.seq);
    expect(ghost.message).toContain(
      "the log records progress step 1 of 'ghost', which the run did not report again",
    );
  });

  it('a NaN loss stops the run with the reason, writing nothing of it; the log resumes from its last checkpoint', async () => {
    const { events } = await fullRun();
    const store = new InMemoryEventStore();
    const err = await withBehaviour({ nanAt: 7 }, () =>
      runSearch(registry(), config, store).catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(InvalidProgressError);
    expect((err as Error).message).toBe(
      "'supernet' reported progress step 7 with loss=NaN, not a finite number; nothing was recorded",
    );
    const stopped = await readAll(store, 'test-run');
    // Everything up to the failed report is the uninterrupted run's; no failed trial was recorded.
    expect(comparable(stopped)).toEqual(comparable(events.slice(0, stopped.length)));
    expect(stopped.filter((e) => e.type === 'TrialFailed')).toEqual([]);
    // Supernet step 7 is the first chunk of the fourth epoch: the log ends with the third trial's result.
    expect(stopped.at(-1)).toMatchObject({ type: 'TrialCompleted', data: { trialId: 2 } });
    // Once the cause is gone (here: the same arithmetic without the NaN), resume finishes it exactly.
    await runSearch(registry(), { resume: 'test-run' }, store);
    expect(comparable(await readAll(store, 'test-run'))).toEqual(comparable(events));
  });

  it('verifies a log killed in the middle of an epoch, leaving its last reports to the resume', async () => {
    const { full, events } = await fullRun();
    // The last epoch's first chunk is recorded, its proposal is not.
    const chunk = events.findLastIndex(
      (e) => e.type === 'Progressed' && (e.data as { owner: string }).owner === 'supernet',
    );
    const store = new InMemoryEventStore();
    await copyLogPrefix(full.store, store, full.runId, chunk);
    const r = await replayRun(store, registry(), full.runId, { mode: 'verify' });
    expect(r.progress).toBe(events.slice(0, chunk - 1).filter((e) => e.type === 'Progressed').length);
  });
});

describe('ProgressReporter', () => {
  it('writes nothing for a report that cannot be recorded: NaN, a step that does not follow, no step', async () => {
    const store = new InMemoryEventStore();
    const writer = new RunWriter(store, initialRunState('r'), () => 1);
    const progress = new RunProgress();
    progress.attach(writer);
    const report = progress.reporter('supernet').report;
    await report(1, { loss: 0.5 }, { alpha: Float32Array.of(0.25, 0.75) });
    await expect(report(2, { loss: Number.NaN })).rejects.toThrow(
      "'supernet' reported progress step 2 with loss=NaN, not a finite number; nothing was recorded",
    );
    await expect(report(2, { loss: 1 }, { alpha: [1, Number.POSITIVE_INFINITY] })).rejects.toThrow(
      'alpha[1]=Infinity',
    );
    await expect(report(1, { loss: 1 })).rejects.toThrow('each step must follow the last');
    await expect(report(0.5, { loss: 1 })).rejects.toBeInstanceOf(InvalidProgressError);
    const written = await readAll(store, 'r');
    expect(written.map((e) => e.data)).toEqual([
      { owner: 'supernet', step: 1, metrics: { loss: 0.5 }, values: { alpha: [0.25, 0.75] } },
    ]);
  });

  it('is refused to a run service under another name than its own', async () => {
    const r = registry();
    const run = (await Search.prepare(r, config, 'named')).run;
    expect(() => run.services.progress('strategy')).toThrow(
      "a run service reports under its own name ('supernet')",
    );
  });
});

strategyContract(oneShotFactory, { runServices: [supernetService], trials: 12, checkpointEvery: 3 });
