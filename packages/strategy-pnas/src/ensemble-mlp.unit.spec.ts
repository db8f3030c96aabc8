import { Rng } from '@archlab/core';
import { tf } from '@archlab/tfjs-cpu';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { EnsembleMlp, type EnsembleMlpConfig } from './ensemble-mlp.js';

const config: EnsembleMlpConfig = {
  inputs: 20,
  members: 4,
  hidden: 16,
  layers: 2,
  batchSize: 32,
  learningRate: 0.01,
};

/** One-hot rows of 4 decisions × 5 choices and a smooth target with an interaction term. */
function dataset(n: number, rng: Rng): { x: Float32Array; y: number[] } {
  const x = new Float32Array(n * 20);
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = [rng.int(5), rng.int(5), rng.int(5), rng.int(5)];
    for (const [d, v] of c.entries()) x[i * 20 + d * 5 + v] = 1;
    y.push(c[0]! * 2 + c[1]! - c[2]! + (c[3] === c[0] ? 3 : 0));
  }
  return { x, y };
}

describe('EnsembleMlp', () => {
  it('learns a simple function, interaction included, on rows it never saw', () => {
    const rng = Rng.fromSeed(1);
    const train = dataset(200, rng);
    const test = dataset(200, rng);
    const model = new EnsembleMlp(config, rng);
    const error = () => {
      const p = model.predict(test.x, 200);
      return test.y.reduce((s, v, i) => s + Math.abs(p.mean(i) - v), 0) / 200;
    };
    const before = error();
    model.fit(train.x, train.y, 200, 60, 0, rng);
    // The target spans 0..15 with a spread of about 3.5.
    expect(error()).toBeLessThan(0.6);
    expect(error()).toBeLessThan(before / 4);
    // The members disagree where they extrapolate: the ensemble gives an uncertainty.
    expect(model.predict(test.x, 1).std(0)).toBeGreaterThan(0);
  });

  it('predicts in the units of the targets', () => {
    const rng = Rng.fromSeed(2);
    const { x, y } = dataset(100, rng);
    const shifted = y.map((v) => 1000 + 10 * v);
    const model = new EnsembleMlp(config, rng);
    model.fit(x, shifted, 100, 100, 0, rng);
    const p = model.predict(x, 100);
    const meanAbsError = shifted.reduce((s, v, i) => s + Math.abs(p.mean(i) - v), 0) / 100;
    expect(meanAbsError).toBeLessThan(10);
  });

  it('trains and predicts bit-identically from the same seed, and from a saved state', () => {
    const { x, y } = dataset(80, Rng.fromSeed(3));
    const run = (seed: number) => {
      const rng = Rng.fromSeed(seed);
      const m = new EnsembleMlp(config, rng);
      m.fit(x, y, 80, 3, 0, rng);
      return { m, rng };
    };
    const a = run(4);
    const b = run(4);
    expect(a.m.predict(x, 80).values).toEqual(b.m.predict(x, 80).values);
    expect(run(5).m.predict(x, 80).values).not.toEqual(a.m.predict(x, 80).values);

    const copy = new EnsembleMlp(config, Rng.fromSeed(99));
    copy.load(a.m.state());
    const rngCopy = Rng.fromState(a.rng.state());
    a.m.fit(x, y, 80, 2, 0, a.rng);
    copy.fit(x, y, 80, 2, 0, rngCopy);
    expect(copy.predict(x, 80).values).toEqual(a.m.predict(x, 80).values);
  });

  it('refuses a state of another shape', () => {
    const small = new EnsembleMlp({ ...config, hidden: 4 }, Rng.fromSeed(6));
    const big = new EnsembleMlp(config, Rng.fromSeed(6));
    expect(() => big.load(small.state())).toThrow(/parameters/);
  });

  it('leaves no tensor behind across many rounds of fitting and predicting', () => {
    const rng = Rng.fromSeed(7);
    const { x, y } = dataset(64, rng);
    const model = new EnsembleMlp(config, rng);
    model.predict(x, 64);
    const before = tf.memory().numTensors;
    for (let round = 0; round < 30; round++) {
      model.fit(x, y, 64, 1, 0, rng);
      model.predict(x, 64);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('puts back the tfjs backend another plugin chose', async () => {
    const { x, y } = dataset(8, Rng.fromSeed(8));
    tf.registerBackend('other-test', () => new MathBackendCPU(), 0);
    await tf.setBackend('other-test');
    try {
      new EnsembleMlp(config, Rng.fromSeed(8)).fit(x, y, 8, 1, 0, Rng.fromSeed(8));
      expect(tf.getBackend()).toBe('other-test');
    } finally {
      await tf.setBackend('cpu');
      tf.removeBackend('other-test');
    }
  });
});
