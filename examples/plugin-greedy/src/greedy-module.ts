import { ContainerModule, type Strategy, StrategyFactory } from '@archlab/core';

export const greedyFactory: StrategyFactory = {
  name: 'greedy',
  description: 'mutate the best architecture seen so far',
  options: { warmup: { type: 'int', default: 10, min: 1, description: 'random trials first' } },
  requires: ['mutate'], // rejected before the run starts on a space without mutate
  create({ space, rng, options }): Strategy {
    let best: { arch: unknown; score: number } | undefined;
    let asked = 0;
    return {
      ask: () => (asked++ < options.warmup || !best ? space.sample(rng) : space.mutate!(best.arch, rng)),
      tell: (r) => {
        if (r.status === 'completed' && (!best || r.score > best.score))
          best = { arch: r.arch, score: r.score };
      },
    };
  },
};

export const greedyModule = new ContainerModule((bind) => {
  bind(StrategyFactory).toConstantValue(greedyFactory);
});
