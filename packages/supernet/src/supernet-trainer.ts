import { createHash } from 'node:crypto';
import { NB201_EDGES, NB201_OPS, type Nb201Arch } from '@archlab/bench-nb201';
import { DataError, Rng, type RngState } from '@archlab/core';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from '@archlab/nn';
import {
  createOptimizer,
  crossEntropy,
  type Optimizer,
  type OptimizerOptions,
  TrainingDivergedError,
} from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import type { Nb201Path, Nb201Supernet } from './nb201-supernet.js';

/**
 * What a supernet trainer trains and checkpoints: trainable weights and the other state a
 * checkpoint holds (BN statistics...), each in a fixed order whatever subnet is run, named
 * `LAYER/PARAM` without the process-unique prefix.
 */
export interface TrainableSupernet {
  readonly variables: readonly tf.Variable[];
  /** State that is not trained but is checkpointed (batch-norm statistics, a frozen teacher). */
  readonly buffers: readonly tf.Variable[];
  nameOf(v: tf.Variable): string;
}

/** A supernet's variables, then its buffers, as named tensors in their fixed order (what a snapshot holds). */
export function supernetWeights(supernet: TrainableSupernet): NamedTensor[] {
  return [...supernet.variables, ...supernet.buffers].map((v) => ({
    name: supernet.nameOf(v),
    shape: v.shape,
    data: v.dataSync() as Float32Array,
  }));
}

export interface SupernetTrainerOptions extends OptimizerOptions {
  /** Seeds the data order and `rng` (path sampling and whatever else the method draws). */
  readonly seed: number;
}

const FORMAT = 'archlab-supernet-trainer/1';

interface State {
  readonly format: string;
  readonly orderSeed: number;
  readonly rng: RngState;
  readonly epoch: number;
  readonly cursor: number;
  readonly steps: number;
  readonly optimizer: string;
}

/**
 * What a one-shot method trains with, as one checkpointable whole: the supernet, an optimizer
 * of its weights (slots in the supernet's fixed variable order; a variable without a gradient in
 * a step is left alone, slots included), a random stream, and the position in the data order
 * (an epoch's seeded shuffle and the cursor in it). `snapshot()` and `restore()` make it a
 * `StatefulService` (owner `supernet`): a restored trainer continues bit for bit as the
 * original does on the same backend.
 */
export class SupernetTrainer<S extends TrainableSupernet = Nb201Supernet> {
  readonly owner = 'supernet';
  readonly optimizer: Optimizer;
  /** Draws SPOS's paths; a method may draw its own samples from it too (it is checkpointed). */
  rng: Rng;
  /** Epochs of the data order begun so far, counting from 0 before the first batch. */
  epoch = 0;
  /** Images of the current epoch's order already handed out. */
  cursor = 0;
  /** Seeds each epoch's order: the options' seed, or the snapshot's after a restore. */
  private orderSeed: number;
  private order: { epoch: number; n: number; indices: Uint32Array } | undefined;

  constructor(
    readonly supernet: S,
    private readonly options: SupernetTrainerOptions,
  ) {
    this.optimizer = createOptimizer(supernet.variables, options);
    this.rng = Rng.fromSeed(`${options.seed}/supernet-trainer`);
    this.orderSeed = options.seed;
  }

