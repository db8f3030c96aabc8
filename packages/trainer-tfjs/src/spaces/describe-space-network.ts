import type { Nb201Arch } from '@archlab/bench-nb201';
import type { SearchSpace } from '@archlab/core';
import type { ImageShape, NetworkDescription } from '@archlab/nn';
import { describeChainNetwork } from './chain-network.js';
import { CHAIN_SPACE, type ChainArch, type ChainHead, DEFAULT_CHAIN_CONFIG } from './fmnist-chain-arch.js';
import { describeNb201Network } from './nb201-network.js';

/** The head of a fmnist-chain space's networks: its `config.head` (default `gap`). */
export function chainHeadOf(space: SearchSpace): ChainHead {
  const config = (space as { config?: { head?: ChainHead } }).config;
  return config?.head ?? DEFAULT_CHAIN_CONFIG.head;
}

/**
 * The layers and dataflow of the network trainer-tfjs would build for `arch` of `space` (nb201
 * or fmnist-chain, with the space's options), without weights; undefined for a space it cannot
 * build.
 */
export function describeSpaceNetwork(
  space: SearchSpace,
  arch: unknown,
  shape: { readonly inputShape: ImageShape; readonly numClasses: number },
): NetworkDescription | undefined {
  if (space.name === 'nb201') return describeNb201Network(arch as Nb201Arch, shape);
  if (space.name === CHAIN_SPACE) {
    return describeChainNetwork(arch as ChainArch, { ...shape, head: chainHeadOf(space) });
  }
  return undefined;
}
