import { ConfigError, Rng, RunHaltedError, type RunScope, type RunService } from '@archlab/core';
import { type BackendChoice, initBackend } from '@archlab/nn';
import { Nb201Supernet, SupernetTrainer, type TrainableSupernet } from '@archlab/supernet';
import {
  cosineLearningRate,
  crossEntropy,
  type Dataset,
  loadDataset,
  makeBatch,
  resizeTrainingData,
  type Samples,
  splitDataset,
  type TrainingData,
  TrainingDivergedError,
} from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { type CellPath, type Nb201Cells, nb201Cells } from './nb201-cells.js';
import {
  type SupernetDataOptions,
  type SupernetOptions,
  supernetOptions,
  trainsSupernet,
} from './supernet-options.js';

/** The token of the run's supernet service (`scope.get(SupernetService)` / `ctx.services.get`). */
export const SupernetRun: unique symbol = Symbol.for('archlab.SupernetRun');

/** The supernet's training loss became NaN or infinite: the run stops (resumable), the weights stay as before that step. */
export class SupernetDivergedError extends RunHaltedError {
  override readonly code: string = 'SUPERNET_DIVERGED';
  constructor(
    readonly epoch: number,
    readonly batch: number,
    readonly what: string,
  ) {
    super(
      `the supernet diverged: ${what} at epoch ${epoch}, batch ${batch}; start a new run with a lower learning rate (--strategy-option lr=... or arch-lr=...)`,
    );
  }
}

