import {
  type OptionValues,
  Rng,
  type RngState,
  type Strategy,
  type StrategyContext,
  type StrategyFactory,
} from '@archlab/core';
import {
  type CellPath,
  epochsOption,
  type Nb201Cells,
  nb201Cells,
  reportEpoch,
  SupernetDivergedError,
  SupernetRun,
  type SupernetService,
  supernetOptionsSpec,
  type TensorBatch,
} from '@archlab/oneshot';
import { Adam } from '@archlab/strategy-rl';
import { crossEntropy } from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { unrolledAlphaGradient } from './unrolled-gradient.js';

const EDGES = 6;
const OPS = 5;
/** none, skip_connect and avg_pool_3x3: the ops without weights DARTS collapses to. */
const PARAMETER_FREE = new Set([0, 1, 4]);

const common = {
  ...supernetOptionsSpec,
  epochs: epochsOption(
    10,
    'epochs of supernet and architecture training, one per trial (each proposes the derived cell)',
  ),
  'arch-lr': {
    type: 'number',
    default: 3e-4,
    min: 0,
    max: 1,
    description: 'learning rate of α (Adam, β = (0.5, 0.999), as in DARTS)',
  },
  'arch-weight-decay': {
    type: 'number',
    default: 1e-3,
    min: 0,
    max: 1,
    description: 'L2 penalty on α (as in DARTS)',
  },
} as const;

const dartsOptions = {
  ...common,
  order: {
    type: 'int',
    default: 1,
    min: 1,
    max: 2,
    description:
      "1: α's gradient at the current weights (first order); 2: at the weights after a virtual SGD step, with DARTS's finite-difference Hessian-vector product (second order, about 2–3× the time per epoch)",
  },
} as const;

const gdasOptions = {
  ...common,
  'tau-max': {
    type: 'number',
    default: 10,
    min: 1e-3,
    max: 1000,
    description: 'Gumbel-softmax temperature of the first epoch',
  },
  'tau-min': {
    type: 'number',
    default: 0.1,
    min: 1e-3,
    max: 1000,
    description: 'temperature of the last epoch (linear in between, as in GDAS)',
  },
} as const;

const betaOptions = {
  ...common,
  'beta-weight': {
    type: 'number',
    default: 50,
    min: 0,
    max: 1e6,
    description:
      "λ of β-DARTS's Beta-Decay regulariser λ·mean_edges(logsumexp α), rising linearly from 0 over the epochs to this",
  },
} as const;

type Method = 'darts' | 'gdas' | 'beta-darts';
type Options = OptionValues<typeof common> &
  Partial<OptionValues<typeof dartsOptions>> &
  Partial<OptionValues<typeof gdasOptions>> &
  Partial<OptionValues<typeof betaOptions>>;

interface Snapshot {
  readonly format: typeof FORMAT;
  readonly epoch: number;
  readonly alpha: readonly number[];
  readonly adam: { readonly step: number; readonly m: readonly number[]; readonly v: readonly number[] };
  readonly gumbel: RngState;
}

const FORMAT = 'archlab.darts/1';

/**
 * DARTS (Liu et al. 2019) and two of its relatives on the run's NAS-Bench-201 supernet: one α of
 * [6 edges, 5 ops] shared by every cell, trained bilevel: for each training batch, a step of α
 * (Adam) on the cross-entropy of a validation batch, then an SGD step of the weights on the
 * training batch, both through softmax(α)-weighted ops. One `ask` is one epoch: it records the
 * epoch (`Progressed`: loss, accuracies, images, softmax(α) as `alpha`) and proposes the derived
 * cell, each edge's argmax op. `darts` with `order` 2 takes α's step on the validation loss
 * after a virtual SGD step of the weights (`unrolledAlphaGradient`), DARTS's second order.
 *
 * - `gdas` (Dong & Yang 2019): each forward samples one op per edge by Gumbel-softmax of α at
 *   temperature τ (10 → 0.1, linear over the epochs) and computes only that op, its weight the
 *   hard one-hot with the soft sample's gradient (straight-through).
 * - `beta-darts`, the remedy for DARTS's collapse to parameter-free cells (skip, pool, none):
 *   β-DARTS (Ye et al. 2022) adds λ·mean over edges of logsumexp(α_edge) to the architecture
 *   loss. Chosen over DrNAS and DARTS-PT because it changes nothing but the α loss (no extra
 *   forward passes, no Dirichlet sampling, no post-hoc perturbation of every edge), and its
 *   published NAS-Bench-201 CIFAR-10 result is the best of them, with DrNAS's (94.36).
 *
 * α, Adam's moments and the Gumbel rng are the strategy's checkpoint; the weights, their
 * optimizer and the data order are the `supernet` service's.
 */
