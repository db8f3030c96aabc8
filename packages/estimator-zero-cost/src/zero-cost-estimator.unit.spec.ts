import { nb201Space, nb201SpaceNetwork } from '@archlab/bench-nb201';
import {
  ConfigError,
  Container,
  InvalidOptionError,
  MalformedArchitectureError,
  PluginRegistry,
  Rng,
  type SearchSpace,
} from '@archlab/core';
import { estimatorContract } from '@archlab/core/testing';
import { SpaceNetworks } from '@archlab/nn';
import { fmnistChainSpace, fmnistChainSpaceNetwork } from '@archlab/space-fmnist-chain';
import { mbv3Space, mbv3SpaceNetwork } from '@archlab/space-mbv3';
import { type Dataset, registerDataset } from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { PROXIES, UNDEFINED_SCORE } from './proxies.js';
import { fitImages } from './proxy-batch.js';
import { ProxyScorer } from './proxy-scorer.js';
import { scoreArchitectures } from './score-architectures.js';
import { combinedEstimatorFactory, proxyEstimatorFactory } from './zero-cost-estimator.js';
import { zeroCostModule } from './zero-cost-module.js';

/** The spaces' networks, as a container with the space packages loaded holds them. */
const NETWORKS = new SpaceNetworks([nb201SpaceNetwork, fmnistChainSpaceNetwork, mbv3SpaceNetwork]);

// NAS-Bench-201 and fmnist-chain networks on the wasm backend, fed from a small synthetic data
// set of Fashion-MNIST's shape (so these tests need no data files), with a batch of 4.

const DATASET = 'zc-test-noise';

function noise(): Dataset {
  const rng = Rng.fromSeed('zc-test');
  const split = (count: number) => ({
    count,
    images: Uint8Array.from({ length: count * 784 }, () => rng.int(256)),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
  });
  return {
    name: DATASET,
    imageShape: [28, 28, 1],
    numClasses: 10,
    classNames: Array.from({ length: 10 }, (_, i) => `c${i}`),
    mean: [0.5],
    std: [0.29],
    train: split(40),
    test: split(10),
  };
}

registerDataset({ name: DATASET, description: 'uniform noise, 28×28×1', load: async () => noise() });

const OPTIONS = { dataset: DATASET, 'batch-size': 4, backend: 'wasm' } as const;
const NONE = nb201Space.parse('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|');
const CONV3 = nb201Space.parse(
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|',
);
const chain = fmnistChainSpace({ maxDepth: 4, widths: '8,16' });

estimatorContract(
  'zc:synflow',
  () => proxyEstimatorFactory(NETWORKS, 'synflow').create(nb201Space, OPTIONS),
  nb201Space,
  5,
);
estimatorContract(
  'zc (synflow, jacob_cov, params) on fmnist-chain',
  () =>
    combinedEstimatorFactory(NETWORKS).create(chain, {
      ...OPTIONS,
      proxies: 'synflow,jacob_cov,params',
      reference: 5,
    }),
  chain,
  5,
);

