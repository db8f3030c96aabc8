import {
  InvalidOptionError,
  instantiateEvaluation,
  MalformedArchitectureError,
  PluginRegistry,
} from '@archlab/core';
import { estimatorContract } from '@archlab/core/testing';
import { describe, expect, it } from 'vitest';
import { parseNb201Key } from './nb201-arch.js';
import { nb201Cifar10Factory, nb201Cifar100Factory, nb201ImageNet16Factory } from './nb201-estimator.js';
import { nb201Space, nb201SpaceFactory } from './nb201-space.js';

const factories = [nb201Cifar10Factory, nb201Cifar100Factory, nb201ImageNet16Factory];
for (const f of factories) estimatorContract(f.name, () => f.create(nb201Space, {}), nb201Space);

const EXAMPLE =
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const ctx = { trialId: 0, seed: 0, signal: new AbortController().signal, report: () => {} };

describe('nb201 table estimators', () => {
  it('are registered for the nb201 space only, under the data set names', () => {
    expect(factories.map((f) => f.name)).toEqual(['nb201:cifar10', 'nb201:cifar100', 'nb201:imagenet16-120']);
    for (const f of factories) expect(f.spaces).toEqual(['nb201']);
  });

  it('return the table test accuracy of their data set', async () => {
    const arch = parseNb201Key(EXAMPLE);
    expect(await nb201Cifar10Factory.create(nb201Space, {}).evaluate(arch, ctx)).toEqual({
      test_acc: 93.66000000000001,
    });
    expect(await nb201Cifar100Factory.create(nb201Space, {}).evaluate(arch, ctx)).toEqual({
      test_acc: 70.29333326822916,
    });
    expect(await nb201ImageNet16Factory.create(nb201Space, {}).evaluate(arch, ctx)).toEqual({
      test_acc: 44.03333332316081,
    });
  });

  it('declare one maximised metric, test_acc, and determinism', () => {
    const est = nb201Cifar10Factory.create(nb201Space, {});
    expect(est.metrics).toHaveLength(1);
    expect(est.metrics[0]).toMatchObject({ name: 'test_acc', direction: 'max' });
    expect(est.metrics[0]!.description).toMatch(/CIFAR-10 test accuracy/);
    expect(est.deterministic).toBe(true);
  });

  it('refuse options', () => {
    const registry = new PluginRegistry();
    registry.register('space', nb201SpaceFactory);
    registry.register('estimator', nb201Cifar10Factory);
    const input = { space: 'nb201', estimator: 'nb201:cifar10', estimatorOptions: { epochs: 12 } };
    expect(() => instantiateEvaluation(registry, input)).toThrow(InvalidOptionError);
    expect(() => instantiateEvaluation(registry, input)).toThrow(
      /estimator 'nb201:cifar10': unknown option 'epochs'/,
    );
  });

  it('fail clearly on something that is not an nb201 architecture', async () => {
    const est = nb201Cifar10Factory.create(nb201Space, {});
    await expect(est.evaluate([0, 0, 0, 0, 0, 5], ctx)).rejects.toThrow(MalformedArchitectureError);
    await expect(est.evaluate([0, 0, 0], ctx)).rejects.toThrow(/not 6 op indices/);
    await expect(est.evaluate(EXAMPLE, ctx)).rejects.toThrow(MalformedArchitectureError);
  });

  it('look up a million architectures in a few hundred milliseconds (a Map-free array read)', async () => {
    const est = nb201Cifar10Factory.create(nb201Space, {});
    const arch = parseNb201Key(EXAMPLE);
    const t0 = performance.now();
    let sum = 0;
    for (let i = 0; i < 1_000_000; i++) sum += (await est.evaluate(arch, ctx)).test_acc!;
    expect(sum).toBeGreaterThan(0);
    // ~0.5 s here; the bound leaves room for a loaded CI runner
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});

describe('the known optimum', () => {
  it('is the best accuracy in the table, for each data set', () => {
    expect(nb201Cifar10Factory.create(nb201Space, {}).optimum).toEqual({ test_acc: 94.37333333333333 });
    expect(nb201Cifar100Factory.create(nb201Space, {}).optimum!.test_acc).toBeCloseTo(73.51, 2);
    expect(nb201ImageNet16Factory.create(nb201Space, {}).optimum!.test_acc).toBeCloseTo(47.31, 2);
  });
});
