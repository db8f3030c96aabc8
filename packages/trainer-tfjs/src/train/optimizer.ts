import * as tf from '@tensorflow/tfjs-core';

export type OptimizerName = 'sgd' | 'adam';

export interface OptimizerOptions {
  readonly optimizer: OptimizerName;
  /** SGD: momentum factor (0: plain SGD). */
  readonly momentum: number;
  /** SGD: Nesterov momentum. */
  readonly nesterov: boolean;
  /** SGD: L2 penalty added to the gradient; Adam: decoupled decay (AdamW), both as in PyTorch. */
  readonly weightDecay: number;
}

/**
 * Updates `variables` in place from their gradients. Its state (momentum buffers, moments) lives
 * in non-trainable variables until `dispose`, so steps allocate nothing that outlives them.
 */
export interface Optimizer {
  /** One update with learning rate `lr`; `grads[i]` belongs to `variables[i]` (undefined: no gradient, skipped). */
  step(grads: readonly (tf.Tensor | undefined)[], lr: number): void;
  /**
   * Its state for a checkpoint, in a fixed order: SGD's momentum buffers (none without
   * momentum), or Adam's first then second moments, one per variable. Assign them to restore.
   */
  readonly slots: readonly tf.Variable[];
  /** Updates made so far (Adam's bias correction reads it); set it when restoring the slots. */
  steps: number;
  dispose(): void;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/** SGD with (Nesterov) momentum, or Adam, with the update rules of `torch.optim.SGD` and `torch.optim.AdamW`. */
export function createOptimizer(variables: readonly tf.Variable[], options: OptimizerOptions): Optimizer {
  const state = (count: number): tf.Variable[][] =>
    // tidy disposes the zeros each variable is copied from, not the variables.
    tf.tidy(() =>
      Array.from({ length: count }, () => variables.map((v) => tf.variable(tf.zerosLike(v), false))),
    );
  const { weightDecay: wd } = options;

  if (options.optimizer === 'sgd') {
    const { momentum: mu, nesterov } = options;
    const [buffers] = mu > 0 ? state(1) : [[]];
    return {
      slots: buffers!,
      steps: 0,
      step(grads, lr) {
        this.steps++;
        tf.tidy(() => {
          variables.forEach((v, i) => {
            const grad = grads[i];
            if (!grad) return;
            let d = wd > 0 ? tf.add(grad, tf.mul(v, wd)) : grad;
            if (mu > 0) {
              const buffer = buffers![i]!;
              const next = tf.add(tf.mul(buffer, mu), d);
              buffer.assign(next);
              d = nesterov ? tf.add(d, tf.mul(next, mu)) : next;
            }
            v.assign(tf.sub(v, tf.mul(d, lr)));
          });
        });
      },
      dispose: () => tf.dispose(buffers),
    };
  }

  const [m, s] = state(2) as [tf.Variable[], tf.Variable[]];
  return {
    slots: [...m, ...s],
    steps: 0,
    step(grads, lr) {
      const t = ++this.steps;
      const stepSize = (lr * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t);
      tf.tidy(() => {
        variables.forEach((v, i) => {
          const grad = grads[i];
          if (!grad) return;
          const mi = tf.add(tf.mul(m[i]!, BETA1), tf.mul(grad, 1 - BETA1));
          const si = tf.add(tf.mul(s[i]!, BETA2), tf.mul(tf.square(grad), 1 - BETA2));
          m[i]!.assign(mi);
          s[i]!.assign(si);
          const decayed = wd > 0 ? tf.mul(v, 1 - lr * wd) : v;
          const denominator = tf.add(tf.sqrt(si), EPSILON * Math.sqrt(1 - BETA2 ** t));
          v.assign(tf.sub(decayed, tf.mul(tf.div(mi, denominator), stepSize)));
        });
      });
    },
    dispose: () => tf.dispose([...m, ...s]),
  };
}
