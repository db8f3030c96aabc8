import { nb201DeviceTableSource, nb201SpaceNetwork } from '@archlab/bench-nb201';
import { Container, DeviceLatencyTableSource, PluginRegistry, SpaceNetwork } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import { hardwareLatencyModule } from './hardware-latency-module.js';

const NETWORK_MODELS = ['counters', 'latency', 'lut'];

describe('hardwareLatencyModule', () => {
  it('registers the counters, device, latency and lut hardware models', () => {
    const container = new Container();
    container.load(hardwareLatencyModule);
    const registry = new PluginRegistry(container);
    expect(registry.names('hardware model')).toEqual(['counters', 'device', 'latency', 'lut']);
    for (const name of [...NETWORK_MODELS, 'device']) {
      expect(registry.get('hardware model', name)).toMatchObject({ name, spaces: [] });
    }
  });

  it('serves the spaces whose networks the container holds, bound before or after it', () => {
    const container = new Container();
    container.load(hardwareLatencyModule);
    container.bind(SpaceNetwork).toConstantValue(nb201SpaceNetwork);
    container.bind(SpaceNetwork).toConstantValue({ ...nb201SpaceNetwork, space: 'third-party' });
    const registry = new PluginRegistry(container);
    for (const name of NETWORK_MODELS) {
      expect(registry.get('hardware model', name).spaces).toEqual(['nb201', 'third-party']);
    }
    // a network is not a device table
    expect(registry.get('hardware model', 'device').spaces).toEqual([]);
  });

  it('serves device tables to the spaces that bound one, and only those', () => {
    const container = new Container();
    container.load(hardwareLatencyModule);
    container.bind(DeviceLatencyTableSource).toConstantValue(nb201DeviceTableSource);
    container.bind(DeviceLatencyTableSource).toConstantValue({ ...nb201DeviceTableSource, space: 'other' });
    const registry = new PluginRegistry(container);
    expect(registry.get('hardware model', 'device').spaces).toEqual(['nb201', 'other'].sort());
    for (const name of NETWORK_MODELS) expect(registry.get('hardware model', name).spaces).toEqual([]);
  });
});
