import { defineSpaceNetwork } from '@archlab/nn/space-network';
import { nb201Space } from './nb201-space.js';

/**
 * How nb201 architectures become networks (the NAS-Bench-201 cell network, see
 * `buildNb201Network`): bound next to the space, so the train estimator, zero-cost proxies and
 * hardware models serve nb201. The network code (and tfjs) loads on first use only: the table
 * and its estimators do not need it.
 */
export const nb201SpaceNetwork = defineSpaceNetwork(
  nb201Space.name,
  new URL('./nb201-network.js', import.meta.url),
  () => import('./nb201-network.js'),
);
