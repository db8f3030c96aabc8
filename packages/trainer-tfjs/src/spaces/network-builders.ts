import { nb201Space } from '@archlab/bench-nb201';
import { registerNetworkBuilder } from '../train/network-builder-registry.js';
import { buildChainNetwork } from './chain-network.js';
import { fmnistChainSpace } from './fmnist-chain-space.js';
import { buildNb201Network } from './nb201-network.js';

let registered = false;

/**
 * Lets the `train` estimator build networks for `nb201` (the NAS-Bench-201 cell network, N=5 and
 * C=16 as in the benchmark) and `fmnist-chain`. Idempotent; each worker thread
 * calls it, since registries are per thread.
 */
export function registerBuiltinNetworkBuilders(): void {
  if (registered) return;
  registered = true;
  registerNetworkBuilder('nb201', (key, _spaceOptions, ctx) =>
    buildNb201Network(nb201Space.parse(key), {
      inputShape: ctx.inputShape,
      numClasses: ctx.numClasses,
      seed: ctx.seed,
    }),
  );
  registerNetworkBuilder('fmnist-chain', (key, spaceOptions, ctx) => {
    const space = fmnistChainSpace(spaceOptions);
    return buildChainNetwork(space.parse(key), {
      inputShape: ctx.inputShape,
      numClasses: ctx.numClasses,
      head: space.config.head,
      seed: ctx.seed,
    });
  });
}
