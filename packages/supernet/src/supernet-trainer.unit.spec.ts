import { NB201_EDGES, NB201_OPS, type Nb201Arch, parseNb201Key } from '@archlab/bench-nb201';
import { nb201CellPlan } from '@archlab/bench-nb201/network';
import { DataError } from '@archlab/core';
import { initBackend } from '@archlab/nn';
import { crossEntropy, TrainingDivergedError } from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Nb201Supernet } from './nb201-supernet.js';
import { SupernetTrainer } from './supernet-trainer.js';

beforeAll(async () => {
  // The bit-for-bit resume is checked on the backend the bench and the strategies train on.
  expect((await initBackend('wasm')).name).toBe('wasm');
});

const TINY = { channels: 2, cellsPerStage: 1, stemStride: 1, inputShape: [8, 8, 1], seed: 7 } as const;
const SGD = { optimizer: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 3e-4, seed: 11 } as const;
const N = 24;
const BATCH = 8;

/** A small seeded data set: `N` images and labels. */
const DATA = {
  images: Float32Array.from({ length: N * 64 }, (_, i) => Math.sin(i * 12.9898) * 2),
  labels: Int32Array.from({ length: N }, (_, i) => (i * 7) % 10),
};

function batch(indices: Uint32Array): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const x = new Float32Array(indices.length * 64);
  for (const [b, idx] of indices.entries()) x.set(DATA.images.subarray(idx * 64, idx * 64 + 64), b * 64);
  return {
    x: tf.tensor4d(x, [indices.length, 8, 8, 1]),
    y: tf.tensor1d(
      Int32Array.from(indices, (i) => DATA.labels[i]!),
      'int32',
    ),
  };
}

/** `steps` SPOS steps on the trainer's own data order and paths. */
function train(trainer: SupernetTrainer, steps: number): Nb201Arch[] {
  const paths: Nb201Arch[] = [];
  for (let s = 0; s < steps; s++) {
    const { x, y } = batch(trainer.nextBatch(N, BATCH));
    paths.push(trainer.sposStep(x, y, 0.05).path as Nb201Arch);
    tf.dispose([x, y]);
  }
  return paths;
}

