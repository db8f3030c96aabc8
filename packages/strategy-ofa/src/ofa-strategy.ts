import {
  ConfigError,
  type Constraint,
  constraintText,
  type HardwareModel,
  InvalidOptionError,
  type Metrics,
  Rng,
  type RngState,
  RunHardware,
  type Strategy,
  type StrategyContext,
  type StrategyFactory,
  satisfies,
  type TrialResult,
} from '@archlab/core';
import { reportEpoch } from '@archlab/oneshot';
import type { Mbv3Arch, Mbv3Block } from '@archlab/space-mbv3';
import { regularizedEvolutionFactory } from '@archlab/strategy-evolution';
import { crossEntropy } from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { OFA_PHASES, type OfaOptions, type OfaPhase, ofaOptionsSpec } from './ofa-options.js';
import { OFA_ESTIMATOR, OfaRun, type OfaService } from './ofa-service.js';
import { SubnetPredictor } from './subnet-predictor.js';

interface Measured {
  readonly key: string;
  readonly acc: number;
}

interface Snapshot {
  readonly format: typeof FORMAT;
  readonly phase: number;
  readonly phaseEpochs: number;
  readonly epochs: number;
  readonly reports: number;
  readonly trainingTold: number;
  readonly proposals: RngState;
  readonly measuring: RngState;
  readonly asked: number;
  readonly measured: readonly Measured[];
  readonly lost: number;
  readonly picks: number;
}

const FORMAT = 'archlab.ofa/1';

/** The latency metric budgets are read against. */
const LATENCY = 'latency_ms';

/**
 * Once-for-All (Cai et al. 2020) on the run's mbv3 space. Training: progressive shrinking of the
 * run's OFA supernet (`ofa-supernet`), one epoch per ask, phase by phase:
 * - `full`: the largest subnet only (the largest kernel, depth and expand ratio) at a drawn
 *   resolution; at its end its weights become the frozen teacher;
 * - `kernel`: a kernel drawn per block; `depth`: also a depth per stage; `expand`: channels
 *   sorted by importance first, then also an expand ratio per block.
 * Each step draws its resolution, then one subnet of the phase's choices (`subnets-per-step` after
 * the full phase, sharing the batch, their losses summed as the reference's gradients accumulate)
 * with the supernet's checkpointed rng; a subnet's loss is the cross-entropy plus, after the full phase,
 * `kd-weight`·T²·KL(teacher ‖ student) at temperature T (`kd-temperature`; the reference uses
 * weight 1 and T 1). Each phase has its own cosine learning rate and a fresh optimizer state, as
 * the reference's separate runs do. Each training ask proposes a random subnet, scored by the
 * supernet as it is then (the log shows inherited accuracy rising).
 *
 * Search: `predictor-samples` random subnets are measured (the `ofa-subnet` estimator: inherited
 * accuracy after BN recalibration) as trials; a ridge predictor is fitted on them; for each
 * latency budget (`budgets`, or the run's constraints) a regularized evolution over the
 * predictor, costing candidates with the run's hardware models (`--hardware lut`), picks the
 * subnet it predicts best under the budget, which is proposed and measured as a trial.
 */
export class OfaStrategy implements Strategy<Mbv3Arch> {
  private readonly service: OfaService;
  private readonly hardware: readonly HardwareModel[];
  private readonly budgets: readonly (readonly Constraint[])[];
  private phase = 0;
  /** Epochs done in the current phase; -1 before the phase has begun (sorting, teacher, optimizer). */
  private phaseEpochs = -1;
  private epochs = 0;
  private reports = 0;
  private trainingTold = 0;
  private proposals: Rng;
  private measuring: Rng;
  /** Measurement trials asked so far. */
  private asked = 0;
  private measured: Measured[] = [];
  /** Measurement trials that gave no accuracy (pruned by the run's constraints, failed). */
  private lost = 0;
  private picks = 0;
  private readonly costs = new Map<string, Metrics>();

