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
  type Nb201Cells,
  nb201Cells,
  reportEpoch,
  SupernetRun,
  type SupernetService,
  supernetOptionsSpec,
} from '@archlab/oneshot';
import { Adam, type Episode, LstmPolicy } from '@archlab/strategy-rl';
import { onCpu } from '@archlab/tfjs-cpu';
import * as tf from '@tensorflow/tfjs-core';

const options = {
  ...supernetOptionsSpec,
  epochs: {
    type: 'int',
    default: 10,
    min: 1,
    max: 10000,
    description: 'epochs of shared-weight and controller training, one per trial (each proposes a cell)',
  },
  'controller-steps': {
    type: 'int',
    default: 10,
    min: 1,
    max: 10000,
    description: 'controller updates after each epoch of the shared weights',
  },
  'controller-batch': {
    type: 'int',
    default: 5,
    min: 1,
    max: 1000,
    description: 'cells sampled per controller update, each rewarded with its accuracy on a validation batch',
  },
  'controller-lr': {
    type: 'number',
    default: 1e-3,
    min: 0,
    max: 1,
    description: "the controller's Adam step size",
  },
  'entropy-weight': {
    type: 'number',
    default: 1e-4,
    min: 0,
    max: 1,
    description: "weight of the controller's entropy bonus",
  },
  'baseline-decay': {
    type: 'number',
    default: 0.99,
    min: 0,
    max: 0.9999,
    description: 'decay of the moving-average reward baseline',
  },
  candidates: {
    type: 'int',
    default: 10,
    min: 1,
    max: 1000,
    description: 'cells sampled at the end of each epoch; the best on a validation batch is proposed',
  },
  hidden: { type: 'int', default: 32, min: 4, max: 256, description: "the controller's LSTM hidden size" },
  temperature: {
    type: 'number',
    default: 5,
    min: 0.01,
    max: 100,
    description: "the controller's sampling temperature",
  },
  'tanh-constant': {
    type: 'number',
    default: 2.5,
    min: 0,
    max: 100,
    description: "bound of the controller's logits (C·tanh; 0: unbounded)",
  },
} as const;

type EnasOptions = OptionValues<typeof options>;

interface Snapshot {
  readonly format: typeof FORMAT;
  readonly epoch: number;
  readonly params: readonly (readonly number[])[];
  readonly adam: { readonly step: number; readonly m: readonly number[][]; readonly v: readonly number[][] };
  readonly rng: RngState;
  readonly baseline: number | null;
}

const FORMAT = 'archlab.enas/1';
const EDGES = 6;
const OPS = 5;

/**
 * ENAS (Pham et al. 2018) on the run's NAS-Bench-201 supernet, with the NAS-RL controller of
 * `@archlab/strategy-rl` (an LSTM choosing each edge's op in turn). One `ask` is one epoch:
 * the shared weights train for an epoch, each batch on a cell the controller samples; then
 * `controller-steps` REINFORCE updates of the controller (Adam, moving-average baseline, entropy
 * bonus), each on `controller-batch` sampled cells rewarded with their accuracy on a validation
 * batch with the shared weights (batch statistics in batch norm, as while training); then it
 * proposes the best of `candidates` sampled cells on one validation batch. The controller
 * computes on tfjs's `cpu` backend (`onCpu`), bit-exact for resume; its weights, Adam's moments,
 * the baseline and its rng are the strategy's checkpoint.
 */
export class EnasStrategy<A> implements Strategy<A> {
  private readonly service: SupernetService;
  private readonly cells: Nb201Cells<A>;
  private readonly policy: LstmPolicy;
  private readonly adam: Adam;
  private rng: Rng;
  private baseline: number | undefined;
  private epoch = 0;

  constructor(private readonly ctx: StrategyContext<A, EnasOptions>) {
    const o = ctx.options;
    this.cells = nb201Cells(ctx.space, "strategy 'enas'");
    this.service = ctx.services!.get<SupernetService>(SupernetRun);
    this.rng = ctx.rng.fork('controller');
    this.policy = new LstmPolicy(
      {
        choices: Array.from({ length: EDGES }, () => OPS),
        hidden: o.hidden,
        temperature: o.temperature,
        tanhConstant: o['tanh-constant'],
      },
      ctx.rng.fork('controller-init'),
    );
    this.adam = new Adam(
      this.policy.params.map((p) => p.values.length),
      o['controller-lr'],
    );
  }

