import { Rng } from '@archlab/core';
import { Nb201Supernet } from '@archlab/supernet';
import { crossEntropy } from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unrolledAlphaGradient } from './unrolled-gradient.js';

// The reference: the unrolled objective f(α) = L_val(w − ξ(∇w L_train(w, α) + wd·w), α), computed
// directly (the virtual step taken for real at each α) and differentiated by central finite
// differences. tfjs computes in float32, so the tolerance is loose (1% of the gradient's norm; measured 0.05%);
// second order's error must also be well below first order's, so the test fails if the Hessian
// term were dropped or of the wrong sign. The gradient check runs on a smooth α-weighted
// network (tanh ops on a chain of 6 edges): on the NB201 supernet (ReLU, batch statistics) the
// float32 finite differences of f do not converge (h = 1e-2 and 3e-3 differ by half the norm).
// The restore and leak checks run on the NB201 supernet itself.

const SHAPE: [number, number] = [6, 5];
const XI = 0.05;
const WD = 3e-4;

interface TestNet {
  readonly variables: readonly tf.Variable[];
  readonly buffers: readonly tf.Variable[];
  readonly classes: number;
  /** Logits of `x` with op weights `w` ([6, 5]). */
  logits(x: tf.Tensor, w: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}

/** Six edges in a chain, each the softmax(α)-weighted sum of five tanh layers of 4 units; a dense head. */
function smoothNet(rng: Rng): TestNet {
  const weight = (shape: [number, number]) =>
    tf.variable(
      tf.tensor2d(
        Float32Array.from({ length: shape[0] * shape[1] }, () => 0.8 * rng.normal()),
        shape,
      ),
    );
  const ops = Array.from({ length: 30 }, () => weight([4, 4]));
  const head = weight([4, 3]);
  return {
    variables: [...ops, head],
    buffers: [],
    classes: 3,
    logits: (x, w) =>
      tf.matMul(
        Array.from({ length: 6 }, (_, e) => e).reduce(
          (h, e) =>
            tf.addN(
              Array.from({ length: 5 }, (_, k) =>
                tf.mul(tf.tanh(tf.matMul(h, ops[e * 5 + k]!)), tf.slice(w, [e, k], [1, 1])),
              ),
            ),
          x as tf.Tensor2D,
        ),
        head,
      ),
    dispose: () => tf.dispose([...ops, head]),
  };
}

function nb201Net(): TestNet {
  const net = new Nb201Supernet({
    channels: 2,
    cellsPerStage: 1,
    stemStride: 1,
    inputShape: [8, 8, 1],
    seed: 3,
  });
  return {
    variables: net.variables,
    buffers: net.buffers,
    classes: 10,
    logits: (x, w) => net.applyWeighted(x as tf.Tensor4D, w, { training: true }),
    dispose: () => net.dispose(),
  };
}

const norm = (v: ArrayLike<number>) => Math.hypot(...Array.from(v));
const distance = (a: ArrayLike<number>, b: ArrayLike<number>) => norm(Array.from(a, (x, i) => x - b[i]!));

describe('second-order DARTS: unrolledAlphaGradient', () => {
  const rng = Rng.fromSeed('unrolled-gradient');
  const alpha = Float32Array.from({ length: 30 }, () => 0.5 * rng.normal());
  const nets: TestNet[] = [];
  const batches: tf.Tensor[] = [];

  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => {
    for (const n of nets) n.dispose();
    tf.dispose(batches);
  });

  /** The net, and the losses of its training and validation batches (16 random images each). */
  function setUp(make: () => TestNet, input: number[]) {
    const net = make();
    nets.push(net);
    const size = input.reduce((a, b) => a * b, 1);
    const batch = () => {
      const x = tf.tensor(
        Float32Array.from({ length: 16 * size }, () => rng.normal()),
        [16, ...input],
      );
      const y = tf.tensor1d(
        Array.from({ length: 16 }, () => rng.int(net.classes)),
        'int32',
      );
      batches.push(x, y);
      return (a: tf.Tensor2D) => crossEntropy(net.logits(x, tf.softmax(a)), y, net.classes) as tf.Scalar;
    };
    const step = { xi: XI, weightDecay: WD, train: batch(), val: batch() };
    return { net, step };
  }

  it("equals a finite-difference gradient of the unrolled objective, and first order's does not", () => {
    const { net, step } = setUp(() => smoothNet(rng), [4]);
    /** f(α), the weights put back after. */
    const unrolledObjective = (a: Float32Array): number => {
      const variables = [...net.variables];
      const saved = variables.map((v) => tf.clone(v));
      const at = tf.tensor2d(a, SHAPE);
      try {
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => step.train(at), variables);
          value.dispose();
          for (const [i, v] of variables.entries()) {
            const g = grads[v.name] ?? tf.zerosLike(v);
            v.assign(tf.sub(saved[i]!, tf.mul(tf.add(g, tf.mul(saved[i]!, WD)), XI)));
          }
        });
        return tf.tidy(() => step.val(at).dataSync()[0]!);
      } finally {
        tf.tidy(() => {
          for (const [i, v] of variables.entries()) v.assign(saved[i]!);
        });
        tf.dispose([...saved, at]);
      }
    };
    const h = 1e-2;
    const reference = Array.from(alpha, (_, i) => {
      const up = Float32Array.from(alpha);
      const down = Float32Array.from(alpha);
      up[i]! += h;
      down[i]! -= h;
      return (unrolledObjective(up) - unrolledObjective(down)) / (2 * h);
    });
    const { loss, grad } = unrolledAlphaGradient(net, alpha, SHAPE, step);
    expect(loss).toBeCloseTo(unrolledObjective(alpha), 5);
    const firstOrder = tf.tidy(() => tf.grad(step.val)(tf.tensor2d(alpha, SHAPE)).dataSync());
    const error = distance(grad, reference) / norm(reference);
    const firstOrderError = distance(firstOrder, reference) / norm(reference);
    expect(error).toBeLessThan(0.01);
    expect(firstOrderError).toBeGreaterThan(10 * error);
  });

  it("puts back the NB201 supernet's weights and batch-norm statistics bit for bit, and leaves no tensor behind", () => {
    const { net, step } = setUp(nb201Net, [8, 8, 1]);
    const before = [...net.variables, ...net.buffers].map((v) => v.dataSync().slice());
    const tensors = tf.memory().numTensors;
    const first = unrolledAlphaGradient(net, alpha, SHAPE, step);
    expect(tf.memory().numTensors).toBe(tensors);
    expect([...net.variables, ...net.buffers].map((v) => v.dataSync().slice())).toEqual(before);
    // Same weights, same α: the same gradient.
    expect(unrolledAlphaGradient(net, alpha, SHAPE, step).grad).toEqual(first.grad);
  });
});
