import type { Rng } from '@archlab/core';
import * as tf from '@tensorflow/tfjs-core';
import { registerControllerGradients } from './controller-gradients.js';

/** A policy parameter: its float32 values are the source of truth; tensors are built from them. */
export interface PolicyParam {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

export interface PolicyConfig {
  /** Number of choices of each decision, in order. */
  readonly choices: readonly number[];
  /** LSTM hidden size; the embeddings have the same width. */
  readonly hidden: number;
  /** Logits are divided by it before the softmax (ENAS's sampling temperature). */
  readonly temperature: number;
  /** When > 0, logits become `tanhConstant * tanh(logits)`: bounded, so no choice collapses early. */
  readonly tanhConstant: number;
}

/** One sampled sequence of decisions, with what the gradient needs to score it again. */
export interface Episode {
  readonly choices: readonly number[];
  /** Per decision, the choices that were masked out when it was drawn (usually none). */
  readonly blocked: readonly (readonly number[])[];
  /** log π(choices) under the policy that drew them, masks applied. */
  readonly logProb: number;
}

/** Per row of a batch: log π of its episode and the entropy of its step distributions (summed over steps). */
export type EpisodeLoss = (logProb: tf.Tensor1D, entropy: tf.Tensor1D) => tf.Scalar;

// A masked logit: far below any real one (bounded by tanh or small weights), finite so that
// p·log p stays 0 instead of NaN in the entropy.
const MASKED = -1e9;
const INIT_SCALE = 0.1;
// As tfjs's basicLSTMCell's forgetBias, but as the initial value of the forget gate's bias, which
// computes the same and spares an op per step.
const FORGET_BIAS = 1;

/**
 * The NAS-RL controller (Zoph & Le 2017): an LSTM that emits one categorical decision per step,
 * through its own softmax head, and reads the embedding of the previous choice as the next
 * step's input (a learned start vector for the first step). All tfjs calls must run inside
 * `onCpu` (`@archlab/tfjs-cpu`). Weights start uniform in ±0.1 from the given rng, biases at zero (the forget
 * gate's at 1).
 *
 * The layout is chosen for tfjs's cpu backend, where a call costs far more than its arithmetic
 * and broadcasting or strided slicing goes element by element: activations are feature-major
 * ([features, batch]) so the four gates are contiguous row blocks of one product, and biases
 * are an extra weight column (row) against a constant 1 input, so no op broadcasts.
 */
export class LstmPolicy {
  readonly params: readonly PolicyParam[];
  private cache: tf.Tensor[] | undefined;

  constructor(
    readonly config: PolicyConfig,
    rng: Rng,
  ) {
    const { choices, hidden: h } = config;
    // Uniform weights; the last column (`biasColumn`) or last row (`biasRow`) holds the bias.
    const param = (name: string, rows: number, cols: number, bias?: 'column' | 'row'): PolicyParam => {
      const values = new Float32Array(rows * cols);
      for (let i = 0; i < values.length; i++) values[i] = (rng.float() * 2 - 1) * INIT_SCALE;
      if (bias === 'column') for (let r = 0; r < rows; r++) values[r * cols + cols - 1] = 0;
      if (bias === 'row') values.fill(0, (rows - 1) * cols);
      return { name, shape: [rows, cols], values };
    };
    const kernel = param('lstm/kernel', 4 * h, 2 * h + 1, 'column');
    // Rows are the gates i, j, f, o as in tfjs's basicLSTMCell; columns the input, the previous
    // hidden state, then the bias.
    for (let r = 2 * h; r < 3 * h; r++) kernel.values[r * (2 * h + 1) + 2 * h] = FORGET_BIAS;
    // Layout (the index arithmetic below relies on it): start, kernel, one head per decision,
    // then the embeddings of every decision but the last (whose choice is never fed back).
    this.params = [
      param('start', h, 1),
      kernel,
      ...choices.map((k, t) => param(`head${t}`, h + 1, k, 'row')),
      ...choices.slice(0, -1).map((k, t) => param(`embed${t}`, h, k)),
    ];
  }

  /** Call after changing `params` values in place, so the next use rebuilds its tensors. */
  invalidate(): void {
    if (this.cache) tf.dispose(this.cache);
    this.cache = undefined;
  }

  dispose(): void {
    this.invalidate();
  }

  /**
   * Draws one episode, step by step: tfjs computes each distribution, `rng` picks the choice.
   * `blocked(prefix)` lists the choices not to draw after `prefix`; it must leave at least one.
   */
  sample(rng: Rng, blocked: (prefix: readonly number[]) => readonly number[]): Episode {
    const choices: number[] = [];
    const masks: number[][] = [];
    let logProb = 0;
    tf.tidy(() => {
      const p = this.tensors();
      const one = tf.ones([1, 1]);
      let x = p[0] as tf.Tensor2D;
      let state = this.initialState(1);
      for (let t = 0; t < this.config.choices.length; t++) {
        state = this.cell(p, x, state, one);
        const mask = [...blocked(choices)];
        const logp = tf
          .logSoftmax(this.logits(p, t, state.h, one, mask.length ? [mask] : undefined))
          .dataSync();
        const choice = draw(rng, logp, this.config.choices[t]!);
        choices.push(choice);
        masks.push(mask);
        logProb += logp[choice]!;
        if (t + 1 < this.config.choices.length)
          x = tf.matMul(this.embedding(p, t), oneHot([choice], this.config.choices[t]!, 'columns'));
      }
    });
    return { choices, blocked: masks, logProb };
  }