describe('SupernetTrainer', () => {
  it('SPOS steps equal a reference: full mixed-op gradients and torch.optim.SGD on the path’s weights only', () => {
    const paths = [
      parseNb201Key(
        '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|',
      ),
      parseNb201Key('|nor_conv_1x1~0|+|none~0|nor_conv_3x3~1|+|nor_conv_3x3~0|none~1|none~2|'),
      parseNb201Key(
        '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_1x1~1|skip_connect~2|',
      ),
      parseNb201Key(
        '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|',
      ),
    ];
    const trainer = new SupernetTrainer(new Nb201Supernet(TINY), SGD);
    const ref = new Nb201Supernet(TINY);
    const names = ref.variables.map((v) => ref.nameOf(v));
    const weights = ref.variables.map((v) => Float32Array.from(v.dataSync()));
    const momentum = weights.map((w) => new Float32Array(w.length));
    const lr = 0.05;
    for (const [s, arch] of paths.entries()) {
      const { x, y } = batch(Uint32Array.from({ length: BATCH }, (_, i) => (s * 5 + i) % N));
      trainer.sposStep(x, y, lr, arch);

      // The reference computes every op of every edge, the path's with weight 1, and updates
      // (as PyTorch does for parameters with a gradient) the shared layers and the live ops alone.
      for (const [i, v] of ref.variables.entries()) v.assign(tf.tensor(weights[i]!, v.shape));
      const w = tf.oneHot(tf.tensor1d([...arch], 'int32'), NB201_OPS.length);
      const { value, grads } = tf.variableGrads(
        () => crossEntropy(ref.applyWeighted(x, tf.cast(w, 'float32'), { training: true }), y, 10),
        [...ref.variables],
      );
      const live = nb201CellPlan(arch).live;
      const onPath = (name: string) => {
        const m = /\.edge(\d)(\d)\.([a-z_0-9]+)\./.exec(name);
        if (!m) return true;
        const e = NB201_EDGES.findIndex(([a, b]) => a === Number(m[1]) && b === Number(m[2]));
        return live[e]! && NB201_OPS[arch[e]!] === m[3];
      };
      for (const [i, v] of ref.variables.entries()) {
        if (!onPath(names[i]!)) continue;
        const g = grads[v.name]!.dataSync();
        const p = weights[i]!;
        const buf = momentum[i]!;
        for (let k = 0; k < p.length; k++) {
          buf[k] = 0.9 * buf[k]! + g[k]! + SGD.weightDecay * p[k]!;
          p[k] = p[k]! - lr * buf[k]!;
        }
      }
      tf.dispose([value, ...Object.values(grads), w, x, y]);
    }
    const fresh = new Nb201Supernet(TINY);
    let moved = 0;
    for (const [i, v] of trainer.supernet.variables.entries()) {
      const actual = v.dataSync();
      const expected = weights[i]!;
      for (let k = 0; k < expected.length; k++) {
        expect(Math.abs(actual[k]! - expected[k]!), `${names[i]}[${k}]`).toBeLessThan(
          1e-5 + 1e-4 * Math.abs(expected[k]!),
        );
      }
      if (fresh.variables[i]!.dataSync().some((x, k) => x !== actual[k])) moved++;
    }
    // No path above uses edge 1→2's conv1×1: with no gradient, weight decay and momentum leave it be.
    const neverUsed = names.indexOf('stage1.cell1.edge12.nor_conv_1x1.conv/kernel');
    expect(Array.from(trainer.supernet.variables[neverUsed]!.dataSync())).toEqual(
      Array.from(fresh.variables[neverUsed]!.dataSync()),
    );
    expect(moved).toBeGreaterThan(10);
    fresh.dispose();
    trainer.dispose();
    trainer.supernet.dispose();
    ref.dispose();
  });

  it.each(['sgd', 'adam'] as const)(
    'with %s, k steps, a snapshot and m more equal a restore into another trainer and the same m steps, bit for bit',
    (optimizer) => {
      const options = { ...SGD, optimizer };
      const a = new SupernetTrainer(new Nb201Supernet(TINY), options);
      train(a, 4);
      const bytes = a.snapshot();
      const pathsA = train(a, 3);
      const hashA = a.weightsHash();

      const b = new SupernetTrainer(new Nb201Supernet({ ...TINY, seed: 99 }), options);
      train(b, 1); // another state entirely, replaced by the restore
      b.restore(bytes);
      const pathsB = train(b, 3);
      expect(pathsB).toEqual(pathsA);
      expect(b.weightsHash()).toBe(hashA);
      expect(b.epoch).toBe(a.epoch);
      expect(b.snapshot()).toEqual(a.snapshot());
      expect(a.epoch).toBe(3); // 7 batches of 8 from 24 images
      for (const t of [a, b]) {
        t.dispose();
        t.supernet.dispose();
      }
    },
  );

  it('rejects a snapshot of another supernet, optimizer or format with a DataError and changes nothing', () => {
    const trainer = new SupernetTrainer(new Nb201Supernet(TINY), SGD);
    train(trainer, 1);
    const hash = trainer.weightsHash();
    const position = [trainer.epoch, trainer.cursor];
    const wider = new SupernetTrainer(new Nb201Supernet({ ...TINY, channels: 3 }), SGD);
    const adam = new SupernetTrainer(new Nb201Supernet(TINY), { ...SGD, optimizer: 'adam' });
    expect(() => trainer.restore(wider.snapshot())).toThrow(DataError);
    expect(() => trainer.restore(adam.snapshot())).toThrow(/adam/);
    expect(() => trainer.restore(new Uint8Array([1, 2, 3]))).toThrow(DataError);
    const bytes = trainer.snapshot();
    expect(() => trainer.restore(bytes.subarray(0, bytes.length - 4))).toThrow(DataError);
    expect(trainer.weightsHash()).toBe(hash);
    expect([trainer.epoch, trainer.cursor]).toEqual(position);
    for (const t of [trainer, wider, adam]) {
      t.dispose();
      t.supernet.dispose();
    }
  });

  it('fails a step with a non-finite loss as TrainingDivergedError, updating nothing', () => {
    const trainer = new SupernetTrainer(new Nb201Supernet(TINY), SGD);
    const hash = trainer.weightsHash();
    const x = tf.fill([2, 8, 8, 1], Number.NaN) as tf.Tensor4D;
    const y = tf.tensor1d([1, 2], 'int32');
    expect(() => trainer.sposStep(x, y, 0.1)).toThrow(TrainingDivergedError);
    tf.dispose([x, y]);
    expect(trainer.optimizer.steps).toBe(0);
    // The weights are as they were (the forward pass did move the BN statistics: a run resumes from its last checkpoint).
    expect(trainer.supernet.variables.every((v) => v.dataSync().every(Number.isFinite))).toBe(true);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    trainer.dispose();
    trainer.supernet.dispose();
  });
});
