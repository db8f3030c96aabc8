import type { Rng } from '@archlab/core';
import { onCpu, tf } from '@archlab/tfjs-cpu';

/** Shape and training settings of an `EnsembleMlp`. */
export interface EnsembleMlpConfig {
  /** Length of an input row. */
  readonly inputs: number;
  /** Independently initialised and trained networks. */
  readonly members: number;
  /** Width of every hidden layer. */
  readonly hidden: number;
  /** Hidden layers (ReLU), at least 1. */
  readonly layers: number;
  readonly batchSize: number;
  /** Adam's step size. */
  readonly learningRate: number;
}

/** Everything an `EnsembleMlp` holds, for checkpoints: restoring it gives bit-identical predictions and training. */
export interface EnsembleMlpState {
  readonly params: Float32Array;
  readonly adamM: Float32Array;
  readonly adamV: Float32Array;
  readonly step: number;
  readonly yMean: number;
  readonly yStd: number;
}

/** Predictions of every member for `n` rows, in the original units of the targets. */
export class EnsemblePredictions {
  constructor(
    /** members × n, member-major. */
    readonly values: Float64Array,
    readonly members: number,
    readonly n: number,
  ) {}

  member(e: number, i: number): number {
    return this.values[e * this.n + i]!;
  }

  mean(i: number): number {
    let s = 0;
    for (let e = 0; e < this.members; e++) s += this.member(e, i);
    return s / this.members;
  }

  /** Spread across the members (population standard deviation): the surrogate's uncertainty. */
  std(i: number): number {
    const m = this.mean(i);
    let s = 0;
    for (let e = 0; e < this.members; e++) s += (this.member(e, i) - m) ** 2;
    return Math.sqrt(s / this.members);
  }
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;

/**
 * An ensemble of small MLP regressors (ReLU hidden layers, one linear output), trained with
 * Adam on squared error against standardised targets. All members run as one batched network
 * (weights `[members, in + 1, out]`, the last row being the bias), so a training step costs
 * the same couple of dozen tfjs ops whatever the ensemble size. Members differ by their
 * initial weights and their own minibatch order, both drawn from the `Rng` passed in, never
 * from tfjs's unseeded initialisers.
 *
 * The forward and backward passes run in tfjs (cpu backend); gradients are written out by
 * hand because tfjs-core's Node bundle registers no gradient functions. Why the rest is not in
 * tfjs: the cpu backend's elementwise kernels cost about 25 ns per element (and ten times that
 * when broadcasting), so biases ride along as an extra input column of ones instead of a
 * broadcast add, and Adam's update, a dozen elementwise passes over every parameter that took
 * most of a step as tensors, is a plain loop over the Float32Array of parameters.
 *
 * Weights live in Float32Arrays between calls: no tensor outlives `fit` or `predict`, so
 * nothing leaks and nothing needs disposing. Training continues from the current weights and
 * Adam moments, so a refit after a few new results is cheap.
 */
export class EnsembleMlp {
  private params: Float32Array;
  private adamM: Float32Array;
  private adamV: Float32Array;
  private step = 0;
  private yMean = 0;
  private yStd = 1;
  /** Per layer: its input width (without the bias row), output width, and offset in `params`. */
  private readonly layerShapes: readonly {
    readonly rows: number;
    readonly cols: number;
    readonly at: number;
  }[];

  constructor(
    readonly config: EnsembleMlpConfig,
    rng: Rng,
  ) {
    const { inputs, members, hidden, layers } = config;
    const widths = [inputs, ...Array.from({ length: layers }, () => hidden), 1];
    let total = 0;
    this.layerShapes = widths.slice(1).map((cols, l) => {
      const shape = { rows: widths[l]!, cols, at: total };
      total += members * (shape.rows + 1) * cols;
      return shape;
    });
    this.params = new Float32Array(total);
    this.adamM = new Float32Array(total);
    this.adamV = new Float32Array(total);
    for (const { rows, cols, at } of this.layerShapes) {
      // He initialisation for ReLU layers; the bias row (the last of each member's block) starts at zero.
      const scale = Math.sqrt(2 / rows);
      for (let e = 0; e < members; e++) {
        const base = at + e * (rows + 1) * cols;
        for (let i = 0; i < rows * cols; i++) this.params[base + i] = rng.normal() * scale;
      }
    }
  }

  /**
   * Trains every member for `epochs` passes over `n` rows of `x` (row-major, `inputs` wide)
   * against `y`, but at least `minSteps` minibatch steps. Targets are standardised with
   * their mean and spread, which later predictions undo.
   */
  fit(x: Float32Array, y: ArrayLike<number>, n: number, epochs: number, minSteps: number, rng: Rng): void {
    const { inputs: f, members: e, batchSize } = this.config;
    if (n === 0) return;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y[i]!;
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (y[i]! - mean) ** 2;
    const std = Math.sqrt(variance / n);
    this.yMean = mean;
    this.yStd = std > 1e-9 ? std : 1;

    const perEpoch = Math.ceil(n / batchSize);
    const steps = Math.max(epochs * perEpoch, minSteps);
    const grad = new Float32Array(this.params.length);
    let orders: number[][] = [];
    onCpu(() =>
      tf.tidy(() => {
        for (let s = 0; s < steps; s++) {
          const k = s % perEpoch;
          if (k === 0) {
            const all = Array.from({ length: n }, (_, i) => i);
            orders = Array.from({ length: e }, () => rng.shuffle(all));
          }
          const lo = k * batchSize;
          const b = Math.min(n, lo + batchSize) - lo;
          const xb = new Float32Array(e * b * (f + 1));
          const yb = new Float32Array(e * b);
          for (let j = 0; j < e; j++) {
            for (let r = 0; r < b; r++) {
              const row = orders[j]![lo + r]!;
              const at = (j * b + r) * (f + 1);
              xb.set(x.subarray(row * f, row * f + f), at);
              xb[at + f] = 1;
              yb[j * b + r] = (y[row]! - this.yMean) / this.yStd;
            }
          }
          tf.tidy(() => this.gradient(xb, yb, b, grad));
          this.adam(grad);
        }
      }),
    );
  }

