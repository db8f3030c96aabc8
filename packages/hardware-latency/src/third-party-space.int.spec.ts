import {
  Container,
  ContainerModule,
  coreModule,
  MissingSpaceNetworkError,
  PluginRegistry,
  Rng,
  type SearchSpaceFactory,
  SearchSpaceFactory as SearchSpaceFactoryToken,
  SpaceNetwork,
} from '@archlab/core';
import { initBackend } from '@archlab/nn';
import {
  fmnistChainSpace,
  fmnistChainSpaceFactory,
  fmnistChainSpaceNetwork,
  spaceFmnistChainModule,
} from '@archlab/space-fmnist-chain';
import { beforeAll, describe, expect, it } from 'vitest';
import { hardwareLatencyModule } from './hardware-latency-module.js';

beforeAll(async () => {
  await initBackend('cpu');
});

// Another package's space (fmnist-chain under another name) that binds its network: the
// hardware models serve it without knowing it.
const THIRD = 'third-party-chain';
const thirdPartyFactory: SearchSpaceFactory = {
  ...fmnistChainSpaceFactory,
  name: THIRD,
  create: (options) => ({ ...fmnistChainSpace(options), name: THIRD }),
};
const thirdPartyModule = new ContainerModule((bind) => {
  bind(SearchSpaceFactoryToken).toConstantValue(thirdPartyFactory);
  bind(SpaceNetwork).toConstantValue({ ...fmnistChainSpaceNetwork, space: THIRD });
});

function registry(...modules: ContainerModule[]): PluginRegistry {
  const container = new Container();
  for (const m of [coreModule, hardwareLatencyModule, ...modules]) container.load(m);
  return new PluginRegistry(container);
}

describe('a third-party space that binds a SpaceNetwork', () => {
  it('is costed by counters and latency as the space it copies', async () => {
    const plugins = registry(spaceFmnistChainModule, thirdPartyModule);
    const third = thirdPartyFactory.create({ maxDepth: 3 });
    const chain = fmnistChainSpace({ maxDepth: 3 });
    const arch = third.sample(Rng.fromSeed(2));
    const counters = plugins.get('hardware model', 'counters');
    expect(counters.spaces).toEqual(['fmnist-chain', THIRD]);
    expect(await counters.create(third, {}).cost(arch)).toEqual(await counters.create(chain, {}).cost(arch));
    const latency = plugins.get('hardware model', 'latency');
    expect(latency.spaces).toEqual(['fmnist-chain', THIRD]);
    const measured = await latency.create(third, { backend: 'cpu', runs: 1, warmup: 0 }).cost(arch);
    expect(measured.latency_ms).toBeGreaterThan(0);
  });

  it('without its network, is a one-line MissingSpaceNetworkError naming it', () => {
    const plugins = registry(spaceFmnistChainModule);
    const third = thirdPartyFactory.create({});
    const create = () => plugins.get('hardware model', 'counters').create(third, {});
    expect(create).toThrow(MissingSpaceNetworkError);
    expect(create).toThrow(
      `the counters hardware model: space '${THIRD}' has no network (no loaded plugin binds a SpaceNetwork for it); spaces with one: fmnist-chain`,
    );
  });
});
