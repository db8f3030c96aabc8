import { ConfigError, MissingSpaceNetworkError, type SearchSpace } from '@archlab/core';
import { defineSpaceNetwork, SpaceNetworks } from '@archlab/nn';
import { describe, expect, it } from 'vitest';
import { trainEstimatorFactory } from './train-estimator.js';

const tiny = defineSpaceNetwork(
  'tiny',
  new URL('./tiny-space-network.js', import.meta.url),
  () => import('./tiny-space-network.js'),
);
const space = (name: string) => ({ name }) as SearchSpace;

describe('trainEstimatorFactory', () => {
  it('trains the spaces that bound a network', () => {
    expect(trainEstimatorFactory(new SpaceNetworks([tiny])).spaces).toEqual(['tiny']);
    expect(trainEstimatorFactory(new SpaceNetworks([])).spaces).toEqual([]);
  });

  it('says which spaces it can build networks for', () => {
    const factory = trainEstimatorFactory(new SpaceNetworks([tiny]));
    expect(() => factory.create(space('nope'), {})).toThrow(MissingSpaceNetworkError);
    expect(() => factory.create(space('nope'), {})).toThrow(ConfigError);
    expect(() => factory.create(space('nope'), {})).toThrow(
      "the train estimator: space 'nope' has no network (no loaded plugin binds a SpaceNetwork for it); spaces with one: tiny",
    );
  });
});