/** Supernet training failed part way through an epoch (not by diverging): the run stops, resumable. */
export class SupernetTrainingError extends RunHaltedError {
  override readonly code: string = 'SUPERNET_TRAINING';
  constructor(epoch: number, cause: unknown) {
    super(
      `supernet training failed in epoch ${epoch}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
}

/** A batch as tensors; the caller disposes both. */
export interface TensorBatch {
  readonly x: tf.Tensor4D;
  readonly y: tf.Tensor1D;
  readonly size: number;
}

/** What one epoch of weight training runs: the forward pass of each batch, and what comes before each step. */
export interface EpochPlan {
  /** Epochs of the whole search: the weights' learning rate follows a cosine over them. */
  readonly epochs: number;
  /**
   * Epochs the service had trained when this schedule began (default 0): a method training in
   * phases, each with its own cosine over its own `epochs` (OFA's progressive shrinking), sets it
   * to the phase's first epoch.
   */
  readonly startEpoch?: number;
  /** Peak learning rate of this schedule; default the `lr` option. */
  readonly lr?: number;
  /**
   * The image shape of training batch `batch`, asked once before its `forward`: the images are
   * resized to it (`resizeDataset`, as the `train` estimator does for a network of another
   * resolution). Default: the data set's own. OFA's elastic resolution draws it per batch.
   */
  inputShape?(batch: number): readonly [number, number, number];
  /** Logits of training batch `batch` (counting from 0 in the epoch), in training mode: the path or the weighted ops trained. */
  forward(x: tf.Tensor4D, batch: number, training: boolean): tf.Tensor2D;
  /**
   * The loss of the logits `forward` just returned, run on the same gradient tape; default the
   * cross-entropy with the labels (a method adds its own terms: OFA's distillation).
   */
  loss?(logits: tf.Tensor2D, labels: tf.Tensor1D, batch: number): tf.Scalar;
  /**
   * Runs before the weight step of each batch: DARTS's architecture step on a validation batch.
   * `train` is the batch the step trains on and its learning rate (second-order DARTS's virtual
   * step); its tensors are the service's, freed after the step.
   */
  before?(batch: number, train: TensorBatch & { readonly lr: number }): void | Promise<void>;
}

/** What an epoch of weight training measured. Accuracy in percent. */
export interface EpochStats {
  /** Mean training cross-entropy over the epoch's batches. */
  readonly loss: number;
  /** Accuracy (%) on the training batches as they were trained on. */
  readonly train_acc: number;
  /** Images the supernet has been trained and scored on so far in the run (training plus validation batches). */
  readonly images: number;
}

interface Loaded<S extends TrainableSupernet> {
  readonly dataset: Dataset;
  readonly data: TrainingData;
  readonly trainer: SupernetTrainer<S>;
  readonly backend: string;
}

interface Header {
  readonly format: typeof FORMAT;
  readonly epochs: number;
  readonly images: number;
  readonly val: readonly number[];
  readonly valOrder: readonly number[];
  readonly valCursor: number;
}

const FORMAT = 'archlab.supernet-service/1';

/**
 * A run's supernet of any kind (`S`) and what trains it: its SGD optimizer, the seeded
 * train/validation split of the data set's TRAINING images (its test images are never read) and
 * where the training order stands, all in its checkpoints. A one-shot strategy trains it in its
 * `ask` (`trainEpoch`, `validationBatch`); an estimator scores architectures with its weights.
 * Everything is seeded from the run's seed and the split seed. A kind says how its supernet is
 * made (`build`).
 */
export abstract class WeightSharingService<S extends TrainableSupernet> {
  readonly options: SupernetDataOptions;
  /** Name of the run's estimator. */
  readonly estimator: string;
  /** The run's seed: the supernet's initial weights, data order and fixed image sets derive from it. */
  readonly seed: number;
  private loading?: Promise<Loaded<S>>;
  private loaded?: Loaded<S>;
  private valRng: Rng;
  private valOrder: number[] = [];
  private valCursor = 0;
  private epochsDone = 0;
  private imagesSeen = 0;

  constructor(scope: RunScope, options: SupernetDataOptions) {
    const { config } = scope;
    this.options = options;
    this.estimator = config.estimator;
    this.seed = config.seed;
    this.valRng = Rng.fromSeed(`${config.seed}/supernet/validation`);
  }

  /** The supernet for a data set, its initial weights from `seed`. */
  protected abstract build(dataset: Dataset, seed: number): S;

  /** Epochs of weight training done. */
  get epochs(): number {
    return this.epochsDone;
  }

  /** Images trained on and scored so far (training and validation batches of the search). */
  get images(): number {
    return this.imagesSeen;
  }

  /** Loads the backend, the data set and the supernet (once); a missing data set is a DataError. */
  async ready(): Promise<Loaded<S>> {
    if (this.loaded) return this.loaded;
    this.loading ??= this.load();
    this.loaded = await this.loading;
    return this.loaded;
  }

  /** The supernet, once `ready`. */
  get supernet(): S {
    return this.need().trainer.supernet;
  }

  /** The data set and its split, once `ready`. */
  get data(): TrainingData {
    return this.need().data;
  }

  /** The backend the supernet computes on, once `ready` (a run resumes exactly only on the same one). */
  get backend(): string {
    return this.need().backend;
  }

  /**
   * One epoch of SGD on the weights over the training images, in a seeded order: for each batch
   * `plan.before`, then a step on the cross-entropy of `plan.forward`. A NaN or infinite loss is a
   * SupernetDivergedError before its step is applied.
   */
  async trainEpoch(plan: EpochPlan): Promise<EpochStats> {
    const { data, dataset, trainer } = await this.ready();
    const { 'batch-size': batchSize, lr } = this.options;
    const n = data.train.indices.length;
    const perEpoch = Math.ceil(n / batchSize);
    const epoch = this.epochsDone + 1;
    let lossSum = 0;
    let correct = 0;
    try {
      for (let b = 0; b < perEpoch; b++) {
        const picked = Array.from(trainer.nextBatch(n, batchSize), (i: number) => data.train.indices[i]!);
        const shape = plan.inputShape?.(b);
        const source = shape ? resizeTrainingData(data, shape) : data;
        const batch = this.tensors(source.dataset, source.train.split, picked);
        let hits: tf.Scalar | undefined;
        try {
          const start = plan.startEpoch ?? 0;
          const rate = cosineLearningRate(
            plan.lr ?? lr,
            (this.epochsDone - start) * perEpoch + b,
            plan.epochs * perEpoch,
          );
          await plan.before?.(b, { ...batch, lr: rate });
          const loss = trainer.step(() => {
            const logits = plan.forward(batch.x, b, true);
            hits = tf.keep(tf.sum<tf.Scalar>(tf.cast(tf.equal(tf.argMax(logits, 1), batch.y), 'float32')));
            return plan.loss
              ? plan.loss(logits, batch.y, b)
              : crossEntropy(logits, batch.y, dataset.numClasses);
          }, rate);
          lossSum += loss * batch.size;
          correct += (await hits!.data())[0]!;
        } finally {
          tf.dispose([batch.x, batch.y, hits]);
        }
      }
    } catch (err) {
      if (err instanceof TrainingDivergedError)
        throw new SupernetDivergedError(epoch, err.step, `training loss ${err.loss}`);
      // Half an epoch is applied to the weights: asking again would train on from there, so the
      // run stops (resume redoes the epoch from the last checkpoint).
      if (err instanceof RunHaltedError) throw err;
      throw new SupernetTrainingError(epoch, err);
    }
    this.epochsDone = epoch;
    this.imagesSeen += n;
    return { loss: lossSum / n, train_acc: (100 * correct) / n, images: this.imagesSeen };
  }

  /** The next validation batch (`batch-size` images), cycling through the validation split in a seeded order. */
  async validationBatch(): Promise<TensorBatch> {
    const { data, dataset } = await this.ready();
    const n = this.options['batch-size'];
    const indices: number[] = [];
    while (indices.length < n) {
      if (this.valCursor >= this.valOrder.length) {
        this.valOrder = this.valRng.shuffle(Array.from(data.val.indices));
        this.valCursor = 0;
      }
      const take = Math.min(n - indices.length, this.valOrder.length - this.valCursor);
      indices.push(...this.valOrder.slice(this.valCursor, this.valCursor + take));
      this.valCursor += take;
    }
    this.imagesSeen += indices.length;
    return this.tensors(dataset, data.val.split, indices);
  }

  /**
   * What `fn` returns, with the supernet's batch-norm statistics put back afterwards: scoring a
   * cell recalibrates them, and must change nothing a checkpoint holds, since a resumed run does
   * not score the trials before its crash again.
   */
  async keepingBatchNorm<T>(fn: (trainer: SupernetTrainer<S>) => Promise<T>): Promise<T> {
    const { trainer } = await this.ready();
    const saved = trainer.supernet.buffers.map((b) => tf.clone(b));
    try {
      return await fn(trainer);
    } finally {
      tf.tidy(() => {
        for (const [i, b] of trainer.supernet.buffers.entries()) b.assign(saved[i]!);
      });
      tf.dispose(saved);
    }
  }

  /** `count` validation images (the first of a seeded order), the same ones on every call. */
  fixedImages(samples: Samples, count: number, label: string): Samples {
    if (count <= 0 || count >= samples.indices.length) return samples;
    const rng = Rng.fromSeed(`${this.seed}/supernet/${label}`);
    const picked = rng.shuffle(Array.from(samples.indices)).slice(0, count);
    return { split: samples.split, indices: Uint32Array.from(picked).sort() };
  }

  /** sha256 (hex) of the weights, optimizer slots included. */
  async weightsHash(): Promise<string> {
    return (await this.ready()).trainer.weightsHash();
  }

  async snapshot(): Promise<Uint8Array> {
    const { trainer } = await this.ready();
    const header: Header = {
      format: FORMAT,
      epochs: this.epochsDone,
      images: this.imagesSeen,
      val: this.valRng.state(),
      valOrder: this.valOrder,
      valCursor: this.valCursor,
    };
    const head = new TextEncoder().encode(JSON.stringify(header));
    const body = await trainer.snapshot();
    const out = new Uint8Array(4 + head.byteLength + body.byteLength);
    new DataView(out.buffer).setUint32(0, head.byteLength, true);
    out.set(head, 4);
    out.set(body, 4 + head.byteLength);
    return out;
  }

  async restore(bytes: Uint8Array): Promise<void> {
    const { trainer } = await this.ready();
    const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length))) as Header;
    if (header.format !== FORMAT)
      throw new TypeError(`not a checkpoint of the supernet service (${header.format})`);
    await trainer.restore(bytes.subarray(4 + length));
    this.epochsDone = header.epochs;
    this.imagesSeen = header.images;
    this.valRng = Rng.fromState(header.val as [number, number, number, number]);
    this.valOrder = [...header.valOrder];
    this.valCursor = header.valCursor;
  }

  protected need(): Loaded<S> {
    if (!this.loaded) throw new Error('the supernet service is used before ready()');
    return this.loaded;
  }

  private async load(): Promise<Loaded<S>> {
    const o = this.options;
    const [backend, dataset] = await Promise.all([
      initBackend(o.backend as BackendChoice),
      loadDataset(o.dataset, { dataDir: o['data-dir'] }),
    ]);
    const trainImages = o['train-images'];
    const valImages = o['val-images'];
    if (trainImages + valImages > dataset.train.count) {
      throw new ConfigError(
        `the supernet's train-images (${trainImages}) and val-images (${valImages}) add up to more than the ${dataset.train.count} training images of ${dataset.name}`,
      );
    }
    const data = splitDataset(dataset, {
      valFraction: valImages / (trainImages + valImages),
      maxTrain: trainImages,
      seed: o['split-seed'],
    });
    const supernet = this.build(dataset, Rng.fromSeed(`${this.seed}/supernet/init`).nextUint32());
    const trainer = new SupernetTrainer(supernet, {
      optimizer: 'sgd',
      momentum: o.momentum,
      nesterov: false,
      weightDecay: o['weight-decay'],
      seed: Rng.fromSeed(`${this.seed}/supernet/trainer`).nextUint32(),
    });
    return { dataset, data, trainer, backend: backend.name };
  }

  private tensors(dataset: Dataset, split: Samples['split'], indices: readonly number[]): TensorBatch {
    const batch = makeBatch(dataset, split, indices);
    const [h, w, c] = dataset.imageShape;
    return {
      x: tf.tensor4d(batch.images, [batch.size, h, w, c]),
      y: tf.tensor1d(batch.labels, 'int32'),
      size: batch.size,
    };
  }
}

