import {
  InvalidOptionError,
  type OptionValues,
  Rng,
  type RngState,
  type SearchSpace,
  type SpaceEncoding,
  type Strategy,
  type StrategyContext,
  type TrialResult,
} from '@archlab/core';
import { onCpu } from '@archlab/tfjs-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from './adam.js';
import { ChoiceTree } from './choice-tree.js';
import { type Episode, type EpisodeLoss, LstmPolicy } from './lstm-policy.js';

/** The options of the `rl` strategy (validated by the core; cross-option checks in `RlStrategy`). */
export const rlOptions = {
  algorithm: {
    type: 'enum',
    default: 'reinforce',
    values: ['reinforce', 'ppo'],
    description: "policy update: 'reinforce' (Zoph & Le) or 'ppo' (clipped surrogate, as NASNet)",
  },
  learningRate: { type: 'number', default: 0.1, min: 0, description: 'Adam step size (> 0)' },
  batchSize: {
    type: 'int',
    default: 10,
    min: 1,
    max: 1000,
    description: 'architectures per policy update',
  },
  baselineDecay: {
    type: 'number',
    default: 0.9,
    min: 0,
    max: 1,
    description: 'decay of the exponential moving-average reward baseline (< 1)',
  },
  entropyWeight: {
    type: 'number',
    default: 0.001,
    min: 0,
    description: 'weight of the policy entropy bonus in the loss',
  },
  normalize: {
    type: 'boolean',
    default: true,
    description: 'divide advantages by a moving estimate of the reward spread',
  },
  hidden: { type: 'int', default: 32, min: 4, max: 256, description: 'LSTM hidden size' },
  temperature: { type: 'number', default: 1, min: 0, description: 'softmax temperature of the logits (> 0)' },
  tanhConstant: {
    type: 'number',
    default: 0,
    min: 0,
    description: 'bound the logits to ±C with C·tanh(logits); 0 leaves them unbounded',
  },
  clip: {
    type: 'number',
    default: 0.2,
    min: 0,
    max: 1,
    description: 'PPO clip range ε of the probability ratio (> 0)',
  },
  epochs: {
    type: 'int',
    default: 3,
    min: 1,
    max: 100,
    description: 'PPO passes over each batch (REINFORCE makes one)',
  },
  reward: {
    type: 'enum',
    default: 'rank',
    values: ['score', 'rank'],
    description:
      "what the policy maximises: the trial's 'score', or its 'rank' (the fraction of all results so far it beats), which outliers cannot dominate",
  },
  dedupe: {
    type: 'enum',
    default: 'mask',
    values: ['mask', 'resample', 'none'],
    description:
      "never propose an architecture twice: 'mask' samples without replacement from the policy, 'resample' redraws, 'none' allows repeats",
  },
  maxResamples: {
    type: 'int',
    default: 20,
    min: 1,
    max: 10000,
    description: "draws per proposal before 'resample' falls back to a masked draw",
  },
  dedupeIsomorphic: {
    type: 'boolean',
    default: false,
    description:
      'also redraw (up to maxResamples times) an architecture isomorphic to one proposed before, where the space knows isomorphism',
  },
} as const;

export type RlOptions = OptionValues<typeof rlOptions>;

interface Scored {
  readonly episode: Episode;
  readonly reward: number;
}

const FORMAT = 'archlab.strategy-rl/1';

/**
 * The NAS-RL strategy: an LSTM controller proposes architectures decision by decision
 * (`space.encoding`), and is trained on the trials' scores with REINFORCE or PPO.
 *
 * - Each proposal's decisions (and masks) are kept under its key until its result is told, so
 *   results may arrive in any order. Results join the batch in tell order; a full batch
 *   (`batchSize` scored results) triggers one policy update inside that `tell`.
 * - Reward = the trial's score (the objective, larger is better) with `reward: 'score'`; with
 *   `reward: 'rank'` (the default), the fraction of all results so far that it beats, computed
 *   when its batch is used. Ranks keep the few very bad architectures (10% accuracy on NB201,
 *   against ~90% typical) from inflating the spread and drowning the differences at the top.
 *   Failed trials (score NaN) teach the policy nothing: they are left out of the batch and the
 *   ranking, but stay proposed, so they are never proposed again.
 * - Advantage = (reward − baseline) / spread, where the baseline is an exponential moving
 *   average of rewards (initialised with the first batch's mean) and the spread the matching
 *   moving standard deviation (`normalize`); both move after each update, in tell order.
 * - All randomness is the context's rng (initial weights, every draw); tfjs only computes.
 */
export class RlStrategy<A> implements Strategy<A> {
  private rng: Rng;
  private readonly space: SearchSpace<A>;
  private readonly encoding: SpaceEncoding<A>;
  private readonly o: RlOptions;
  private readonly policy: LstmPolicy;
  private readonly optimizer: Adam;
  private tree: ChoiceTree;
  private readonly pending = new Map<string, Episode[]>();
  private readonly proposed: string[] = [];
  private readonly seenKeys = new Set<string>();
  private readonly seenIso = new Set<string>();
  private batch: Scored[] = [];
  private baseline: number | undefined;
  private spread: number | undefined;
  private updates = 0;
  /** Every finite score told, in tell order (the history `reward: 'rank'` ranks against). */
  private scores: number[] = [];

