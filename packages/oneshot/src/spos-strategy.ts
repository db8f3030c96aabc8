import {
  ConfigError,
  type OptionValues,
  Rng,
  type RngState,
  type Strategy,
  type StrategyContext,
  type StrategyFactory,
  type TrialResult,
} from '@archlab/core';
import { regularizedEvolutionFactory } from '@archlab/strategy-evolution';
import { reportEpoch } from './epoch-report.js';
import { epochsOption, supernetOptionsSpec } from './supernet-options.js';
import { type EpochPlan, SupernetRun, type SupernetService } from './supernet-service.js';

const options = {
  ...supernetOptionsSpec,
  epochs: epochsOption(
    5,
    'epochs of uniform single-path supernet training, one per trial, before the evolution',
  ),
  // The evolution's own options (regularized evolution, as the evolution strategy runs it).
  population: regularizedEvolutionFactory.options.population!,
  sampleSize: regularizedEvolutionFactory.options.sampleSize!,
} as const;

type SposOptions = OptionValues<typeof options>;

/** What replays the evolution in a fresh strategy: its asks and tells, in order. */
type EvolutionStep = { readonly ask: true } | { readonly tell: ToldResult };
type ToldResult = Pick<TrialResult, 'trialId' | 'key' | 'status' | 'score'> & { readonly seeded?: true };

interface Snapshot {
  readonly format: typeof FORMAT;
  readonly epochs: number;
  readonly trainingTold: number;
  readonly proposals: RngState;
  readonly evolution: readonly EvolutionStep[];
}

const FORMAT = 'archlab.spos/1';

/**
 * SPOS's supernet training (Guo et al. 2020) as the service's epoch: each batch trains one path
 * drawn uniformly from the service's checkpointed rng, `epochs` the length of the cosine schedule.
 */
export function sposEpoch(service: SupernetService, epochs: number): EpochPlan {
  return {
    epochs,
    forward: (x, _batch, training) => service.supernet.applyPath(x, service.samplePath(), { training }),
  };
}

/**
 * SPOS, single path one-shot (Guo et al. 2020). Its first `epochs` asks each train the run's
 * supernet for an epoch, a path drawn uniformly per batch, and propose a random architecture
 * (so the log shows inherited accuracy rising as the supernet trains); then it searches by
 * regularized evolution (the `evolution` strategy's own code) over architectures scored with
 * inherited weights, so the run's estimator must be `oneshot`. The evolution only sees the
 * results of its own proposals. Its checkpoint holds the epoch count, its rngs and the
 * evolution's asks and tells, which `restore` replays into a fresh evolution (a few hundred
 * cheap calls) rather than reaching into its state.
 */
export class SposStrategy<A> implements Strategy<A> {
  private readonly service: SupernetService;
  private evolution: Strategy<A>;
  private evolutionSteps: EvolutionStep[] = [];
  private epochs = 0;
  private proposals: Rng;
  /** Results told of the proposals made while training (one per epoch): not the evolution's. */
  private trainingTold = 0;

  constructor(private readonly ctx: StrategyContext<A, SposOptions>) {
    this.service = ctx.services!.get<SupernetService>(SupernetRun);
    if (this.service.estimator !== 'oneshot') {
      throw new ConfigError(
        `strategy 'spos' scores candidates by their inherited accuracy: run it with --estimator oneshot, not '${this.service.estimator}'`,
      );
    }
    this.proposals = ctx.rng.fork('proposals');
    this.evolution = this.freshEvolution();
  }

  async ask(): Promise<A | undefined> {
    const { space, options: o } = this.ctx;
    if (this.epochs < o.epochs) {
      await this.service.ready();
      const stats = await this.service.trainEpoch(sposEpoch(this.service, o.epochs));
      this.epochs++;
      await reportEpoch(this.ctx, this.epochs, stats);
      return space.sample(this.proposals);
    }
    const arch = await this.evolution.ask();
    this.evolutionSteps.push({ ask: true });
    return arch;
  }

  tell(result: TrialResult<A>): void | Promise<void> {
    // Proposals made while the supernet trained were scored by a supernet still changing: not the
    // evolution's. The engine tells results in the order it asked (one trial at a time).
    if (!result.seeded && this.trainingTold < this.epochs) {
      this.trainingTold++;
      return;
    }
    const told: ToldResult = {
      trialId: result.trialId,
      key: result.key,
      status: result.status,
      score: result.score,
      ...(result.seeded && { seeded: true }),
    };
    this.evolutionSteps.push({ tell: told });
    return this.evolution.tell(result);
  }

  snapshot(): Uint8Array {
    const s: Snapshot = {
      format: FORMAT,
      epochs: this.epochs,
      trainingTold: this.trainingTold,
      proposals: this.proposals.state(),
      evolution: this.evolutionSteps,
    };
    return new TextEncoder().encode(JSON.stringify(s));
  }

  async restore(bytes: Uint8Array): Promise<void> {
    const s = JSON.parse(new TextDecoder().decode(bytes)) as Snapshot;
    if (s.format !== FORMAT) throw new TypeError(`not a checkpoint of spos (${s.format})`);
    this.epochs = s.epochs;
    this.trainingTold = s.trainingTold;
    this.proposals = Rng.fromState(s.proposals);
    this.evolution = this.freshEvolution();
    this.evolutionSteps = [];
    for (const step of s.evolution) {
      if ('ask' in step) {
        await this.evolution.ask();
        this.evolutionSteps.push(step);
      } else {
        const arch = this.ctx.space.parse(step.tell.key);
        this.evolutionSteps.push(step);
        await this.evolution.tell({ ...step.tell, arch });
      }
    }
  }

  private freshEvolution(): Strategy<A> {
    const { population, sampleSize } = this.ctx.options;
    return regularizedEvolutionFactory.create({
      ...this.ctx,
      rng: this.ctx.rng.fork('evolution'),
      options: { population, sampleSize, dedupe: true },
    }) as Strategy<A>;
  }
}

export const sposStrategyFactory: StrategyFactory = {
  name: 'spos',
  description:
    'SPOS (Guo et al. 2020): uniform single-path supernet training, then evolution over inherited-weight accuracy (estimator oneshot)',
  options,
  requires: ['encoding', 'mutate'],
  checkpointEvery: 1,
  // The evolution's own checks (sampleSize ≤ population) run as the strategy makes it.
  create: (ctx) => new SposStrategy(ctx as StrategyContext<unknown, SposOptions>),
};
