import { ConfigError, type SpaceEncoding } from '@archlab/core';
import { ridge, ridgePredict } from '@archlab/hardware-latency';

/** Penalties tried; the one with the lowest leave-one-out error is kept. */
const LAMBDAS = [0.01, 0.1, 1, 10, 100];

/**
 * The accuracy predictor of OFA's search: a ridge regression of measured (inherited) accuracy
 * on the one-hot encoding of each architecture's choices (OFA uses a small MLP on the same
 * one-hot input; with tens of samples a linear fit is what the data supports). The penalty is
 * chosen by exact leave-one-out error, which is also reported (`looRmse`, in accuracy points).
 */
export class SubnetPredictor<A> {
  private constructor(
    private readonly encoding: SpaceEncoding<A>,
    private readonly fit: ReturnType<typeof ridge>,
    readonly lambda: number,
    readonly looRmse: number,
  ) {}

  static fit<A>(
    encoding: SpaceEncoding<A>,
    samples: readonly { arch: A; acc: number }[],
  ): SubnetPredictor<A> {
    if (samples.length < 2) {
      throw new ConfigError(
        `the OFA accuracy predictor needs at least 2 measured subnets, got ${samples.length} (raise predictor-samples or the run's budget)`,
      );
    }
    const x = samples.map((s) => oneHot(encoding, s.arch));
    const y = samples.map((s) => s.acc);
    let best: SubnetPredictor<A> | undefined;
    for (const lambda of LAMBDAS) {
      const fit = ridge(x, y, lambda);
      const rmse = Math.sqrt(fit.looPredictions.reduce((sum, p, i) => sum + (p - y[i]!) ** 2, 0) / y.length);
      if (!best || rmse < best.looRmse) best = new SubnetPredictor(encoding, fit, lambda, rmse);
    }
    return best!;
  }

  predict(arch: A): number {
    return ridgePredict(this.fit, oneHot(this.encoding, arch));
  }
}

/** One feature per choice of every decision: 1 where the architecture makes it. */
export function oneHot<A>(encoding: SpaceEncoding<A>, arch: A): number[] {
  const chosen = encoding.encode(arch);
  return encoding.decisions.flatMap((d, i) => d.choices.map((_, c) => (chosen[i] === c ? 1 : 0)));
}
