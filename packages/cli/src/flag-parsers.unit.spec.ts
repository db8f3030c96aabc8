import { ConfigError } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import {
  parseConstraint,
  parseHardwareSpec,
  parseKeyValues,
  parseObjective,
  parsePluginSpec,
  parsePrefilter,
  parseReward,
  parseRunnerFlags,
  parseWarmup,
} from './flag-parsers.js';

// Moved from core (objectives, screen and options unit tests) with the parsers.
describe('key=value flags', () => {
  it('parses NAME=VALUE pairs', () => {
    expect(parseKeyValues(['a=1', 'b=x=y'], '--opt')).toEqual({ a: '1', b: 'x=y' });
    expect(() => parseKeyValues(['novalue'], '--opt')).toThrow(/--opt takes NAME=VALUE/);
  });
});

describe('config text forms', () => {
  it('parses constraints, objectives, rewards and hardware specs', () => {
    expect(parseConstraint('latency_ms<=5')).toEqual({ metric: 'latency_ms', op: '<=', bound: 5 });
    expect(parseConstraint(' params < 1e6 ')).toEqual({ metric: 'params', op: '<', bound: 1e6 });
    expect(parseConstraint('val_acc>=90.5')).toEqual({ metric: 'val_acc', op: '>=', bound: 90.5 });
    expect(parseObjective('latency_ms:min')).toEqual({ metric: 'latency_ms', direction: 'min' });
    expect(parseReward('mnas:latency_ms=5')).toEqual({ kind: 'mnas', metric: 'latency_ms', target: 5 });
    expect(parseReward('mnas:latency_ms=5,alpha=0,beta=-1')).toEqual({
      kind: 'mnas',
      metric: 'latency_ms',
      target: 5,
      alpha: 0,
      beta: -1,
    });
    expect(parseHardwareSpec('flops')).toEqual({ name: 'flops', options: {} });
    expect(parseHardwareSpec('lut:pixel3')).toEqual({ name: 'lut:pixel3', options: {} });
    expect(parseHardwareSpec('lut:pixel3:batch=1,threads=4')).toEqual({
      name: 'lut:pixel3',
      options: { batch: '1', threads: '4' },
    });
  });

  it('rejects malformed ones with a ConfigError that shows the form', () => {
    for (const bad of [
      'latency_ms=<5',
      'latency_ms<=fast',
      '<=5',
      'latency_ms',
      'latency ms<=5',
      'a<=5<=6',
    ]) {
      expect(() => parseConstraint(bad), bad).toThrow(
        new ConfigError(
          `constraint '${bad}' must look like METRIC<=NUMBER (or >=, <, >), e.g. latency_ms<=5 or params<1e6`,
        ),
      );
    }
    expect(() => parseObjective('acc:up')).toThrow(
      /objective 'acc:up' must look like METRIC:max or METRIC:min/,
    );
    for (const bad of ['latency_ms=5', 'mnas:latency_ms', 'mnas:latency_ms=5,gamma=1', 'mnas:latency_ms=x']) {
      expect(() => parseReward(bad), bad).toThrow(/must look like mnas:METRIC=TARGET\[,alpha=A\]\[,beta=B\]/);
    }
    expect(() => parseHardwareSpec('')).toThrow(ConfigError);
  });
});

describe('screening flags', () => {
  it('parses --warmup POOL[:TOP] and --prefilter FRACTION[:MIN]', () => {
    expect(parseWarmup('500')).toEqual({ pool: 500 });
    expect(parseWarmup(' 500:10 ')).toEqual({ pool: 500, top: 10 });
    expect(parsePrefilter('0.5')).toEqual({ fraction: 0.5 });
    expect(parsePrefilter('0.25:20')).toEqual({ fraction: 0.25, min: 20 });
    for (const bad of ['', 'x', '10:', '1.5:2', '-3', '10:2:1']) {
      expect(() => parseWarmup(bad)).toThrow(ConfigError);
    }
    expect(() => parseWarmup('ten')).toThrow(
      "warm-up 'ten' must look like POOL or POOL:TOP, e.g. 500:10 (score 500 sampled architectures, evaluate the best 10 first)",
    );
    for (const bad of ['', 'half', '0.5:', '0.5:x', 'NaN']) {
      expect(() => parsePrefilter(bad)).toThrow(/^pre-filter '.*' must look like FRACTION or FRACTION:MIN/);
    }
  });

  it('parses a screen estimator with options as a hardware model is parsed', () => {
    expect(parsePluginSpec('zc:synflow:batch=8,seed=1', 'screen estimator', '--screen')).toEqual({
      name: 'zc:synflow',
      options: { batch: '8', seed: '1' },
    });
    expect(parsePluginSpec('nb201:cifar100', 'screen estimator', '--screen')).toEqual({
      name: 'nb201:cifar100',
      options: {},
    });
    expect(() => parsePluginSpec('bad name', 'screen estimator', '--screen')).toThrow(
      "screen estimator 'bad name' must look like NAME or NAME:key=value,key=value",
    );
    expect(parseHardwareSpec('lut:pixel3:file=a.json')).toEqual({
      name: 'lut:pixel3',
      options: { file: 'a.json' },
    });
  });
});

describe('parseRunnerFlags', () => {
  it('--redis is the bullmq runner with its server; --runner names any runner', () => {
    expect(parseRunnerFlags({})).toBeUndefined();
    expect(parseRunnerFlags({ redis: 'redis://h:1', runnerOption: ['queue=q'] })).toEqual({
      name: 'bullmq',
      options: { queue: 'q', redis: 'redis://h:1' },
    });
    expect(parseRunnerFlags({ runner: 'bullmq', redis: 'redis://h:1' })?.name).toBe('bullmq');
    expect(parseRunnerFlags({ runner: 'inprocess' })).toEqual({ name: 'inprocess', options: {} });
  });

  it('refuses options without a runner, and --redis with another runner', () => {
    expect(() => parseRunnerFlags({ runnerOption: ['queue=q'] })).toThrow(
      '--runner-option needs --runner NAME (or --redis URL for the bullmq runner)',
    );
    expect(() => parseRunnerFlags({ runner: 'inprocess', redis: 'redis://h:1' })).toThrow(
      "--redis is the bullmq runner's server; it cannot go with --runner inprocess",
    );
    expect(() => parseRunnerFlags({ runner: 'bullmq', runnerOption: ['queue'] })).toThrow(
      "--runner-option takes NAME=VALUE, got 'queue'",
    );
  });
});