/**
 * The run's NAS-Bench-201 supernet (`RunService` `supernet`), shared by the one-shot strategies
 * (DARTS, GDAS, ENAS, SPOS) and the `oneshot` estimator. Its options are the strategy's
 * (`supernetOptionsSpec`), so a run whose strategy trains no supernet cannot have one.
 */
export class SupernetService extends WeightSharingService<Nb201Supernet> {
  override readonly options: SupernetOptions;
  readonly cells: Nb201Cells;

  constructor(scope: RunScope) {
    const { config } = scope;
    if (!trainsSupernet(config.strategyOptions)) {
      throw new ConfigError(
        `the oneshot estimator needs a strategy that trains the supernet (darts, gdas, beta-darts, spos, enas); strategy '${config.strategy}' trains none`,
      );
    }
    if (config.estimator === 'oneshot' && config.concurrency !== 1) {
      throw new ConfigError(
        `the oneshot estimator scores with the supernet the strategy trains between trials, one trial at a time; drop --concurrency ${config.concurrency}`,
      );
    }
    const options = supernetOptions(config.strategyOptions);
    super(scope, options);
    this.options = options;
    this.cells = nb201Cells(scope.space, 'the supernet');
  }

  /** A cell drawn uniformly (SPOS's path sampling), from the trainer's checkpointed rng. */
  samplePath(): CellPath {
    return this.need().trainer.samplePath();
  }

  protected build(dataset: Dataset, seed: number): Nb201Supernet {
    return new Nb201Supernet({
      channels: this.options.channels,
      cellsPerStage: this.options.cells,
      stemStride: this.options['stem-stride'],
      inputShape: dataset.imageShape,
      numClasses: dataset.numClasses,
      seed,
    });
  }
}

/**
 * `supernet`: the run's one supernet, shared by its one-shot strategy and the `oneshot` estimator.
 * A run with neither (random search with `train`, say) has none: nothing is made or checkpointed.
 */
export const supernetRunService: RunService<SupernetService | undefined> = {
  token: SupernetRun,
  name: 'supernet',
  create: (scope) =>
    trainsSupernet(scope.config.strategyOptions) || scope.config.estimator === 'oneshot'
      ? new SupernetService(scope)
      : undefined,
};