  async ask(): Promise<A | undefined> {
    const o = this.ctx.options;
    if (this.epoch >= o.epochs) return undefined;
    const epoch = this.epoch + 1;
    const net = this.service;
    const stats = await net.trainEpoch({
      epochs: o.epochs,
      forward: (x, _batch, training) => net.supernet.applyPath(x, this.sample().path, { training }),
    });
    let rewardSum = 0;
    for (let step = 0; step < o['controller-steps']; step++) {
      const episodes = Array.from({ length: o['controller-batch'] }, () => this.sample());
      const rewards: number[] = [];
      for (const e of episodes) rewards.push(await this.reward(e.path));
      rewardSum += rewards.reduce((a, b) => a + b, 0);
      this.update(
        episodes.map((e) => e.episode),
        rewards,
      );
    }
    let best: { path: CellPath; acc: number } | undefined;
    for (let i = 0; i < o.candidates; i++) {
      const { path } = this.sample();
      const acc = await this.reward(path);
      if (!best || acc > best.acc) best = { path, acc };
    }
    this.epoch = epoch;
    // Images so far include the validation batches the controller was rewarded on.
    await reportEpoch(
      this.ctx,
      epoch,
      { ...stats, images: net.images },
      {
        reward: rewardSum / (o['controller-steps'] * o['controller-batch']),
        baseline: this.baseline ?? 0,
        proposed_acc: best!.acc,
      },
    );
    return this.cells.fromPath(best!.path);
  }

  tell(): void {
    // ENAS's controller learns from validation batches with the shared weights, not from trials.
  }

  snapshot(): Uint8Array {
    const adam = this.adam.state();
    const s: Snapshot = {
      format: FORMAT,
      epoch: this.epoch,
      params: this.policy.params.map((p) => [...p.values]),
      adam: { step: adam.step, m: adam.m.map((a) => [...a]), v: adam.v.map((a) => [...a]) },
      rng: this.rng.state(),
      baseline: this.baseline ?? null,
    };
    return new TextEncoder().encode(JSON.stringify(s));
  }

  restore(bytes: Uint8Array): void {
    const s = JSON.parse(new TextDecoder().decode(bytes)) as Snapshot;
    if (s.format !== FORMAT || s.params.length !== this.policy.params.length) {
      throw new TypeError(`not a checkpoint of enas (${s.format})`);
    }
    for (const [i, p] of this.policy.params.entries()) p.values.set(s.params[i]!);
    this.policy.invalidate();
    this.adam.load({
      step: s.adam.step,
      m: s.adam.m.map((a) => Float64Array.from(a)),
      v: s.adam.v.map((a) => Float64Array.from(a)),
    });
    this.rng = Rng.fromState(s.rng);
    this.baseline = s.baseline ?? undefined;
    this.epoch = s.epoch;
  }

  dispose(): void {
    this.policy.dispose();
  }

  private sample(): { episode: Episode; path: CellPath } {
    const episode = onCpu(() => this.policy.sample(this.rng, () => []));
    return { episode, path: episode.choices as unknown as CellPath };
  }

  /** Accuracy (%) of `path` with the shared weights on the next validation batch. */
  private async reward(path: CellPath): Promise<number> {
    const { x, y, size } = await this.service.validationBatch();
    try {
      const hits = tf.tidy(() =>
        tf.sum(
          tf.cast(
            tf.equal(tf.argMax(this.service.supernet.applyPath(x, path, { training: true }), 1), y),
            'float32',
          ),
        ),
      );
      const correct = (await hits.data())[0]!;
      hits.dispose();
      return (100 * correct) / size;
    } finally {
      tf.dispose([x, y]);
    }
  }

  /** One REINFORCE step: advantage = reward − baseline (a moving average, initialised with the first batch's mean). */
  private update(episodes: readonly Episode[], rewards: readonly number[]): void {
    const o = this.ctx.options;
    const baseline = this.baseline ?? rewards.reduce((a, b) => a + b, 0) / rewards.length;
    const advantages = rewards.map((r) => (r - baseline) / 100);
    onCpu(() => {
      const { grads } = this.policy.gradients(
        episodes,
        (logProb, entropy) =>
          tf.neg(
            tf.add(
              tf.mean(tf.mul(tf.tensor1d(advantages), logProb)),
              tf.mul(tf.mean(entropy), o['entropy-weight']),
            ),
          ) as tf.Scalar,
      );
      this.adam.apply(
        this.policy.params.map((p) => p.values),
        grads,
      );
      this.policy.invalidate();
    });
    let b = baseline;
    for (const r of rewards) b = o['baseline-decay'] * b + (1 - o['baseline-decay']) * r;
    this.baseline = b;
  }
}

export const enasStrategyFactory: StrategyFactory = {
  name: 'enas',
  description:
    "ENAS (Pham et al. 2018): an LSTM controller samples cells of the run's NB201 supernet, trained by REINFORCE on validation accuracy with the shared weights",
  options,
  requires: ['encoding'],
  checkpointEvery: 1,
  create: (ctx) => new EnasStrategy(ctx as StrategyContext<unknown, EnasOptions>),
};
