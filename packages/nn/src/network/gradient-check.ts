import * as tf from '@tensorflow/tfjs-core';
import type { Network } from './network.js';

/**
 * What stops `net` from learning, from one training-mode step of softmax cross-entropy on
 * `images` and one-hot `labels`: a line `NAME: no gradient`, `NAME: non-finite gradient` or
 * `NAME: zero gradient` per trainable variable that has one; empty when all is well. A smoke
 * check for new builders and backends. Like any training step it moves the batch-norm statistics.
 */
export function gradientProblems(net: Network, images: tf.Tensor4D, labels: tf.Tensor): string[] {
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(labels, net.apply(images, { training: true })) as tf.Scalar,
    [...net.variables],
  );
  const problems = net.variables.flatMap((v) => {
    const g = grads[v.name]?.dataSync();
    if (!g) return [`${v.name}: no gradient`];
    if (!g.every(Number.isFinite)) return [`${v.name}: non-finite gradient`];
    return g.some((d) => d !== 0) ? [] : [`${v.name}: zero gradient`];
  });
  tf.dispose([value, ...Object.values(grads)]);
  return problems;
}
