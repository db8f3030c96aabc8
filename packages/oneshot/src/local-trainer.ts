// TEMPORARY until @archlab/supernet's SupernetTrainer lands: weights + optimizer, step, snapshot.
import { sha256Hex } from '@archlab/core';
import { decodeSafetensors, encodeSafetensors } from '@archlab/nn';
import type { Nb201Supernet } from '@archlab/supernet';
import { createOptimizer, crossEntropy, type Optimizer, type OptimizerOptions } from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';

export class SupernetTrainer {
  private readonly optimizer: Optimizer;
  constructor(
    readonly supernet: Nb201Supernet,
    options: OptimizerOptions,
  ) {
    this.optimizer = createOptimizer(supernet.variables, options);
  }

  async step(
    forward: (training: boolean) => tf.Tensor2D,
    y: tf.Tensor1D,
    lr: number,
    check: (loss: number) => void,
  ): Promise<{ loss: number; correct: number }> {
    const vars = this.supernet.variables;
    let hits: tf.Scalar | undefined;
    let result: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
    try {
      result = tf.variableGrads(() => {
        const logits = forward(true);
        hits = tf.keep(tf.sum<tf.Scalar>(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')));
        return crossEntropy(logits, y, this.supernet.numClasses);
      }, vars as tf.Variable[]);
      const [loss, correct] = await Promise.all([result.value.data(), hits!.data()]);
      check(loss[0]!);
      this.optimizer.step(
        vars.map((v) => result!.grads[v.name]),
        lr,
      );
      return { loss: loss[0]!, correct: correct[0]! };
    } finally {
      tf.dispose([hits, result?.value, result?.grads]);
    }
  }

  snapshot(): Uint8Array {
    const named = [
      ...this.supernet.weights(),
      ...this.optimizer.slots.map((s, i) => ({
        name: `slot${i}`,
        shape: s.shape,
        data: s.dataSync() as Float32Array,
      })),
    ];
    return encodeSafetensors(named, { steps: String(this.optimizer.steps) });
  }

  restore(bytes: Uint8Array): void {
    const { tensors, metadata } = decodeSafetensors(bytes);
    const all = [...this.supernet.variables, ...this.supernet.buffers, ...this.optimizer.slots];
    tf.tidy(() => {
      for (const [i, t] of tensors.entries()) all[i]!.assign(tf.tensor(t.data, [...t.shape]));
    });
    this.optimizer.steps = Number(metadata.steps);
  }

  weightsHash(): string {
    return sha256Hex(this.snapshot());
  }
}