export class DartsStrategy<A> implements Strategy<A> {
  private readonly service: SupernetService;
  private readonly cells: Nb201Cells<A>;
  private alpha: Float32Array;
  private adam: Adam;
  private gumbel: Rng;
  private epoch = 0;

  constructor(
    private readonly method: Method,
    private readonly ctx: StrategyContext<A, Options>,
  ) {
    this.cells = nb201Cells(ctx.space, `strategy '${method}'`);
    this.service = ctx.services!.get<SupernetService>(SupernetRun);
    // DARTS's initialisation: 1e-3 · N(0, 1).
    const init = ctx.rng.fork('alpha');
    this.alpha = Float32Array.from({ length: EDGES * OPS }, () => 1e-3 * init.normal());
    this.adam = new Adam([EDGES * OPS], ctx.options['arch-lr'], 0.5, 0.999);
    this.gumbel = ctx.rng.fork('gumbel');
  }

  async ask(): Promise<A | undefined> {
    const o = this.ctx.options;
    if (this.epoch >= o.epochs) return undefined;
    const epoch = this.epoch + 1;
    const tau = this.tau(epoch);
    const lambda =
      this.method === 'beta-darts' ? ((o['beta-weight'] ?? 0) * (epoch - 1)) / Math.max(1, o.epochs - 1) : 0;
    let archLoss = 0;
    let archSteps = 0;
    const stats = await this.service.trainEpoch({
      epochs: o.epochs,
      before: async (batch, train) => {
        archLoss += await this.archStep(epoch, batch, tau, lambda, train);
        archSteps++;
      },
      forward: (x, _batch, training) => {
        const { w, only } = this.opWeights(tf.tensor2d(this.alpha, [EDGES, OPS]), tau);
        return this.service.supernet.applyWeighted(x, w, { training, ...(only && { only }) });
      },
    });
    this.epoch = epoch;
    const path = this.derived();
    await reportEpoch(
      this.ctx,
      epoch,
      stats,
      {
        arch_loss: archLoss / Math.max(1, archSteps),
        param_free_ops: path.filter((k) => PARAMETER_FREE.has(k)).length,
        ...(this.method === 'gdas' && { tau }),
        ...(this.method === 'beta-darts' && { beta_weight: lambda }),
      },
      { alpha: softmaxRows(this.alpha) },
    );
    return this.cells.fromPath(path);
  }

  tell(): void {
    // The derived cells' scores do not steer a gradient-based search.
  }

  snapshot(): Uint8Array {
    const adam = this.adam.state();
    const s: Snapshot = {
      format: FORMAT,
      epoch: this.epoch,
      alpha: [...this.alpha],
      adam: { step: adam.step, m: [...adam.m[0]!], v: [...adam.v[0]!] },
      gumbel: this.gumbel.state(),
    };
    return new TextEncoder().encode(JSON.stringify(s));
  }

  restore(bytes: Uint8Array): void {
    const s = JSON.parse(new TextDecoder().decode(bytes)) as Snapshot;
    if (s.format !== FORMAT || s.alpha.length !== EDGES * OPS) {
      throw new TypeError(`not a checkpoint of ${this.method} (${s.format})`);
    }
    this.epoch = s.epoch;
    this.alpha = Float32Array.from(s.alpha);
    this.adam.load({ step: s.adam.step, m: [Float64Array.from(s.adam.m)], v: [Float64Array.from(s.adam.v)] });
    this.gumbel = Rng.fromState(s.gumbel);
  }

