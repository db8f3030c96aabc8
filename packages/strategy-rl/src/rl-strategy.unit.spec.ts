import { nb201Estimator, nb201Space } from '@archlab/bench-nb201';
import {
  InvalidOptionError,
  parseOptions,
  Rng,
  type SearchSpace,
  type Strategy,
  type TrialResult,
} from '@archlab/core';
import { digitsSpace, hashScore } from '@archlab/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type RlOptions, type RlStrategy, rlOptions } from './rl-strategy.js';
import { rlStrategyFactory } from './strategy-rl-module.js';

function create<A>(
  space: SearchSpace<A>,
  options: Partial<RlOptions> = {},
  seed: number | string = 1,
): RlStrategy<A> {
  return rlStrategyFactory.create({
    space,
    rng: Rng.fromSeed(seed),
    options: parseOptions("strategy 'rl'", rlOptions, options),
    objective: { metric: 'score', direction: 'max' },
    budget: { trials: 100 },
    concurrency: 1,
  }) as RlStrategy<A>;
}

function result<A>(space: SearchSpace<A>, trialId: number, arch: A, score: number): TrialResult<A> {
  const key = space.key(arch);
  return { trialId, arch, key, status: Number.isNaN(score) ? 'failed' : 'completed', score };
}

/** `n` trials, one at a time; returns the proposed keys. */
async function drive<A>(
  strategy: Strategy<A>,
  space: SearchSpace<A>,
  n: number,
  score: (key: string) => number,
  from = 0,
): Promise<string[]> {
  const keys: string[] = [];
  for (let i = from; i < from + n; i++) {
    const arch = (await strategy.ask())!;
    const key = space.key(arch);
    keys.push(key);
    await strategy.tell(result(space, i, arch, score(key)));
  }
  return keys;
}

const digits = digitsSpace();

// As a string: comparing long strings is fast, comparing long byte arrays element-wise is not.
async function stateOf(strategy: Strategy): Promise<string> {
  return Buffer.from(await strategy.snapshot!()).toString('base64');
}

