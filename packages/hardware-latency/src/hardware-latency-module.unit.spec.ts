import { Container, PluginRegistry } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import { countersFactory } from './counters.js';
import { hardwareLatencyModule } from './hardware-latency-module.js';
import { lutFactory } from './lut.js';
import { latencyFactory } from './measure.js';

describe('hardwareLatencyModule', () => {
  it('registers the counters, latency and lut hardware models', () => {
    const container = new Container();
    container.load(hardwareLatencyModule);
    const registry = new PluginRegistry(container);
    expect(registry.names('hardware model')).toEqual(['counters', 'latency', 'lut']);
    expect(registry.get('hardware model', 'counters')).toBe(countersFactory);
    expect(registry.get('hardware model', 'latency')).toBe(latencyFactory);
    expect(registry.get('hardware model', 'lut')).toBe(lutFactory);
  });
});