  /** The derived cell: each edge's op of largest α. */
  derived(): CellPath {
    return Array.from({ length: EDGES }, (_, e) => {
      let best = 0;
      for (let k = 1; k < OPS; k++) if (this.alpha[e * OPS + k]! > this.alpha[e * OPS + best]!) best = k;
      return best;
    }) as unknown as CellPath;
  }

  /** GDAS's temperature at `epoch` (1-based): tau-max at the first, tau-min at the last. */
  private tau(epoch: number): number {
    const o = this.ctx.options;
    if (this.method !== 'gdas') return 1;
    const max = o['tau-max']!;
    const min = o['tau-min']!;
    return max - ((max - min) * (epoch - 1)) / Math.max(1, o.epochs - 1);
  }

  /**
   * The op weights of one forward pass as a function of α (a tensor, so gradients reach it):
   * softmax(α); for GDAS a Gumbel-softmax sample (`gumbelHardWeights`) and its ops (`only`).
   */
  private opWeights(alpha: tf.Tensor2D, tau: number): { w: tf.Tensor2D; only?: CellPath } {
    if (this.method !== 'gdas') return { w: tf.softmax(alpha) };
    const noise = Float32Array.from(
      { length: EDGES * OPS },
      () => -Math.log(-Math.log(uniformOpen(this.gumbel))),
    );
    return gumbelHardWeights(alpha, this.alpha, noise, tau);
  }

  /** One architecture step on a validation batch; returns its loss. */
  private async archStep(
    epoch: number,
    batch: number,
    tau: number,
    lambda: number,
    train: TensorBatch & { readonly lr: number },
  ): Promise<number> {
    const o = this.ctx.options;
    const { x, y } = await this.service.validationBatch();
    const supernet = this.service.supernet;
    const classes = supernet.numClasses;
    const lossOn =
      (images: tf.Tensor4D, labels: tf.Tensor1D, regularise: boolean) =>
      (alpha: tf.Tensor2D): tf.Scalar => {
        const { w, only } = this.opWeights(alpha, tau);
        const logits = supernet.applyWeighted(images, w, { training: true, ...(only && { only }) });
        // A GDAS sample whose cell reaches its output through no op leaves α out of the loss;
        // 0·Σα keeps it in the graph, so its gradient is 0 rather than an error.
        const loss = tf.add(crossEntropy(logits, labels, classes), tf.mul(tf.sum(alpha), 0));
        if (lambda === 0 || !regularise) return loss as tf.Scalar;
        return tf.add(loss, betaDecay(alpha, lambda)) as tf.Scalar;
      };
    try {
      let loss: ArrayLike<number>;
      let g: ArrayLike<number>;
      if ((o.order ?? 1) === 2) {
        // Its extra forward passes change neither the weights nor batch norm's statistics.
        const unrolled = unrolledAlphaGradient(supernet, this.alpha, [EDGES, OPS], {
          xi: train.lr,
          weightDecay: o['weight-decay'],
          train: lossOn(train.x, train.y, false),
          val: lossOn(x, y, true),
        });
        loss = [unrolled.loss];
        g = unrolled.grad;
      } else {
        const { value, grad } = tf.tidy(() =>
          tf.valueAndGrad(lossOn(x, y, true))(tf.tensor2d(this.alpha, [EDGES, OPS])),
        );
        [loss, g] = await Promise.all([value.data(), grad.data()]);
        tf.dispose([value, grad]);
      }
      if (!Number.isFinite(loss[0]!))
        throw new SupernetDivergedError(epoch, batch, `architecture loss ${loss[0]}`);
      const wd = o['arch-weight-decay'];
      const step = Float64Array.from(g, (v, i) => v + wd * this.alpha[i]!);
      this.adam.apply([this.alpha], [step]);
      if (!this.alpha.every(Number.isFinite))
        throw new SupernetDivergedError(epoch, batch, 'α is not finite');
      return loss[0]!;
    } finally {
      tf.dispose([x, y]);
    }
  }
}