  constructor(private readonly ctx: StrategyContext<Mbv3Arch, OfaOptions>) {
    this.service = ctx.services!.get<OfaService>(OfaRun);
    if (this.service.estimator !== OFA_ESTIMATOR) {
      throw new ConfigError(
        `strategy 'ofa' measures subnets by their inherited accuracy: run it with --estimator ${OFA_ESTIMATOR}, not '${this.service.estimator}'`,
      );
    }
    this.hardware = ctx.services!.has(RunHardware)
      ? ctx.services!.get<readonly HardwareModel[]>(RunHardware)
      : [];
    this.budgets = parseBudgets(ctx.options.budgets, ctx.constraints ?? []);
    if (ctx.options.budgets.trim() !== '' && !this.hardware.some((h) => h.metrics.includes(LATENCY))) {
      throw new ConfigError(
        `strategy 'ofa' picks subnets under latency budgets: add a hardware model that gives ${LATENCY} (--hardware lut, from archlab profile-device --space mbv3)`,
      );
    }
    if (ctx.options.sampleSize > ctx.options.population) {
      throw new InvalidOptionError(
        `strategy 'ofa': sampleSize must be ≤ population (${ctx.options.population}), got ${ctx.options.sampleSize}`,
      );
    }
    this.proposals = ctx.rng.fork('proposals');
    this.measuring = ctx.rng.fork('measuring');
  }

  async ask(): Promise<Mbv3Arch | undefined> {
    const { space, options: o } = this.ctx;
    if (this.phase < OFA_PHASES.length) {
      await this.trainEpoch();
      return space.sample(this.proposals);
    }
    if (this.asked < o['predictor-samples']) {
      this.asked++;
      return space.sample(this.measuring);
    }
    if (this.picks < this.budgets.length) {
      const arch = await this.pick(this.picks++);
      this.service.markPicked(space.key(arch));
      return arch;
    }
    return undefined;
  }

  tell(result: TrialResult<Mbv3Arch>): void {
    if (result.seeded) return;
    // The engine tells results in the order it asked (one trial at a time).
    if (this.trainingTold < this.epochs) {
      this.trainingTold++;
      return;
    }
    if (this.measured.length + this.lost < this.asked) {
      const acc = result.metrics?.ofa_acc;
      if (result.status === 'completed' && typeof acc === 'number' && Number.isFinite(acc))
        this.measured.push({ key: result.key, acc });
      else this.lost++;
    }
  }

  snapshot(): Uint8Array {
    const s: Snapshot = {
      format: FORMAT,
      phase: this.phase,
      phaseEpochs: this.phaseEpochs,
      epochs: this.epochs,
      reports: this.reports,
      trainingTold: this.trainingTold,
      proposals: this.proposals.state(),
      measuring: this.measuring.state(),
      asked: this.asked,
      measured: this.measured,
      picks: this.picks,
      lost: this.lost,
    };
    return new TextEncoder().encode(JSON.stringify(s));
  }

  restore(bytes: Uint8Array): void {
    const s = JSON.parse(new TextDecoder().decode(bytes)) as Snapshot;
    if (s.format !== FORMAT) throw new TypeError(`not a checkpoint of ofa (${s.format})`);
    this.phase = s.phase;
    this.phaseEpochs = s.phaseEpochs;
    this.epochs = s.epochs;
    this.reports = s.reports;
    this.trainingTold = s.trainingTold;
    this.proposals = Rng.fromState(s.proposals);
    this.measuring = Rng.fromState(s.measuring);
    this.asked = s.asked;
    this.measured = [...s.measured];
    this.picks = s.picks;
    this.lost = s.lost;
  }