describe('rl strategy', () => {
  it('makes the same proposals and ends in the same state from the same seed', async () => {
    const run = async (seed: number) => {
      const s = create(digits, { batchSize: 3 }, seed);
      const keys = await drive(s, digits, 30, hashScore);
      const state = await stateOf(s);
      s.dispose();
      return { keys, state };
    };
    const a = await run(1);
    expect(await run(1)).toEqual(a);
    expect((await run(2)).keys).not.toEqual(a.keys);
  });

  it('restores a snapshot into a strategy that carries on exactly, pending proposals and part batch included', async () => {
    for (const algorithm of ['reinforce', 'ppo'] as const) {
      const original = create(digits, { algorithm, batchSize: 4 });
      await drive(original, digits, 10, hashScore);
      // Two proposals in flight and two results in the batch when the snapshot is taken.
      const inflight = [(await original.ask())!, (await original.ask())!];
      const bytes = await original.snapshot();
      const copy = create(digits, { algorithm, batchSize: 4 }, 'another seed: restore replaces it');
      await copy.restore(bytes);
      expect(await stateOf(copy)).toBe(Buffer.from(bytes).toString('base64'));
      for (const s of [original, copy]) {
        await s.tell(result(digits, 11, inflight[1]!, 40));
        await s.tell(result(digits, 10, inflight[0]!, 60));
      }
      const next = await drive(original, digits, 25, hashScore, 12);
      expect(await drive(copy, digits, 25, hashScore, 12)).toEqual(next);
      expect(await stateOf(copy)).toBe(await stateOf(original));
      original.dispose();
      copy.dispose();
    }
  });

  it('updates the policy once per batchSize scored results, results told in any order', async () => {
    const s = create(digits, { batchSize: 3 });
    const archs = [];
    for (let i = 0; i < 5; i++) archs.push((await s.ask())!);
    await s.tell(result(digits, 3, archs[3]!, 10));
    await s.tell(result(digits, 0, archs[0]!, 20));
    expect(s.updateCount).toBe(0);
    await s.tell(result(digits, 4, archs[4]!, 30));
    expect(s.updateCount).toBe(1);
    await s.tell(result(digits, 1, archs[1]!, 40));
    await s.tell(result(digits, 2, archs[2]!, 50));
    expect(s.updateCount).toBe(1);
    s.dispose();
  });

  it('learns nothing from failed trials, and never proposes them again', async () => {
    const s = create(digits, { batchSize: 2 });
    const failed = new Set(await drive(s, digits, 6, () => Number.NaN));
    expect(s.updateCount).toBe(0);
    const later = await drive(s, digits, 100, hashScore, 6);
    expect(s.updateCount).toBe(50);
    expect(later.filter((k) => failed.has(k))).toEqual([]);
    s.dispose();
  });

  it('proposes every architecture of a small space exactly once, then nothing, without changing state', async () => {
    const small = digitsSpace(2, 4);
    for (const dedupe of ['mask', 'resample'] as const) {
      const s = create(small, { dedupe, maxResamples: 3, learningRate: 0.5 });
      const keys = await drive(s, small, 16, hashScore);
      expect(new Set(keys).size).toBe(16);
      const before = await stateOf(s);
      expect(await s.ask()).toBeUndefined();
      expect(await stateOf(s)).toBe(before);
      s.dispose();
    }
  });

  it("allows repeats with dedupe 'none'", async () => {
    const s = create(digits, { dedupe: 'none', learningRate: 0.3 });
    const keys = await drive(s, digits, 150, hashScore);
    expect(new Set(keys).size).toBeLessThan(150);
    s.dispose();
  });

  it('avoids isomorphic repeats when asked to', async () => {
    const table = nb201Estimator('cifar10');
    const score = async (key: string) => (await table.evaluate(nb201Space.parse(key), ctxFor())).test_acc!;
    const classes = async (dedupeIsomorphic: boolean) => {
      const s = create(nb201Space, { dedupeIsomorphic, learningRate: 0.1, hidden: 8 });
      const seen = new Set<string>();
      for (let i = 0; i < 150; i++) {
        const arch = (await s.ask())!;
        seen.add(nb201Space.isomorphismKey!(arch));
        await s.tell(result(nb201Space, i, arch, await score(nb201Space.key(arch))));
      }
      s.dispose();
      return seen.size;
    };
    expect(await classes(true)).toBe(150);
    expect(await classes(false)).toBeLessThan(150);
  });

  it('keeps the number of live tensors flat over many ask/tell cycles, and frees them all on dispose', async () => {
    const before = tf.memory().numTensors;
    const s = create(digits, { algorithm: 'ppo', batchSize: 4, epochs: 2, hidden: 8 });
    await drive(s, digits, 20, hashScore);
    const early = tf.memory().numTensors;
    await drive(s, digits, 120, hashScore, 20);
    expect(tf.memory().numTensors).toBe(early);
    await s.ask();
    expect(tf.memory().numTensors).toBeGreaterThan(before); // the cached weights
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('rl strategy options', () => {
  const parse = (raw: Record<string, unknown>) => parseOptions("strategy 'rl'", rlOptions, raw);

  it('rejects unknown names and out-of-range values, naming the option', () => {
    expect(() => parse({ learningrate: 0.1 })).toThrow(
      /unknown option 'learningrate'; known options: algorithm/,
    );
    expect(() => parse({ algorithm: 'a2c' })).toThrow(/'algorithm' must be one of reinforce, ppo/);
    expect(() => parse({ learningRate: -1 })).toThrow(/'learningRate' must be at least 0/);
    expect(() => parse({ batchSize: 0 })).toThrow(/'batchSize' must be at least 1/);
    expect(() => parse({ hidden: 2.5 })).toThrow(/'hidden' must be a whole number/);
    expect(() => parse({ dedupe: 'yes' })).toThrow(/'dedupe' must be one of mask, resample, none/);
    expect(() => parse({ clip: 2 })).toThrow(/'clip' must be at most 1/);
  });

  it.each([
    [{ learningRate: 0 }, "option 'learningRate' must be > 0, got 0"],
    [{ temperature: 0 }, "option 'temperature' must be > 0, got 0"],
    [{ clip: 0 }, "option 'clip' must be > 0, got 0"],
    [{ baselineDecay: 1 }, "option 'baselineDecay' must be below 1"],
  ])('rejects %o when the strategy is created', (raw, message) => {
    expect(() => create(digits, raw)).toThrow(InvalidOptionError);
    expect(() => create(digits, raw)).toThrow(message);
  });
});

function ctxFor() {
  return { trialId: 0, seed: 0, signal: new AbortController().signal, report: () => {} };
}
