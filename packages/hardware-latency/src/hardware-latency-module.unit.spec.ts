import { nb201SpaceNetwork } from '@archlab/bench-nb201';
import { Container, PluginRegistry, SpaceNetwork } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import { hardwareLatencyModule } from './hardware-latency-module.js';

describe('hardwareLatencyModule', () => {
  it('registers the counters, latency and lut hardware models', () => {
    const container = new Container();
    container.load(hardwareLatencyModule);
    const registry = new PluginRegistry(container);
    expect(registry.names('hardware model')).toEqual(['counters', 'latency', 'lut']);
    for (const name of ['counters', 'latency', 'lut']) {
      expect(registry.get('hardware model', name)).toMatchObject({ name, spaces: [] });
    }
  });

  it('serves the spaces whose networks the container holds, bound before or after it', () => {
    const container = new Container();
    container.load(hardwareLatencyModule);
    container.bind(SpaceNetwork).toConstantValue(nb201SpaceNetwork);
    container.bind(SpaceNetwork).toConstantValue({ ...nb201SpaceNetwork, space: 'third-party' });
    const registry = new PluginRegistry(container);
    for (const name of ['counters', 'latency', 'lut']) {
      expect(registry.get('hardware model', name).spaces).toEqual(['nb201', 'third-party']);
    }
  });
});