  /** Trains the current phase's next epoch, beginning the phase first when it has not begun. */
  private async trainEpoch(): Promise<void> {
    const o = this.ctx.options;
    const service = this.service;
    const { trainer, dataset } = await service.ready();
    const supernet = trainer.supernet;
    const epochsOf = (p: OfaPhase) => o[`${p}-epochs`];
    const phase = OFA_PHASES[this.phase]!;
    if (this.phaseEpochs < 0) {
      // The phase begins: the teacher is the full network as trained; channels are sorted
      // before the expand phase; each phase starts with a fresh optimizer state.
      if (phase !== 'full') supernet.freezeTeacher();
      if (phase === 'expand') supernet.sortChannels();
      trainer.resetOptimizer();
      this.phaseEpochs = 0;
      await reportEpoch(
        this.ctx,
        ++this.reports,
        { loss: 0, train_acc: 0, images: service.images },
        { phase: this.phase, phase_start: 1, phase_epochs: epochsOf(phase), lr: this.lr(phase) },
      );
    }
    const channels = dataset.imageShape[2];
    const { 'kd-weight': kdWeight, 'kd-temperature': t } = o;
    // The full phase trains one network; after it, `subnets-per-step` subnets share each batch.
    const perStep = phase === 'full' ? 1 : o['subnets-per-step'];
    let subnets: Mbv3Arch[] = [];
    let images: tf.Tensor4D | undefined;
    let others: tf.Tensor2D[] = [];
    let kdSum = 0;
    let kdTerms = 0;
    const stats = await service.trainEpoch({
      epochs: epochsOf(phase),
      startEpoch: this.epochs - this.phaseEpochs,
      lr: this.lr(phase),
      inputShape: () => {
        const resolution = this.drawResolution(trainer.rng);
        subnets = Array.from({ length: perStep }, () => this.draw(phase, trainer.rng, resolution));
        return [resolution, resolution, channels];
      },
      forward: (x, _b, training) => {
        images = x;
        // The first subnet's logits are the step's (its training accuracy); the others' losses join the sum.
        others = subnets.slice(1).map((s) => supernet.apply(x, s, { training }));
        return supernet.apply(x, subnets[0]!, { training });
      },
      loss: (logits, labels) => {
        const all = [logits, ...others];
        const ce = all.map((l) => crossEntropy(l, labels, dataset.numClasses));
        if (phase === 'full' || kdWeight === 0) return tf.addN(ce) as tf.Scalar;
        // The teacher's weights are not trained (buffers): no gradient flows into its logits.
        const teacher = supernet.applyTeacher(images!);
        const kd = all.map((l) => tf.mul(distillation(l, teacher, t), kdWeight) as tf.Scalar);
        const kdTotal = tf.addN(kd);
        kdSum += kdTotal.dataSync()[0]!;
        kdTerms += all.length;
        return tf.add(tf.addN(ce), kdTotal) as tf.Scalar;
      },
    });
    this.phaseEpochs++;
    this.epochs++;
    // The step's loss is the sum over its subnets: the report gives the mean per subnet.
    await reportEpoch(
      this.ctx,
      ++this.reports,
      perStep === 1 ? stats : { ...stats, loss: stats.loss / perStep },
      {
        phase: this.phase,
        epoch: this.epochs,
        phase_epoch: this.phaseEpochs,
        ...(kdTerms > 0 && { kd: kdSum / kdTerms }),
      },
    );
    if (this.phaseEpochs >= epochsOf(phase)) {
      // On to the next phase with epochs (a phase of 0 epochs is skipped, teacher and sorting too).
      do {
        this.phase++;
      } while (this.phase < OFA_PHASES.length && epochsOf(OFA_PHASES[this.phase]!) === 0);
      this.phaseEpochs = -1;
    }
  }

  private lr(phase: OfaPhase): number {
    return phase === 'full' ? this.ctx.options.lr : this.ctx.options['shrink-lr'];
  }

  /** A training step's input resolution, drawn from the space's (always elastic). */
  private drawResolution(rng: Rng): number {
    const { resolutions } = this.service.shape;
    return resolutions[rng.int(resolutions.length)]!;
  }

  /** A subnet of the phase's choices at `resolution`: kernel, depth and expand ratio elastic in turn. */
  private draw(phase: OfaPhase, rng: Rng, resolution: number): Mbv3Arch {
    const shape = this.service.shape;
    const at = OFA_PHASES.indexOf(phase);
    const pick = <T>(list: readonly T[], elastic: boolean): T =>
      elastic ? list[rng.int(list.length)]! : list.at(-1)!;
    const stages = shape.widths.map(() => {
      const depth = pick(shape.depths, at >= 2);
      return Array.from(
        { length: depth },
        (): Mbv3Block => ({ kernel: pick(shape.kernels, at >= 1), expand: pick(shape.expands, at >= 3) }),
      );
    });
    return { resolution, stages };
  }

