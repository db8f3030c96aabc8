import { execFileSync } from 'node:child_process';
import { Container, PluginRegistry, randomStrategyFactory, SpaceNetwork } from '@archlab/core';
import { strategyContract } from '@archlab/core/testing';
import { describe, expect, it } from 'vitest';
import { benchNb201Module } from './bench-nb201-module.js';
import { nb201Cifar10Factory } from './nb201-estimator.js';
import { nb201SpaceFactory } from './nb201-space.js';
import { nb201SpaceNetwork } from './nb201-space-network.js';

describe('benchNb201Module', () => {
  it('registers the nb201 space and its three estimators', () => {
    const container = new Container();
    container.load(benchNb201Module);
    const registry = new PluginRegistry(container);
    expect(registry.names('space')).toEqual(['nb201']);
    expect(registry.names('estimator')).toEqual(['nb201:cifar10', 'nb201:cifar100', 'nb201:imagenet16-120']);
    expect(registry.get('space', 'nb201')).toBe(nb201SpaceFactory);
    expect(container.getAll(SpaceNetwork)).toEqual([nb201SpaceNetwork]);
  });

  it('loads no tfjs until its network is asked for (CLI start-up)', () => {
    // A resolve hook that fails any import of a tfjs package, in a process of its own.
    const hook = `export async function resolve(s, c, next) { if (s.startsWith('@tensorflow/')) throw new Error('loaded ' + s); return next(s, c); }`;
    const script = `
      import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
      const { benchNb201Module, nb201SpaceNetwork } = await import('@archlab/bench-nb201');
      const failed = await nb201SpaceNetwork.load().then(() => 'no', (e) => e.message);
      console.log(typeof benchNb201Module, failed);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('object loaded @tensorflow/tfjs-core');
  });
});

strategyContract(randomStrategyFactory, {
  space: nb201SpaceFactory,
  estimator: nb201Cifar10Factory,
  trials: 60,
});
