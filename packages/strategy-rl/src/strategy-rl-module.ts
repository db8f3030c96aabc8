import { ContainerModule, StrategyFactory } from '@archlab/core';
import { RlStrategy, rlOptions } from './rl-strategy.js';

/** `rl`: the NAS-RL controller (Zoph & Le 2017), trained with REINFORCE or PPO (NASNet). */
export const rlStrategyFactory: StrategyFactory = {
  name: 'rl',
  description:
    'NAS-RL: an LSTM controller samples each decision of the encoding, trained with REINFORCE or PPO',
  options: rlOptions,
  requires: ['encoding'],
  create: (ctx) => new RlStrategy(ctx),
};

export const strategyRlModule = new ContainerModule((bind) => {
  bind(StrategyFactory).toConstantValue(rlStrategyFactory);
});