/**
 * GDAS's op weights: with Gumbel noise `noise` ([6·5]), the soft sample
 * p = softmax((log softmax(α) + noise) / τ) per edge; the weights are the one-hot of each edge's
 * argmax in value, with p's gradient (straight-through: one-hot − p̄ + p, p̄ a constant), and
 * `only` the chosen ops. `alpha` is the tensor gradients flow to, `values` the same numbers.
 */
export function gumbelHardWeights(
  alpha: tf.Tensor2D,
  values: Float32Array,
  noise: Float32Array,
  tau: number,
): { w: tf.Tensor2D; only: CellPath } {
  // The sample computed once in plain numbers: its argmax, and the value the straight-through
  // term subtracts (the gradient then comes from the tensor copy alone).
  const soft = new Float32Array(EDGES * OPS);
  const only: number[] = [];
  for (let e = 0; e < EDGES; e++) {
    const row = Array.from({ length: OPS }, (_, k) => values[e * OPS + k]!);
    const lse = logSumExp(row);
    const p = softmax(row.map((v, k) => (v - lse + noise[e * OPS + k]!) / tau));
    soft.set(p, e * OPS);
    only.push(p.indexOf(Math.max(...p)));
  }
  // oneHot's own values are not used: tfjs-backend-wasm fills a float32 one-hot with int32 bits.
  const hard = tf.cast(tf.oneHot(tf.tensor1d(only, 'int32'), OPS), 'float32') as tf.Tensor2D;
  const probs = tf.softmax(
    tf.div(tf.add(tf.logSoftmax(alpha), tf.tensor2d(noise, [EDGES, OPS])), tau),
  ) as tf.Tensor2D;
  return {
    w: tf.add(hard, tf.sub(probs, tf.tensor2d(soft, [EDGES, OPS]))),
    only: only as unknown as CellPath,
  };
}

/** β-DARTS's Beta-Decay regulariser: λ · mean over edges of logsumexp(α_edge). */
export function betaDecay(alpha: tf.Tensor2D, lambda: number): tf.Scalar {
  return tf.mul(tf.mean(tf.logSumExp(alpha, 1)), lambda);
}

/** A uniform draw in (0, 1): never 0, so the Gumbel noise stays finite. */
function uniformOpen(rng: Rng): number {
  return (rng.nextUint32() + 0.5) / 2 ** 32;
}

function logSumExp(row: readonly number[]): number {
  const max = Math.max(...row);
  return max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
}

function softmax(row: readonly number[]): number[] {
  const lse = logSumExp(row);
  return row.map((v) => Math.exp(v - lse));
}

/** softmax(α) of each edge, flattened edge by edge: what a Progressed's `alpha` records. */
export function softmaxRows(alpha: Float32Array): Float64Array {
  const out = new Float64Array(alpha.length);
  for (let e = 0; e < EDGES; e++) {
    softmax(Array.from(alpha.subarray(e * OPS, (e + 1) * OPS))).forEach((v, k) => {
      out[e * OPS + k] = v;
    });
  }
  return out;
}

function factory(
  method: Method,
  description: string,
  options: typeof dartsOptions | typeof gdasOptions | typeof betaOptions,
): StrategyFactory {
  return {
    name: method,
    description,
    options,
    requires: ['encoding'],
    checkpointEvery: 1,
    create: (ctx) => new DartsStrategy(method, ctx as StrategyContext<unknown, Options>),
  };
}

export const dartsStrategyFactory = factory(
  'darts',
  "DARTS (Liu et al. 2019): bilevel gradient descent on softmax-weighted ops of the run's NB201 supernet; proposes each epoch's derived cell",
  dartsOptions,
);
export const gdasStrategyFactory = factory(
  'gdas',
  'GDAS (Dong & Yang 2019): DARTS with one Gumbel-softmax-sampled op per edge (straight-through), τ from 10 to 0.1',
  gdasOptions,
);
export const betaDartsStrategyFactory = factory(
  'beta-darts',
  "β-DARTS (Ye et al. 2022): DARTS with the Beta-Decay regulariser on α, a remedy for DARTS's collapse to parameter-free cells",
  betaOptions,
);