describe('ProxyScorer', () => {
  it('scores every proxy, the same for the same init-seed whichever scorer, differently for another', async () => {
    const arch = nb201Space.sample(Rng.fromSeed(4));
    const [a, b, c] = await Promise.all(
      [0, 0, 1].map((seed) =>
        ProxyScorer.create(NETWORKS, nb201Space, PROXIES, { ...OPTIONS, 'init-seed': seed }),
      ),
    );
    const first = a!.score(arch);
    expect(Object.keys(first.values)).toEqual([...PROXIES]);
    expect(Object.values(first.values).every(Number.isFinite)).toBe(true);
    expect(first.warnings).toEqual([]);
    expect(b!.score(arch)).toEqual(first);
    const other = c!.score(arch).values;
    expect(other.synflow).not.toBe(first.values.synflow);
    expect(other.params).toBe(first.values.params);
    for (const s of [a, b, c]) s!.dispose();
  });

  it('scores mbv3 networks of every resolution on the minibatch resized to it, and frees each', async () => {
    const space = mbv3Space({ widths: '4,8,8,8', final: 8 });
    const scorer = await ProxyScorer.create(NETWORKS, space, ['snip', 'jacob_cov'], OPTIONS);
    const before = tf.memory().numTensors;
    const scores = ['r20', 'r24', 'r28'].map((r) =>
      scorer.score(space.parse(`${r}-k33e33-k33e33-k33e33-k33e33`)),
    );
    for (const { values, warnings } of scores) {
      expect(warnings).toEqual([]);
      expect(Object.values(values).every((v) => Number.isFinite(v) && v !== UNDEFINED_SCORE)).toBe(true);
    }
    // The same images at another size give another score; two more minibatches are kept.
    expect(new Set(scores.map((s) => s.values.snip)).size).toBe(3);
    expect(tf.memory().numTensors).toBe(before + 4);
    expect(scorer.score(space.parse('r20-k33e33-k33e33-k33e33-k33e33'))).toEqual(scores[0]);
    scorer.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
  });

  it('gives an undefined proxy a finite last-place score and a warning instead of failing', async () => {
    const scorer = await ProxyScorer.create(NETWORKS, nb201Space, PROXIES, OPTIONS);
    // No path from input to output: zero gradients, and a constant (zero) input Jacobian.
    const { values, warnings } = scorer.score(NONE);
    expect(values.jacob_cov).toBe(UNDEFINED_SCORE);
    expect(warnings).toEqual([
      expect.stringMatching(/^jacob_cov of nb201 architecture '\|none~0\|.*' is NaN/),
    ]);
    for (const p of ['synflow', 'snip', 'grasp', 'fisher', 'grad_norm'] as const) expect(values[p]).toBe(0);
    expect(values.params).toBeGreaterThan(0);
    scorer.dispose();
  });

  it('frees every tensor it makes', async () => {
    const scorer = await ProxyScorer.create(NETWORKS, nb201Space, PROXIES, OPTIONS);
    const rng = Rng.fromSeed(5);
    scorer.score(nb201Space.sample(rng));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) scorer.score(nb201Space.sample(rng));
    scorer.score(NONE);
    expect(tf.memory().numTensors).toBe(before);
    scorer.dispose();
    expect(tf.memory().numTensors).toBe(before - 2); // the minibatch's images and labels
  });

  it('counts params and flops without weights when nothing else is asked for, as the built network does', async () => {
    for (const space of [nb201Space, chain] as SearchSpace[]) {
      const counts = await ProxyScorer.create(NETWORKS, space, ['params', 'flops'], OPTIONS);
      const built = await ProxyScorer.create(NETWORKS, space, ['synflow', 'params', 'flops'], OPTIONS);
      const rng = Rng.fromSeed(6);
      for (let i = 0; i < 4; i++) {
        const arch = space.sample(rng);
        const { synflow: _, ...expected } = built.score(arch).values;
        expect(counts.score(arch).values).toEqual(expected);
      }
    }
  });

  it('reads no data set for data-free proxies, and says which space it cannot build', async () => {
    const scorer = await ProxyScorer.create(NETWORKS, nb201Space, ['synflow', 'params', 'flops'], {
      ...OPTIONS,
      dataset: 'not-a-data-set',
    });
    expect(scorer.score(CONV3).values.params).toBe(1_531_546);
    scorer.dispose();
    const other = { ...nb201Space, name: 'other' } as SearchSpace;
    await expect(ProxyScorer.create(NETWORKS, other, ['params'], OPTIONS)).rejects.toThrow(ConfigError);
    await expect(ProxyScorer.create(NETWORKS, other, ['params'], OPTIONS)).rejects.toThrow(
      "zero-cost proxies: space 'other' has no network (no loaded plugin binds a SpaceNetwork for it); spaces with one: fmnist-chain, mbv3, nb201",
    );
  });
});