  /**
   * The next `batchSize` of `n` training images (indices into them) in the data order: each
   * epoch a fresh seeded shuffle, walked in batches; the last batch of an epoch may be short.
   */
  nextBatch(n: number, batchSize: number): Uint32Array {
    if (!Number.isInteger(n) || n < 1 || !Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`a batch is a whole number ≥ 1 of ≥ 1 images, got ${batchSize} of ${n}`);
    }
    if (this.cursor >= n || this.epoch === 0) {
      this.epoch++;
      this.cursor = 0;
    }
    if (this.order?.epoch !== this.epoch || this.order.n !== n) {
      const shuffled = Rng.fromSeed(`${this.orderSeed}/order/${this.epoch}`).shuffle(
        Array.from({ length: n }, (_, i) => i),
      );
      this.order = { epoch: this.epoch, n, indices: Uint32Array.from(shuffled) };
    }
    const batch = this.order.indices.slice(this.cursor, this.cursor + batchSize);
    this.cursor += batch.length;
    return batch;
  }

  /** A cell drawn uniformly from the 15,625 (SPOS's path sampling) from `rng`. */
  samplePath(this: SupernetTrainer<Nb201Supernet>): Nb201Arch {
    return NB201_EDGES.map(() => this.rng.int(NB201_OPS.length)) as unknown as Nb201Arch;
  }

  /**
   * One update of the supernet's weights by the gradient of `loss` (a function run on the
   * gradient tape), at learning rate `lr`; returns the loss. Weights `loss` does not reach get no
   * update. A NaN or infinite loss is a TrainingDivergedError and changes nothing.
   */
  step(loss: () => tf.Scalar, lr: number): number {
    const variables = this.supernet.variables;
    const { value, grads } = tf.variableGrads(loss, [...variables]);
    try {
      const v = value.dataSync()[0]!;
      if (!Number.isFinite(v)) throw new TrainingDivergedError(this.epoch, this.optimizer.steps, v);
      this.optimizer.step(
        variables.map((x) => grads[x.name]),
        lr,
      );
      return v;
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  }

  /** A SPOS step: cross-entropy of one path's network (drawn with `samplePath` unless given) in training mode. */
  sposStep(
    this: SupernetTrainer<Nb201Supernet>,
    images: tf.Tensor4D,
    labels: tf.Tensor1D,
    lr: number,
    path: Nb201Path = this.samplePath(),
  ): { loss: number; path: Nb201Path } {
    const loss = this.step(
      () =>
        crossEntropy(
          this.supernet.applyPath(images, path, { training: true }),
          labels,
          this.supernet.numClasses,
        ),
      lr,
    );
    return { loss, path };
  }

  /**
   * Zeroes the optimizer's slots (momentum), as a fresh optimizer would start: a method that
   * trains in phases with schedules of their own (OFA's progressive shrinking) starts each so.
   */
  resetOptimizer(): void {
    tf.tidy(() => {
      for (const slot of this.optimizer.slots) slot.assign(tf.zerosLike(slot));
    });
  }

  /** The supernet's weights and BN statistics, the optimizer's slots and step count, the rng and the data position. */
  snapshot(): Uint8Array {
    const state: State = {
      format: FORMAT,
      orderSeed: this.orderSeed,
      rng: this.rng.state(),
      epoch: this.epoch,
      cursor: this.cursor,
      steps: this.optimizer.steps,
      optimizer: this.options.optimizer,
    };
    return encodeSafetensors([...supernetWeights(this.supernet), ...this.slots()], {
      state: JSON.stringify(state),
    });
  }

  /**
   * Puts back what `snapshot` wrote. Bytes of another format, or of a supernet or optimizer of
   * another shape, are a DataError that changes nothing.
   */
  restore(bytes: Uint8Array): void {
    const { tensors, metadata } = decodeSafetensors(bytes);
    let state: State;
    try {
      state = JSON.parse(metadata.state ?? '');
    } catch {
      throw new DataError('not a supernet trainer snapshot: its metadata has no state');
    }
    if (state.format !== FORMAT) {
      throw new DataError(`not a supernet trainer snapshot: format '${state.format}', expected '${FORMAT}'`);
    }
    if (state.optimizer !== this.options.optimizer) {
      throw new DataError(
        `the snapshot holds ${state.optimizer} state; this trainer uses ${this.options.optimizer}`,
      );
    }
    const targets = [...this.supernet.variables, ...this.supernet.buffers, ...this.optimizer.slots];
    const expected = [...supernetWeights(this.supernet), ...this.slots()];
    if (
      tensors.length !== expected.length ||
      tensors.some(
        (t, i) => t.name !== expected[i]!.name || t.shape.join(',') !== expected[i]!.shape.join(','),
      )
    ) {
      const i = tensors.findIndex((t, k) => t.name !== expected[k]?.name);
      throw new DataError(
        `the snapshot is of another supernet (${tensors.length} tensors for ${expected.length}${i >= 0 ? `; '${tensors[i]!.name}' where '${expected[i]?.name}' was expected` : ', shapes differ'})`,
      );
    }
    if (
      ![state.epoch, state.cursor, state.steps].every((n) => Number.isInteger(n) && n >= 0) ||
      !Number.isFinite(state.orderSeed)
    ) {
      throw new DataError('the supernet trainer snapshot has a malformed data position or step count');
    }
    const rng = Rng.fromState(state.rng);
    tf.tidy(() => {
      for (const [i, t] of tensors.entries()) targets[i]!.assign(tf.tensor(t.data, [...t.shape], 'float32'));
    });
    this.rng = rng;
    this.orderSeed = state.orderSeed;
    this.order = undefined;
    this.epoch = state.epoch;
    this.cursor = state.cursor;
    this.optimizer.steps = state.steps;
  }

  /** sha256 (hex) of the supernet's weights and buffers as the snapshot encodes them. */
  weightsHash(): string {
    return createHash('sha256')
      .update(encodeSafetensors(supernetWeights(this.supernet)))
      .digest('hex');
  }

  /** Frees the optimizer's state (the supernet stays the caller's). */
  dispose(): void {
    this.optimizer.dispose();
  }

  private slots(): NamedTensor[] {
    const names = this.supernet.variables.map((v) => this.supernet.nameOf(v));
    return this.optimizer.slots.map((s, i) => ({
      name: `optimizer.slot${Math.floor(i / names.length)}/${names[i % names.length]}`,
      shape: s.shape,
      data: s.dataSync() as Float32Array,
    }));
  }
}
