import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  parseHardwareSpec,
  parsePluginSpec,
  parsePrefilter,
  parseWarmup,
  Rng,
  TopFraction,
} from '../src/index.js';

describe('TopFraction', () => {
  it('gives the smallest of the best ceil(fraction · n) scores so far, as sorting does', () => {
    const rng = Rng.fromSeed('top-fraction');
    for (const fraction of [0.1, 0.25, 0.3, 0.5, 2 / 3, 0.999, 1]) {
      const top = new TopFraction(fraction);
      const seen: number[] = [];
      for (let n = 1; n <= 300; n++) {
        // Few distinct values, so ties are common.
        const x = rng.int(40) - 20;
        seen.push(x);
        const sorted = [...seen].sort((a, b) => b - a);
        const k = Math.max(1, Math.round(Math.ceil(fraction * n * (1 - 1e-12))));
        const ahead = top.thresholdWith(x);
        expect(top.add(x), `fraction ${fraction}, n ${n}`).toBe(sorted[k - 1]);
        expect(ahead, `thresholdWith: fraction ${fraction}, n ${n}`).toBe(sorted[k - 1]);
        expect(top.size).toBe(n);
      }
    }
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