  /**
   * Gradients of `loss` over a batch of episodes (teacher-forced: each row replays its own
   * choices and masks), one Float32Array per parameter in `params` order, and the loss value.
   */
  gradients(episodes: readonly Episode[], loss: EpisodeLoss): { grads: Float32Array[]; loss: number } {
    registerControllerGradients();
    const { choices } = this.config;
    const n = episodes.length;
    let out: { grads: Float32Array[]; loss: number } | undefined;
    // Results leave the tidy through `out`: returning typed arrays would make tfjs walk every element.
    tf.tidy(() => {
      const ones = tf.ones([1, n]);
      const masks = choices.map((_, t) =>
        episodes.some((e) => e.blocked[t]!.length) ? episodes.map((e) => e.blocked[t]!) : undefined,
      );
      const inputs = choices.map((k, t) =>
        oneHot(
          episodes.map((e) => e.choices[t]!),
          k,
          'columns',
        ),
      );
      // Every step's one-hot choices side by side, to pick log π out of all steps at once.
      const picked = tf.concat(
        choices.map((k, t) =>
          oneHot(
            episodes.map((e) => e.choices[t]!),
            k,
            'rows',
          ),
        ),
        1,
      );
      const f = (...p: tf.Tensor[]): tf.Scalar => {
        let x: tf.Tensor2D = tf.matMul(p[0] as tf.Tensor2D, ones);
        let state = this.initialState(n);
        const logps: tf.Tensor2D[] = [];
        for (let t = 0; t < choices.length; t++) {
          state = this.cell(p, x, state, ones);
          logps.push(tf.logSoftmax(this.logits(p, t, state.h, ones, masks[t])));
          if (t + 1 < choices.length) x = tf.matMul(this.embedding(p, t), inputs[t]!);
        }
        const logp = tf.concat(logps, 1);
        const logProb = tf.sum(tf.mul(logp, picked), 1);
        const entropy = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1));
        return loss(logProb as tf.Tensor1D, entropy as tf.Tensor1D);
      };
      const { value, grads } = tf.valueAndGrads(f)(this.tensors());
      out = { grads: grads.map((g) => (g.dataSync() as Float32Array).slice()), loss: value.dataSync()[0]! };
    });
    return out!;
  }

  private initialState(n: number): { c: tf.Tensor2D; h: tf.Tensor2D } {
    const zero: tf.Tensor2D = tf.zeros([this.config.hidden, n]);
    return { c: zero, h: zero };
  }

  /** One LSTM step on [features, batch] columns; `ones` is [1, batch]. */
  private cell(
    p: tf.Tensor[],
    x: tf.Tensor2D,
    { c, h }: { c: tf.Tensor2D; h: tf.Tensor2D },
    ones: tf.Tensor,
  ): { c: tf.Tensor2D; h: tf.Tensor2D } {
    const z = tf.matMul(p[1] as tf.Tensor2D, tf.concat([x, h, ones], 0) as tf.Tensor2D);
    const [i, j, f, o] = tf.split(z, 4, 0) as tf.Tensor2D[];
    const next: tf.Tensor2D = tf.add(tf.mul(tf.sigmoid(i!), tf.tanh(j!)), tf.mul(c, tf.sigmoid(f!)));
    return { c: next, h: tf.mul(tf.tanh(next), tf.sigmoid(o!)) };
  }

  /** The logits of decision `t`, [batch, choices], masked where `blocked` says. */
  private logits(
    p: tf.Tensor[],
    t: number,
    h: tf.Tensor2D,
    ones: tf.Tensor,
    blocked?: readonly (readonly number[])[],
  ): tf.Tensor2D {
    const { temperature, tanhConstant, choices } = this.config;
    let z: tf.Tensor2D = tf.matMul(tf.concat([h, ones], 0) as tf.Tensor2D, p[2 + t] as tf.Tensor2D, true);
    if (temperature !== 1) z = tf.mul(z, 1 / temperature);
    if (tanhConstant > 0) z = tf.mul(tf.tanh(z), tanhConstant);
    if (!blocked) return z;
    const k = choices[t]!;
    const penalty = new Float32Array(blocked.length * k);
    blocked.forEach((row, i) => {
      for (const j of row) penalty[i * k + j] = MASKED;
    });
    return tf.add(z, tf.tensor2d(penalty, [blocked.length, k]));
  }

  private embedding(p: tf.Tensor[], t: number): tf.Tensor2D {
    return p[2 + this.config.choices.length + t] as tf.Tensor2D;
  }

  private tensors(): tf.Tensor[] {
    // Copies: tfjs's cpu backend would otherwise alias the arrays the optimizer updates in place.
    this.cache ??= this.params.map((q) => tf.keep(tf.tensor(q.values.slice(), [...q.shape])));
    return this.cache;
  }
}

/** float32 one-hot vectors of `chosen` among `k`, as the rows ([n, k]) or columns ([k, n]) of a matrix. */
function oneHot(chosen: readonly number[], k: number, as: 'rows' | 'columns'): tf.Tensor2D {
  const n = chosen.length;
  const values = new Float32Array(k * n);
  chosen.forEach((j, i) => {
    values[as === 'rows' ? i * k + j : j * n + i] = 1;
  });
  return tf.tensor2d(values, as === 'rows' ? [n, k] : [k, n]);
}

/** Inverse-CDF draw from log-probabilities, with the rng's 53-bit uniform. */
function draw(rng: Rng, logp: ArrayLike<number>, k: number): number {
  const u = rng.float();
  let acc = 0;
  for (let j = 0; j < k; j++) {
    acc += Math.exp(logp[j]!);
    if (u < acc) return j;
  }
  // Rounding left the total a hair under 1: the last choice that may be drawn.
  for (let j = k - 1; j > 0; j--) if (logp[j]! > MASKED / 2) return j;
  return 0;
}
