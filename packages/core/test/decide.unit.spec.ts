import { describe, expect, it } from 'vitest';
import {
  decide,
  evolve,
  initialRunState,
  type RunConfig,
  type RunEvent,
  storedVersion,
  upcast,
} from '../src/index.js';

const config: RunConfig = {
  space: 'digits',
  spaceOptions: {},
  estimator: 'synthetic',
  estimatorOptions: {},
  strategy: 'random',
  strategyOptions: {},
  seed: 1,
  concurrency: 1,
  budget: { trials: 3 },
  objective: { metric: 'score', direction: 'max' },
  checkpointEvery: 0,
  constraints: [{ metric: 'latency_ms', op: '<=', bound: 5 }],
  screen: {
    estimator: 'proxy',
    options: {},
    metric: 'proxy',
    direction: 'max',
    filter: { fraction: 0.5, min: 1 },
  },
};

let seq = 0;
const event = (type: string, data: unknown) =>
  ({ type, v: 1, runId: 'r', seq: seq++, ts: 0, hash: '', data }) as unknown as RunEvent;

/** An event as a store holds it, at schema version 1. */
const storedV1 = (type: string, data: unknown) => ({
  type,
  v: 1,
  runId: 'r',
  seq: 1,
  ts: 0,
  hash: 'h',
  data,
});

function started() {
  seq = 0;
  const state = initialRunState('r');
  evolve(state, event('RunStarted', { config, packages: {}, env: { node: '', platform: '', arch: '' } }));
  return state;
}

describe('decide', () => {
  it('prunes on the first gate that rejects, records the measurements, and changes nothing in the state', () => {
    const state = started();
    const before = JSON.stringify(state, (_k, v) => (v instanceof Map || v instanceof Set ? [...v] : v));
    const hw = { gate: 'hardware', metrics: { latency_ms: 7 } } as const;
    expect(
      decide(state, { kind: 'gated', trialId: 0, key: 'a', attempt: 1, gates: [hw], final: false }),
    ).toEqual([
      { type: 'TrialProposed', data: { trialId: 0, arch: 'a', gates: { hardware: { latency_ms: 7 } } } },
      {
        type: 'TrialPruned',
        data: {
          trialId: 0,
          reason: 'latency_ms=7 breaks latency_ms<=5',
          metrics: { latency_ms: 7 },
          gate: 'hardware',
        },
      },
    ]);
    expect(JSON.stringify(state, (_k, v) => (v instanceof Map || v instanceof Set ? [...v] : v))).toBe(
      before,
    );
  });

  it('waits for the screen of a new proposal, then judges it against the scores folded so far', () => {
    const state = started();
    const hw = { gate: 'hardware', metrics: { latency_ms: 1 } } as const;
    const fact = { kind: 'gated', trialId: 0, key: 'a', attempt: 1, final: false } as const;
    expect(decide(state, { ...fact, gates: [hw] })).toEqual([]);
    const first = decide(state, {
      ...fact,
      gates: [hw, { gate: 'screen', metrics: { value: 10 } }],
      final: true,
    });
    expect(first.map((e) => e.type)).toEqual(['TrialProposed', 'TrialStarted']);
    for (const e of first) evolve(state, event(e.type, e.data));
    const low = decide(state, {
      ...fact,
      trialId: 1,
      key: 'b',
      gates: [hw, { gate: 'screen', metrics: { value: 3 } }],
      final: true,
    });
    expect(low[0]).toEqual({
      type: 'TrialProposed',
      data: { trialId: 1, arch: 'b', gates: { hardware: { latency_ms: 1 }, screen: { value: 3 } } },
    });
    expect(low[1]).toEqual({
      type: 'TrialPruned',
      data: {
        trialId: 1,
        reason: 'screen: proxy=3 is not in the best 50% of the 2 proposals screened so far (threshold 10)',
        metrics: { latency_ms: 1, 'screen.proxy': 3 },
        gate: 'screen',
      },
    });
  });

  it('keeps the gates measured before one that failed, in the same batch as the failure', () => {
    const state = started();
    const error = { name: 'ScreenError', message: 'no proxy' };
    expect(
      decide(state, {
        kind: 'gated',
        trialId: 0,
        key: 'a',
        attempt: 1,
        gates: [
          { gate: 'hardware', metrics: { latency_ms: 1 } },
          { gate: 'screen', error },
        ],
        final: true,
      }),
    ).toEqual([
      { type: 'TrialProposed', data: { trialId: 0, arch: 'a', gates: { hardware: { latency_ms: 1 } } } },
      { type: 'TrialFailed', data: { trialId: 0, stage: 'evaluate', error, durationMs: 0 } },
    ]);
  });

  it('judges a recorded trial dispatched again on the measurements its TrialProposed holds, as a replay does', () => {
    const state = started();
    evolve(state, event('TrialProposed', { trialId: 0, arch: 'a', gates: { hardware: { latency_ms: 9 } } }));
    expect(state.decision.gates.get(0)).toEqual({ hardware: { latency_ms: 9 } });
    const again = { kind: 'gated', trialId: 0, attempt: 1, final: true } as const;
    const hw = { gate: 'hardware', metrics: state.decision.gates.get(0)!.hardware! } as const;
    expect(decide(state, { ...again, gates: [hw] })[0]).toMatchObject({
      type: 'TrialPruned',
      data: { gate: 'hardware', metrics: { latency_ms: 9 } },
    });
  });

  it('reads a TrialProposed v1 with its screen score as the screen gate measurement, warm-up as seeded', () => {
    const stored = (screen: unknown) =>
      storedV1('TrialProposed', { trialId: 0, arch: 'a', ...(screen !== undefined && { screen }) });
    expect(upcast(stored(undefined)).data).toEqual({ trialId: 0, arch: 'a' });
    expect(upcast(stored({ value: 2.5 })).data).toEqual({
      trialId: 0,
      arch: 'a',
      gates: { screen: { value: 2.5 } },
    });
    expect(upcast(stored({ value: 2.5, warmup: true })).data).toEqual({
      trialId: 0,
      arch: 'a',
      gates: { screen: { value: 2.5 } },
      seeded: 'warmup',
    });
    expect(upcast(stored({ value: 2.5 })).v).toBe(2);
  });

  it('writes a TrialProposed without measurements as v1, byte for byte what earlier versions wrote', () => {
    expect(storedVersion('TrialProposed', { trialId: 0, arch: 'a' })).toBe(1);
    expect(storedVersion('TrialProposed', { trialId: 0, arch: 'a', gates: { hardware: { x: 1 } } })).toBe(2);
  });

  it('reads a TrialPruned v1 with the gate its reason names', () => {
    const stored = (reason: string) => storedV1('TrialPruned', { trialId: 2, reason, metrics: {} });
    expect(upcast(stored('screen: proxy=1 is not in the best 50%')).data).toMatchObject({ gate: 'screen' });
    expect(upcast(stored('latency_ms=7 breaks latency_ms<=5')).data).toMatchObject({ gate: 'hardware' });
  });
});