  constructor(ctx: StrategyContext<A, RlOptions>) {
    const o = ctx.options;
    checkOptions(o);
    if (!ctx.space.encoding) throw new InvalidOptionError(`strategy 'rl' needs a space with an encoding`);
    this.space = ctx.space;
    this.encoding = ctx.space.encoding;
    this.o = o;
    this.rng = ctx.rng;
    const choices = sizesOf(this.encoding);
    this.policy = new LstmPolicy(
      { choices, hidden: o.hidden, temperature: o.temperature, tanhConstant: o.tanhConstant },
      this.rng,
    );
    this.optimizer = new Adam(
      this.policy.params.map((p) => p.values.length),
      o.learningRate,
    );
    this.tree = new ChoiceTree(choices);
  }

  /** Policy updates made so far. */
  get updateCount(): number {
    return this.updates;
  }

  async ask(): Promise<A | undefined> {
    // Decided before any draw, so an empty answer changes nothing.
    if (this.o.dedupe !== 'none' && this.tree.full()) return undefined;
    const { arch, key, episode } = onCpu(() => this.draw());
    this.remember(key, arch);
    const queue = this.pending.get(key);
    if (queue) queue.push(episode);
    else this.pending.set(key, [episode]);
    return arch;
  }

  async tell(result: TrialResult<A>): Promise<void> {
    const queue = this.pending.get(result.key);
    const episode = queue?.shift();
    if (queue && queue.length === 0) this.pending.delete(result.key);
    if (!episode) {
      // Not one of ours (a warm-up trial of a screened run): the policy did not sample it, so
      // it learns nothing from it (no log-probability to weigh), but never proposes it again.
      this.remember(result.key, result.arch);
      this.tree.mark(this.encoding.encode(result.arch));
      return;
    }
    if (!Number.isFinite(result.score)) return;
    this.scores.push(result.score);
    this.batch.push({ episode, reward: result.score });
    if (this.batch.length >= this.o.batchSize) onCpu(() => this.update());
  }

  snapshot(): Uint8Array {
    const adam = this.optimizer.state();
    const state: SnapshotState = {
      format: FORMAT,
      sizes: this.policy.params.map((p) => p.values.length),
      params: this.policy.params.map((p) => bytes64(p.values)),
      adam: { step: adam.step, m: adam.m.map(bytes64), v: adam.v.map(bytes64) },
      rng: this.rng.state(),
      baseline: this.baseline ?? null,
      spread: this.spread ?? null,
      updates: this.updates,
      scores: this.scores,
      batch: this.batch,
      pending: [...this.pending],
      proposed: this.proposed,
      marked: this.tree.marked,
    };
    return new TextEncoder().encode(JSON.stringify(state));
  }

  restore(bytes: Uint8Array): void {
    const s = JSON.parse(new TextDecoder().decode(bytes)) as SnapshotState;
    const sizes = this.policy.params.map((p) => p.values.length);
    if (s.format !== FORMAT || s.sizes.join() !== sizes.join())
      throw new TypeError(`not a checkpoint of this rl controller (format ${s.format}, sizes ${s.sizes})`);
    for (const [i, p] of this.policy.params.entries())
      p.values.set(new Float32Array(unbytes64(s.params[i]!)));
    this.policy.invalidate();
    this.optimizer.load({
      step: s.adam.step,
      m: s.adam.m.map((b) => new Float64Array(unbytes64(b))),
      v: s.adam.v.map((b) => new Float64Array(unbytes64(b))),
    });
    this.rng = Rng.fromState(s.rng);
    this.baseline = s.baseline ?? undefined;
    this.spread = s.spread ?? undefined;
    this.updates = s.updates;
    this.scores = s.scores;
    this.batch = s.batch;
    this.pending.clear();
    for (const [key, episodes] of s.pending) this.pending.set(key, episodes);
    this.proposed.length = 0;
    this.seenKeys.clear();
    this.seenIso.clear();
    for (const key of s.proposed) this.remember(key, this.space.parse(key));
    this.tree = new ChoiceTree(sizesOf(this.encoding));
    for (const seq of s.marked) this.tree.mark(seq);
  }

  dispose(): void {
    this.policy.dispose();
  }

  private remember(key: string, arch: A): void {
    this.proposed.push(key);
    this.seenKeys.add(key);
    if (this.space.isomorphismKey) this.seenIso.add(this.space.isomorphismKey(arch));
  }

