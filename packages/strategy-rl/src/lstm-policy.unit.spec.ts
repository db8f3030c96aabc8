import { Rng } from '@archlab/core';
import { onCpu } from '@archlab/tfjs-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type EpisodeLoss, LstmPolicy, type PolicyConfig } from './lstm-policy.js';

const config: PolicyConfig = { choices: [3, 4, 2], hidden: 5, temperature: 1.5, tanhConstant: 2 };

// Every kernel whose gradient the package registers appears here: the PPO surrogate's minimum
// and clip, the entropy, the masks.
const advantages = [1, -0.5, 2, -1.5];
const loss: EpisodeLoss = (logProb, entropy) => {
  const adv = tf.tensor1d(advantages);
  const ratio = tf.exp(tf.sub(logProb, tf.tensor1d([-3, -2.5, -3.2, -2.8])));
  const surrogate = tf.minimum(tf.mul(ratio, adv), tf.mul(tf.clipByValue(ratio, 0.8, 1.2), adv));
  return tf.neg(tf.add(tf.mean(surrogate), tf.mul(tf.mean(entropy), 0.3))) as tf.Scalar;
};

describe('LstmPolicy', () => {
  it('starts from the same weights and draws the same episodes from the same seed', async () => {
    const draw = (seed: number) =>
      onCpu(() => {
        const policy = new LstmPolicy(config, Rng.fromSeed(seed));
        const rng = Rng.fromSeed('draws');
        const episodes = Array.from({ length: 20 }, () => policy.sample(rng, () => []));
        policy.dispose();
        return { weights: policy.params.map((p) => [...p.values]), episodes };
      });
    const a = await draw(1);
    expect(await draw(1)).toEqual(a);
    expect((await draw(2)).weights).not.toEqual(a.weights);
  });

  it('never draws a blocked choice, and scores an episode as the batched pass does', async () => {
    await onCpu(() => {
      const policy = new LstmPolicy(config, Rng.fromSeed(3));
      const rng = Rng.fromSeed(4);
      const episodes = Array.from({ length: 4 }, (_, i) =>
        policy.sample(rng, (prefix) => (prefix.length === 1 && i % 2 === 0 ? [0, 1, 2] : [])),
      );
      for (const [i, e] of episodes.entries()) if (i % 2 === 0) expect(e.choices[1]).toBe(3);
      const { loss: summed } = policy.gradients(episodes, (logProb) => tf.sum(logProb) as tf.Scalar);
      const sampled = episodes.reduce((s, e) => s + e.logProb, 0);
      expect(summed).toBeCloseTo(sampled, 4);
      policy.dispose();
    });
  });

  it('computes the gradient of the loss (checked against central differences)', async () => {
    await onCpu(() => {
      const policy = new LstmPolicy(config, Rng.fromSeed(5));
      // Larger weights than the initial ±0.1, so every path (tanh bound, clip) is exercised.
      for (const p of policy.params) for (let j = 0; j < p.values.length; j++) p.values[j] = p.values[j]! * 8;
      policy.invalidate();
      const rng = Rng.fromSeed(6);
      const episodes = Array.from({ length: 4 }, (_, i) =>
        policy.sample(rng, (prefix) => (prefix.length === 2 && i === 1 ? [0] : [])),
      );
      const { grads } = policy.gradients(episodes, loss);
      const valueAt = (i: number, j: number, delta: number) => {
        const v = policy.params[i]!.values;
        const old = v[j]!;
        v[j] = old + delta;
        policy.invalidate();
        const value = policy.gradients(episodes, loss).loss;
        v[j] = old;
        policy.invalidate();
        return value;
      };
      const pick = Rng.fromSeed(7);
      for (const [i, p] of policy.params.entries()) {
        for (let trial = 0; trial < 4; trial++) {
          const j = pick.int(p.values.length);
          const eps = 1e-2;
          const numeric = (valueAt(i, j, eps) - valueAt(i, j, -eps)) / (2 * eps);
          expect(grads[i]![j], `${p.name}[${j}]`).toBeCloseTo(numeric, 2);
        }
      }
      policy.dispose();
    });
  });

  it('leaves no tensor behind once disposed', async () => {
    await onCpu(() => {
      const before = tf.memory().numTensors;
      const policy = new LstmPolicy(config, Rng.fromSeed(8));
      const rng = Rng.fromSeed(9);
      const episodes = Array.from({ length: 4 }, () => policy.sample(rng, () => []));
      policy.gradients(episodes, loss);
      policy.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
