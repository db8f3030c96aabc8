import { InvalidOptionError } from '../errors.js';
import type { OptionValues } from '../options/options.js';
import type { Strategy, StrategyContext, StrategyFactory } from './strategy.js';

const options = {
  arch: { type: 'string', default: '', description: "the architecture's key: the one trial it proposes" },
  source: {
    type: 'string',
    default: '',
    description: 'where the architecture came from, e.g. "run fm (its best)"; recorded, not used',
  },
} as const;

type FixedOptions = OptionValues<typeof options>;

/**
 * Proposes one given architecture, once: a run of it is the evaluation (a retraining) of that
 * architecture, recorded and resumable like any search. `archlab train` runs it with a budget of
 * one trial.
 */
export class FixedStrategy<A> implements Strategy<A> {
  private proposed = false;
  private readonly arch: A;

  constructor(ctx: StrategyContext<A, FixedOptions>) {
    if (!ctx.options.arch) {
      throw new InvalidOptionError(
        "fixed: option 'arch' is required: the key of the architecture to evaluate",
      );
    }
    // A malformed key fails here, before the run is recorded.
    this.arch = ctx.space.parse(ctx.options.arch);
  }

  ask(): A | undefined {
    if (this.proposed) return undefined;
    this.proposed = true;
    return this.arch;
  }

  tell(): void {}
}

export const fixedStrategyFactory: StrategyFactory = {
  name: 'fixed',
  description: 'evaluate one given architecture (arch=KEY) once: a retraining as a run',
  options,
  requires: [],
  create: (ctx) => new FixedStrategy(ctx),
};