describe('scoreArchitectures', () => {
  it('returns each key’s values in order and reports progress', async () => {
    const keys = [nb201Space.key(CONV3), nb201Space.key(NONE)];
    const progress: number[] = [];
    const scored = await scoreArchitectures(
      NETWORKS,
      nb201Space,
      keys,
      'params,flops,synflow',
      OPTIONS,
      (done, total) => progress.push(done, total),
    );
    expect(scored.map((s) => s.key)).toEqual(keys);
    expect(scored[0]!.values.params).toBeGreaterThan(scored[1]!.values.params!);
    expect(scored[1]!.values.synflow).toBe(0);
    expect(scored.every((s) => s.ms > 0 && s.warnings.length === 0)).toBe(true);
    expect(progress).toEqual([1, 2, 2, 2]);
  });

  it('fails fast on an unknown proxy or a malformed key', async () => {
    await expect(scoreArchitectures(NETWORKS, nb201Space, [], 'synflow,naswot')).rejects.toThrow(
      InvalidOptionError,
    );
    await expect(scoreArchitectures(NETWORKS, nb201Space, ['|bogus|'], ['params'])).rejects.toThrow(
      MalformedArchitectureError,
    );
  });
});

describe('zc estimators', () => {
  it('are registered by the module: zc and one zc:NAME per proxy', () => {
    const container = new Container();
    container.load(zeroCostModule);
    expect(new PluginRegistry(container).names('estimator')).toEqual(
      ['zc', ...PROXIES.map((p) => `zc:${p}`)].sort(),
    );
  });

  it('report the proxy under its own name, larger predicted better', async () => {
    const est = proxyEstimatorFactory(NETWORKS, 'grad_norm').create(nb201Space, OPTIONS);
    expect(est.metrics).toEqual([expect.objectContaining({ name: 'grad_norm', direction: 'max' })]);
    expect(est.deterministic).toBe(false);
    expect(proxyEstimatorFactory(NETWORKS, 'params').create(nb201Space, {}).deterministic).toBe(true);
    expect(await est.prepare?.()).toEqual({ backend: 'wasm', batch: `4 ${DATASET} images` });
    await est.dispose?.();
  });

  it('zc ranks by the mean percentile among its reference sample', async () => {
    const est = combinedEstimatorFactory(NETWORKS).create(nb201Space, {
      ...OPTIONS,
      proxies: 'params,synflow',
      reference: 8,
    });
    expect(est.metrics.map((m) => m.name)).toEqual(['zc_rank', 'params', 'synflow']);
    expect(await est.prepare?.()).toEqual({ backend: 'wasm', reference: '8 architectures' });
    const ctx = { trialId: 0, seed: 0, signal: new AbortController().signal, report: () => {} };
    const big = await est.evaluate(CONV3, ctx);
    expect(big.zc_rank).toBe(100); // the most parameters and the largest synflow in the space
    const none = await est.evaluate(NONE, ctx);
    expect(none.zc_rank).toBeLessThan(25);
    expect(Object.keys(none)).toEqual(['zc_rank', 'params', 'synflow']);
  });

  it('reject an unknown proxy or option, naming the known ones', () => {
    expect(() =>
      combinedEstimatorFactory(NETWORKS).create(nb201Space, { proxies: 'synflow,naswot' }),
    ).toThrow(/zc: option 'proxies': unknown proxy 'naswot'; known proxies: synflow, snip/);
    expect(() => proxyEstimatorFactory(NETWORKS, 'snip').create(nb201Space, { batchsize: 8 })).toThrow(
      /zc:snip: unknown option 'batchsize'; known options: batch-size/,
    );
  });
});

describe('fitImages', () => {
  it('centres, pads with the fill value and repeats the channel', () => {
    // One 2×2×1 image [1 2; 3 4] into 4×4×3: a 1-pixel border of -9.
    const out = fitImages(Float32Array.from([1, 2, 3, 4]), 1, [2, 2, 1], [4, 4, 3], [-9]);
    const pixel = (y: number, x: number) => Array.from(out.slice((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
    expect(pixel(0, 0)).toEqual([-9, -9, -9]);
    expect(pixel(1, 1)).toEqual([1, 1, 1]);
    expect(pixel(1, 2)).toEqual([2, 2, 2]);
    expect(pixel(2, 1)).toEqual([3, 3, 3]);
    expect(pixel(3, 3)).toEqual([-9, -9, -9]);
    // Smaller: a centred crop.
    expect(
      Array.from(fitImages(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), 1, [3, 3, 1], [1, 1, 1], [0])),
    ).toEqual([5]);
  });
});