  /**
   * One proposal. 'mask' draws without replacement (a choice whose subtree was all proposed is
   * masked out); 'resample' draws freely up to `maxResamples` times, then once masked;
   * `dedupeIsomorphic` redraws isomorphic repeats up to the same bound and then takes the first
   * new key. Every drawn sequence is marked, so a rejected one is not drawn again.
   */
  private draw(): { arch: A; key: string; episode: Episode } {
    const { dedupe, maxResamples } = this.o;
    const iso = this.o.dedupeIsomorphic ? this.space.isomorphismKey?.bind(this.space) : undefined;
    const free = () => [];
    const masked = (prefix: readonly number[]) => this.tree.blocked(prefix);
    let first: { arch: A; key: string; episode: Episode } | undefined;
    let last: { arch: A; key: string; episode: Episode } | undefined;
    const attempts = dedupe === 'none' ? 1 : maxResamples + (dedupe === 'resample' ? 1 : 0);
    for (let i = 0; i < attempts; i++) {
      const mask = dedupe === 'mask' || (dedupe === 'resample' && i === attempts - 1);
      if (mask && this.tree.full()) break;
      const episode = this.policy.sample(this.rng, mask ? masked : free);
      const arch = this.encoding.decode(episode.choices);
      last = { arch, key: this.space.key(arch), episode };
      this.tree.mark(episode.choices);
      if (dedupe === 'none') return last;
      if (this.seenKeys.has(last.key)) continue;
      first ??= last;
      if (!iso || !this.seenIso.has(iso(arch))) return last;
    }
    // Only reached when every draw repeated: an isomorphic repeat with a new key is still new.
    return first ?? last!;
  }

  private update(): void {
    const { algorithm, baselineDecay: decay, entropyWeight, clip } = this.o;
    const rewards = this.batch.map((s) =>
      this.o.reward === 'rank' ? rank(s.reward, this.scores) : s.reward,
    );
    if (this.baseline === undefined || this.spread === undefined) {
      this.baseline = mean(rewards);
      this.spread = mean(rewards.map((r) => (r - this.baseline!) ** 2));
    }
    const scale = this.o.normalize ? 1 / (Math.sqrt(this.spread) + 1e-6) : 1;
    const advantages = rewards.map((r) => (r - this.baseline!) * scale);
    const episodes = this.batch.map((s) => s.episode);
    const epochs = algorithm === 'ppo' ? this.o.epochs : 1;
    const loss: EpisodeLoss = (logProb, entropy) => {
      const adv = tf.tensor1d(advantages);
      const bonus = tf.mul(tf.mean(entropy), entropyWeight);
      if (algorithm === 'reinforce') return tf.neg(tf.add(tf.mean(tf.mul(adv, logProb)), bonus)) as tf.Scalar;
      const ratio = tf.exp(tf.sub(logProb, tf.tensor1d(episodes.map((e) => e.logProb))));
      const surrogate = tf.minimum(
        tf.mul(ratio, adv),
        tf.mul(tf.clipByValue(ratio, 1 - clip, 1 + clip), adv),
      );
      return tf.neg(tf.add(tf.mean(surrogate), bonus)) as tf.Scalar;
    };
    for (let e = 0; e < epochs; e++) {
      const { grads } = this.policy.gradients(episodes, loss);
      this.optimizer.apply(
        this.policy.params.map((p) => p.values),
        grads,
      );
      this.policy.invalidate();
    }
    for (const r of rewards) {
      this.baseline = decay * this.baseline + (1 - decay) * r;
      this.spread = decay * this.spread + (1 - decay) * (r - this.baseline) ** 2;
    }
    this.batch = [];
    this.updates++;
  }
}

interface SnapshotState {
  format: string;
  sizes: number[];
  params: string[];
  adam: { step: number; m: string[]; v: string[] };
  rng: RngState;
  baseline: number | null;
  spread: number | null;
  updates: number;
  scores: number[];
  batch: Scored[];
  pending: [string, Episode[]][];
  proposed: string[];
  marked: number[][];
}

function checkOptions(o: RlOptions): void {
  const positive = (name: keyof RlOptions, value: number) => {
    if (!(value > 0))
      throw new InvalidOptionError(`strategy 'rl': option '${name}' must be > 0, got ${value}`);
  };
  positive('learningRate', o.learningRate);
  positive('temperature', o.temperature);
  positive('clip', o.clip);
  if (o.baselineDecay >= 1)
    throw new InvalidOptionError(
      `strategy 'rl': option 'baselineDecay' must be below 1 (the baseline would never move), got ${o.baselineDecay}`,
    );
}

/** The fraction of `history` below `x` (ties count half). */
function rank(x: number, history: readonly number[]): number {
  let below = 0;
  for (const h of history) below += h < x ? 1 : h === x ? 0.5 : 0;
  return below / history.length;
}

function sizesOf(encoding: SpaceEncoding<unknown>): number[] {
  return encoding.decisions.map((d) => d.choices.length);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** A typed array's exact bytes, as base64 (JSON keeps doubles exact, but not float32 arrays compactly). */
function bytes64(a: Float32Array | Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function unbytes64(s: string): ArrayBuffer {
  const b = Buffer.from(s, 'base64');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
}