  /** Every member's prediction for `n` rows of `x` (row-major, `inputs` wide). */
  predict(x: Float32Array, n: number): EnsemblePredictions {
    const { inputs: f, members: e } = this.config;
    const out = new Float64Array(e * n);
    if (n === 0) return new EnsemblePredictions(out, e, 0);
    const rows = new Float32Array(e * n * (f + 1));
    for (let i = 0; i < n; i++) {
      rows.set(x.subarray(i * f, i * f + f), i * (f + 1));
      rows[i * (f + 1) + f] = 1;
    }
    for (let j = 1; j < e; j++) rows.copyWithin(j * n * (f + 1), 0, n * (f + 1));
    onCpu(() =>
      tf.tidy(() => {
        const raw = this.forward(tf.tensor3d(rows, [e, n, f + 1]), n).out.dataSync();
        for (let i = 0; i < e * n; i++) out[i] = raw[i]! * this.yStd + this.yMean;
      }),
    );
    return new EnsemblePredictions(out, e, n);
  }

  state(): EnsembleMlpState {
    return {
      params: this.params.slice(),
      adamM: this.adamM.slice(),
      adamV: this.adamV.slice(),
      step: this.step,
      yMean: this.yMean,
      yStd: this.yStd,
    };
  }

  /** Loads a `state()` of an ensemble with the same config; throws when the sizes differ. */
  load(state: EnsembleMlpState): void {
    const n = this.params.length;
    if (state.params.length !== n || state.adamM.length !== n || state.adamV.length !== n) {
      throw new RangeError(
        `an ensemble state for this config has ${n} parameters, got ${state.params.length}`,
      );
    }
    this.params = state.params.slice();
    this.adamM = state.adamM.slice();
    this.adamV = state.adamV.slice();
    this.step = state.step;
    this.yMean = state.yMean;
    this.yStd = state.yStd;
  }

  /** Layer `l`'s weights with the bias row, `[members, rows + 1, cols]`. */
  private weights(l: number): tf.Tensor3D {
    const { rows, cols, at } = this.layerShapes[l]!;
    const e = this.config.members;
    return tf.tensor3d(this.params.subarray(at, at + e * (rows + 1) * cols), [e, rows + 1, cols]);
  }

  /** Layer `l`'s weights without the bias row, for back-propagating through it. */
  private weightsOnly(l: number): tf.Tensor3D {
    const { rows, cols, at } = this.layerShapes[l]!;
    const e = this.config.members;
    const w = new Float32Array(e * rows * cols);
    for (let j = 0; j < e; j++) {
      const from = at + j * (rows + 1) * cols;
      w.set(this.params.subarray(from, from + rows * cols), j * rows * cols);
    }
    return tf.tensor3d(w, [e, rows, cols]);
  }

  /** Every layer's input (with its column of ones) and hidden activation, and the output `[members, b, 1]`. */
  private forward(
    x: tf.Tensor3D,
    b: number,
  ): { inputs: tf.Tensor3D[]; hidden: tf.Tensor3D[]; out: tf.Tensor3D } {
    const e = this.config.members;
    const ones = tf.tensor3d(new Float32Array(e * b).fill(1), [e, b, 1]);
    const inputs = [x];
    const hidden: tf.Tensor3D[] = [];
    const last = this.layerShapes.length - 1;
    for (let l = 0; l < last; l++) {
      const h = tf.relu(tf.matMul<tf.Tensor3D>(inputs[l]!, this.weights(l)));
      hidden.push(h);
      inputs.push(tf.concat<tf.Tensor3D>([h, ones], 2));
    }
    return { inputs, hidden, out: tf.matMul(inputs[last]!, this.weights(last)) };
  }

  /** Writes the gradient of every member's mean squared error on one minibatch into `grad`. */
  private gradient(xb: Float32Array, yb: Float32Array, b: number, grad: Float32Array): void {
    const { inputs: f, members: e } = this.config;
    const { inputs, hidden, out } = this.forward(tf.tensor3d(xb, [e, b, f + 1]), b);
    let g: tf.Tensor3D = tf.mul(tf.sub(out, tf.tensor3d(yb, [e, b, 1])), 2 / b);
    for (let l = this.layerShapes.length - 1; l >= 0; l--) {
      grad.set(tf.matMul(inputs[l]!, g, true, false).dataSync(), this.layerShapes[l]!.at);
      if (l > 0) g = tf.mul(tf.matMul(g, this.weightsOnly(l), false, true), tf.step(hidden[l - 1]!));
    }
  }

  private adam(grad: Float32Array): void {
    this.step++;
    const t = this.step;
    // Bias correction folded into the step size, as in Kingma & Ba's Algorithm 1 (end of section 2).
    const rate = (this.config.learningRate * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
    const { params: p, adamM: m, adamV: v } = this;
    for (let i = 0; i < p.length; i++) {
      const gi = grad[i]!;
      m[i] = BETA1 * m[i]! + (1 - BETA1) * gi;
      v[i] = BETA2 * v[i]! + (1 - BETA2) * gi * gi;
      p[i] = p[i]! - (rate * m[i]!) / (Math.sqrt(v[i]!) + EPSILON);
    }
  }
}
