import { Container, PluginRegistry, randomStrategyFactory } from '@archlab/core';
import { strategyContract } from '@archlab/core/testing';
import { describe, expect, it } from 'vitest';
import { benchNb201Module } from './bench-nb201-module.js';
import { nb201Cifar10Factory } from './nb201-estimator.js';
import { nb201SpaceFactory } from './nb201-space.js';

describe('benchNb201Module', () => {
  it('registers the nb201 space and its three estimators', () => {
    const container = new Container();
    container.load(benchNb201Module);
    const registry = new PluginRegistry(container);
    expect(registry.names('space')).toEqual(['nb201']);
    expect(registry.names('estimator')).toEqual(['nb201:cifar10', 'nb201:cifar100', 'nb201:imagenet16-120']);
    expect(registry.get('space', 'nb201')).toBe(nb201SpaceFactory);
  });
});

strategyContract(randomStrategyFactory, {
  space: nb201SpaceFactory,
  estimator: nb201Cifar10Factory,
  trials: 60,
});
