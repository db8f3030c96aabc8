import * as tf from '@tensorflow/tfjs-core';

/** What second-order DARTS needs of a supernet: its weights, in place. */
export interface UnrolledNet {
  readonly variables: readonly tf.Variable[];
  /** Batch norm's running statistics: put back after the extra forward passes. */
  readonly buffers: readonly tf.Variable[];
}

/** A loss of the weights (read from the variables) and α (the tensor given). */
export type AlphaLoss = (alpha: tf.Tensor2D) => tf.Scalar;

export interface UnrolledStep {
  /** ξ: the learning rate of the virtual weight step (the weights' current one). */
  readonly xi: number;
  /** The weights' L2 penalty, added to the virtual step's gradient as the weights' SGD does. */
  readonly weightDecay: number;
  /** L_train(w, α) on the training batch of this step. */
  readonly train: AlphaLoss;
  /** L_val(w, α) on the validation batch (any α regulariser included). */
  readonly val: AlphaLoss;
}

/**
 * Second-order DARTS's α gradient (Liu et al. 2019, eq. 7–8; quark0/darts `architect.py`
 * `_backward_step_unrolled`): with the virtual step w' = w − ξ(∇w L_train(w, α) + wd·w),
 * ∇α L_val(w', α) − ξ·(∇α L_train(w⁺, α) − ∇α L_train(w⁻, α)) / (2ε), where
 * w± = w ± ε·∇w' L_val(w', α) and ε = 0.01 / ‖∇w' L_val(w', α)‖. The virtual step leaves the
 * momentum buffer out (the reference adds it; here the unrolled objective is the plain SGD step's,
 * so the finite-difference check has one closed form). The weights and batch norm's running
 * statistics are put back bit for bit before it returns, whatever it throws.
 * Returns L_val(w', α) and the gradient, flattened like `alpha`.
 */
export function unrolledAlphaGradient(
  net: UnrolledNet,
  alpha: Float32Array,
  shape: [number, number],
  step: UnrolledStep,
): { loss: number; grad: Float32Array } {
  const variables = [...net.variables];
  const saved = tf.tidy(() => [...variables, ...net.buffers].map((v) => tf.clone(v)));
  const a = tf.tensor2d(alpha, shape);
  const put = (values: readonly tf.Tensor[]) =>
    tf.tidy(() => {
      for (const [i, v] of variables.entries()) v.assign(values[i]!);
    });
  try {
    // ∇w L_train(w, α): a weight no op reaches gets none, and a zero step.
    const virtual = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => step.train(a), variables);
      value.dispose();
      return variables.map((v, i) =>
        tf.sub(
          saved[i]!,
          tf.mul(tf.add(grads[v.name] ?? tf.zerosLike(v), tf.mul(saved[i]!, step.weightDecay)), step.xi),
        ),
      );
    });
    put(virtual);
    tf.dispose(virtual);
    // At w': L_val, its α gradient and its weight gradient v, in one backward pass.
    const atUnrolled = tf.tidy(() => {
      const alphaVar = tf.variable(a, true, `darts.alpha.${uid++}`);
      try {
        const { value, grads } = tf.variableGrads(() => step.val(alphaVar), [alphaVar, ...variables]);
        return {
          value,
          dAlpha: tf.clone(grads[alphaVar.name]!),
          v: variables.map((w) => grads[w.name] ?? tf.zerosLike(w)),
        };
      } finally {
        alphaVar.dispose();
      }
    });
    const loss = atUnrolled.value.dataSync()[0]!;
    const norm = tf.tidy(
      () => tf.sqrt(tf.addN(atUnrolled.v.map((g) => tf.sum(tf.square(g))))).dataSync()[0]!,
    );
    let hessian: tf.Tensor | undefined;
    if (norm > 0 && Number.isFinite(norm)) {
      const eps = 0.01 / norm;
      const alphaGradAt = (sign: 1 | -1) => {
        const moved = tf.tidy(() =>
          variables.map((_, i) => tf.add(saved[i]!, tf.mul(atUnrolled.v[i]!, sign * eps))),
        );
        put(moved);
        tf.dispose(moved);
        return tf.tidy(() => tf.grad((x: tf.Tensor) => step.train(x as tf.Tensor2D))(a));
      };
      const plus = alphaGradAt(1);
      const minus = alphaGradAt(-1);
      hessian = tf.tidy(() => tf.mul(tf.sub(plus, minus), step.xi / (2 * eps)));
      tf.dispose([plus, minus]);
    }
    const grad = tf.tidy(() => (hessian ? tf.sub(atUnrolled.dAlpha, hessian) : tf.clone(atUnrolled.dAlpha)));
    const out = grad.dataSync() as Float32Array;
    tf.dispose([grad, hessian, atUnrolled.value, atUnrolled.dAlpha, ...atUnrolled.v]);
    return { loss, grad: Float32Array.from(out) };
  } finally {
    tf.tidy(() => {
      for (const [i, v] of [...variables, ...net.buffers].entries()) v.assign(saved[i]!);
    });
    tf.dispose([...saved, a]);
  }
}

let uid = 0;
