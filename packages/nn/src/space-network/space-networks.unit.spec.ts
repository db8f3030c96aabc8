import { ConfigError, Container, MissingSpaceNetworkError, SpaceNetwork } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import {
  defineSpaceNetwork,
  importSpaceNetwork,
  type SpaceNetworkModule,
  SpaceNetworks,
} from './space-networks.js';

const module = { inputShape: () => [1, 1, 1] } as unknown as SpaceNetworkModule;
const fake = (space: string) =>
  defineSpaceNetwork(space, new URL(`file:///nowhere/src/${space}-network.js`), async () => ({
    spaceNetwork: module,
  }));

describe('SpaceNetworks', () => {
  it('holds what a container binds, by space, sorted; a later binding of a space shadows an earlier one', async () => {
    const container = new Container();
    expect(SpaceNetworks.in(container).spaces()).toEqual([]);
    const b = fake('b');
    container.bind(SpaceNetwork).toConstantValue(b);
    container.bind(SpaceNetwork).toConstantValue(fake('a'));
    const later = fake('a');
    container.bind(SpaceNetwork).toConstantValue(later);
    const networks = SpaceNetworks.in(container);
    expect(networks.spaces()).toEqual(['a', 'b']);
    expect(networks.get('a', 'x')).toBe(later);
    expect(networks.get('b', 'x').module).toBe('file:///nowhere/src/b-network.js');
    expect(await networks.load('b', 'x')).toBe(module);
  });

  it('names the space, who needs its network and the spaces that have one', () => {
    const networks = new SpaceNetworks([fake('b'), fake('a')]);
    expect(() => networks.get('c', 'the thing')).toThrow(MissingSpaceNetworkError);
    expect(() => networks.get('c', 'the thing')).toThrow(
      "the thing: space 'c' has no network (no loaded plugin binds a SpaceNetwork for it); spaces with one: a, b",
    );
    expect(() => new SpaceNetworks([]).get('c', 'the thing')).toThrow(/spaces with one: \(none\)$/);
  });
});

describe('importSpaceNetwork', () => {
  it('imports the spaceNetwork export of a module, from its source when running from source', async () => {
    const url = new URL('../../../bench-nb201/src/nb201-network.js', import.meta.url).href;
    const imported = await importSpaceNetwork(url);
    expect(imported.inputShape({ name: 'nb201' } as never)).toEqual([32, 32, 3]);
  });

  it('says which module is missing, or lacks the export', async () => {
    await expect(importSpaceNetwork('file:///nowhere/src/x-network.js')).rejects.toThrow(ConfigError);
    await expect(importSpaceNetwork('file:///nowhere/src/x-network.js')).rejects.toThrow(
      'the network module /nowhere/src/x-network.js does not exist',
    );
    await expect(importSpaceNetwork(new URL('./space-networks.js', import.meta.url).href)).rejects.toThrow(
      "has no 'spaceNetwork' export",
    );
  });
});