  /** The subnet the predictor rates best under budget `i`, by a regularized evolution over it. */
  private async pick(i: number): Promise<Mbv3Arch> {
    const { space, options: o, rng } = this.ctx;
    const constraints = this.budgets[i]!;
    const predictor = SubnetPredictor.fit(
      space.encoding!,
      this.measured.map((m) => ({ arch: space.parse(m.key), acc: m.acc })),
    );
    const evolution = regularizedEvolutionFactory.create({
      ...this.ctx,
      rng: rng.fork(`search/${i}`),
      options: { population: o.population, sampleSize: o.sampleSize, dedupe: true },
    }) as Strategy<Mbv3Arch>;
    let best: { arch: Mbv3Arch; predicted: number } | undefined;
    let fastest = Number.POSITIVE_INFINITY;
    for (let step = 0; step < o['search-steps']; step++) {
      const arch = await evolution.ask();
      if (arch === undefined) break;
      const key = space.key(arch);
      const costs = await this.cost(arch, key);
      if (costs[LATENCY] !== undefined) fastest = Math.min(fastest, costs[LATENCY]);
      // A constraint on a metric no cheap hardware model gives (the estimator's) is the engine's to check.
      const feasible = constraints.every(
        (c) => costs[c.metric] === undefined || satisfies(c, costs[c.metric]!),
      );
      const predicted = predictor.predict(arch);
      if (feasible && (!best || predicted > best.predicted)) best = { arch, predicted };
      await evolution.tell({
        trialId: step,
        arch,
        key,
        status: 'completed',
        score: feasible ? predicted : Number.NaN,
      });
    }
    if (!best) {
      // None of those looked at fits: the fastest subnet of the run's table, when it does (a
      // budget it cannot meet was refused before the run), so a budget the device meets gets a pick.
      const floor = await this.fastestSubnet();
      if (floor) {
        const costs = await this.cost(floor, space.key(floor));
        if (costs[LATENCY] !== undefined) fastest = Math.min(fastest, costs[LATENCY]);
        if (constraints.every((c) => costs[c.metric] === undefined || satisfies(c, costs[c.metric]!)))
          return floor;
      }
      throw new ConfigError(
        `no subnet meets ${constraints.map(constraintText).join(' and ')}${Number.isFinite(fastest) ? `: the fastest of the ${o['search-steps']} looked at takes ${fastest.toFixed(3)} ms` : ''}; raise the budget`,
      );
    }
    return best.arch;
  }

  /** The fastest subnet a hardware model of the run names (a lookup table's floor), if one does. */
  private async fastestSubnet(): Promise<Mbv3Arch | undefined> {
    for (const h of this.hardware) {
      const floor = (await h.floors?.())?.find((f) => f.metric === LATENCY && f.arch !== undefined);
      if (floor) return this.ctx.space.parse(floor.arch!);
    }
    return undefined;
  }

  /** What the run's cheap hardware models give for `arch` (the gates' costs); memoised by key. */
  private async cost(arch: Mbv3Arch, key: string): Promise<Metrics> {
    let metrics = this.costs.get(key);
    if (!metrics) {
      metrics = {};
      for (const h of this.hardware) if (h.cheap) metrics = { ...metrics, ...(await h.cost(arch)) };
      this.costs.set(key, metrics);
    }
    return metrics;
  }
}

/** `T²·KL(softmax(teacher/T) ‖ softmax(student/T))`, the mean over the batch. */
export function distillation(student: tf.Tensor2D, teacher: tf.Tensor, t: number): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.softmax(tf.div(teacher, t));
    const logP = tf.logSoftmax(tf.div(teacher, t));
    const logQ = tf.logSoftmax(tf.div(student, t));
    return tf.mul(tf.mean(tf.sum(tf.mul(p, tf.sub(logP, logQ)), 1)), t * t) as tf.Scalar;
  });
}

/**
 * The constraints of each pick: one per budget of `budgets` (`latency_ms<=b`, on top of the
 * run's constraints on other metrics), or, without budgets, the run's constraints as one pick.
 */
export function parseBudgets(budgets: string, constraints: readonly Constraint[]): (readonly Constraint[])[] {
  const text = budgets.trim();
  if (text === '') return [constraints];
  const others = constraints.filter((c) => c.metric !== LATENCY);
  return text.split(',').map((part) => {
    const bound = Number(part.trim());
    if (part.trim() === '' || !Number.isFinite(bound) || bound <= 0) {
      throw new InvalidOptionError(
        `strategy 'ofa': budgets is latency budgets in ms, comma-separated, each > 0 (e.g. 5,8,12); got '${part.trim()}' in '${budgets}'`,
      );
    }
    return [...others, { metric: LATENCY, op: '<=', bound }];
  });
}

export const ofaStrategyFactory: StrategyFactory = {
  name: 'ofa',
  description:
    'Once-for-All (Cai et al. 2020): progressive shrinking of an elastic mbv3 supernet with distillation, then subnets picked per latency budget by evolution over an accuracy predictor (estimator ofa-subnet)',
  options: ofaOptionsSpec,
  requires: ['encoding', 'mutate'],
  checkpointEvery: 1,
  // A budget below the fastest subnet on the run's table is refused before the run, as --constraint is.
  searchConstraints: (options) => parseBudgets(String(options.budgets ?? ''), []).flat(),
  create: (ctx) => new OfaStrategy(ctx as StrategyContext<Mbv3Arch, OfaOptions>),
};
