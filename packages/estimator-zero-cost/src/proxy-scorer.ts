import type { SearchSpace } from '@archlab/core';
import {
  type BackendChoice,
  type ImageShape,
  initBackend,
  type LayerInfo,
  type Network,
  type SpaceNetworkModule,
  type SpaceNetworks,
} from '@archlab/nn';
import { type Dataset, loadDataset, resizeDataset } from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import {
  GRADIENT_PROXIES,
  type GradientProxy,
  gradientProxies,
  type TensorBatch,
} from './gradient-proxies.js';
import { jacobCov } from './jacob-cov.js';
import { DATA_PROXIES, type ProxyName, parseProxies, UNDEFINED_SCORE } from './proxies.js';
import { proxyBatch } from './proxy-batch.js';
import { synflow } from './synflow.js';
import { parseZeroCostOptions, type ZeroCostOptions } from './zero-cost-options.js';

/** An architecture's scores: one finite value per proxy asked for, in the order asked. */
export interface ProxyScores {
  readonly values: Readonly<Partial<Record<ProxyName, number>>>;
  /** One line per proxy whose value was not finite and was replaced by UNDEFINED_SCORE. */
  readonly warnings: readonly string[];
}

/**
 * Scores architectures of one space with a fixed set of proxies. `create` picks the backend and
 * draws the minibatch once; each `score` builds the architecture's network from `init-seed`
 * (the same weights whatever the trial), computes every proxy from that one network with as
 * few passes as they allow (snip, grad_norm, fisher and grasp share the loss gradient), and
 * disposes it. Scoring is synchronous and uses the process's tfjs backend, one architecture at
 * a time.
 */
export class ProxyScorer {
  private constructor(
    readonly space: SearchSpace,
    readonly proxies: readonly ProxyName[],
    readonly options: ZeroCostOptions,
    /** The backend that ran (`wasm`, `cpu`...). */
    readonly backend: string,
    private readonly spaceNetwork: SpaceNetworkModule,
    private readonly inputShape: ImageShape,
    private readonly numClasses: number,
    /** The data set of the data-dependent proxies, when one is asked for. */
    private readonly dataset: Dataset | undefined,
  ) {}

  /** The minibatch, by the image shape it was made for. */
  private readonly batches = new Map<string, TensorBatch>();

  /**
   * Initialises the backend and, when a data-dependent proxy is asked for, loads the data set
   * and puts the minibatch on the backend. Rejects with a MissingSpaceNetworkError (a ConfigError)
   * for a space without a network in `networks`, an InvalidOptionError for bad options, a DataError
   * for a missing data set.
   */
  static async create(
    networks: SpaceNetworks,
    space: SearchSpace,
    proxies: readonly ProxyName[],
    rawOptions: Readonly<Record<string, unknown>> = {},
  ): Promise<ProxyScorer> {
    const options = parseZeroCostOptions(rawOptions);
    const names = parseProxies(proxies);
    const spaceNetwork = await networks.load(space.name, ZERO_COST_USER);
    const needsData = names.some((p) => DATA_PROXIES.includes(p));
    const [backend, dataset] = await Promise.all([
      initBackend(options.backend as BackendChoice),
      needsData ? loadDataset(options.dataset, { dataDir: options['data-dir'] || undefined }) : undefined,
    ]);
    const inputShape = spaceNetwork.inputShape(space);
    // The classifier has the data set's classes; 10 (Fashion-MNIST's, CIFAR-10's) when no data is read.
    const numClasses = dataset?.numClasses ?? 10;
    const scorer = new ProxyScorer(
      space,
      names,
      options,
      backend.name,
      spaceNetwork,
      inputShape,
      numClasses,
      dataset,
    );
    // Drawn now, so a bad batch size fails before any architecture is scored.
    if (dataset) scorer.requireBatch(inputShape);
    return scorer;
  }

  /**
   * Scores `arch` on its freshly built network, or, when only params and flops are asked for,
   * on its layer list (no weights); never throws for a proxy that is not finite (see ProxyScores).
   */
  score(arch: unknown): ProxyScores {
    const key = this.space.key(arch);
    const want = new Set(this.proxies);
    const raw: Partial<Record<ProxyName, number>> = {};
    const layers = this.proxies.every((p) => p === 'params' || p === 'flops')
      ? this.describe(arch)
      : undefined;
    if (layers) {
      raw.params = layers.reduce((n, l) => n + l.params, 0);
      raw.flops = layers.reduce((n, l) => n + l.flops, 0);
    } else {
      const network = this.network(key);
      try {
        if (want.has('synflow')) raw.synflow = synflow(network);
        if (want.has('params')) raw.params = network.paramCount();
        if (want.has('flops')) raw.flops = network.flops();
        const gradient = GRADIENT_PROXIES.filter((p) => want.has(p)) as GradientProxy[];
        if (gradient.length)
          Object.assign(raw, gradientProxies(network, this.requireBatch(network.inputShape), gradient));
        if (want.has('jacob_cov'))
          raw.jacob_cov = jacobCov(network, this.requireBatch(network.inputShape).images);
      } finally {
        network.dispose();
      }
    }
    const values: Partial<Record<ProxyName, number>> = {};
    const warnings: string[] = [];
    for (const p of this.proxies) {
      const v = raw[p]!;
      if (Number.isFinite(v)) {
        values[p] = v === 0 ? 0 : v; // not -0
      } else {
        values[p] = UNDEFINED_SCORE;
        warnings.push(
          `${p} of ${this.space.name} architecture '${key}' is ${v}; scored ${UNDEFINED_SCORE} (last)`,
        );
      }
    }
    return { values, warnings };
  }

  /** The freshly initialised network the proxies read, for callers that time or inspect it; theirs to dispose. */
  network(key: string): Network {
    return this.spaceNetwork.build(key, this.space.options ?? {}, {
      inputShape: this.inputShape,
      numClasses: this.numClasses,
      seed: this.options['init-seed'],
    });
  }

  /** The layers of `arch`'s network, listed without weights. */
  private describe(arch: unknown): readonly LayerInfo[] {
    return this.spaceNetwork.describe(this.space, arch, {
      inputShape: this.inputShape,
      numClasses: this.numClasses,
    }).layers;
  }

  /** Frees the minibatches. */
  dispose(): void {
    for (const b of this.batches.values()) tf.dispose([b.images, b.labels]);
    this.batches.clear();
  }

  /**
   * The minibatch for a network taking `shape`: the same images for every architecture, resized
   * bilinearly first when the network takes another resolution than the space's (an mbv3
   * architecture's), then fitted to it (see `proxyBatch`).
   */
  private requireBatch(shape: ImageShape): TensorBatch {
    const dataset = this.dataset;
    if (!dataset) throw new Error('this scorer was created without a data-dependent proxy');
    const key = shape.join('x');
    let batch = this.batches.get(key);
    if (!batch) {
      const [h, w] = this.inputShape;
      const source =
        shape[0] === h && shape[1] === w
          ? dataset
          : resizeDataset(dataset, [shape[0], shape[1], dataset.imageShape[2]]);
      const b = proxyBatch(source, this.options['batch-size'], this.options['init-seed'], shape);
      batch = tf.tidy(() => ({
        images: tf.tensor4d(b.images, [b.size, ...shape]),
        labels: tf.cast(
          tf.oneHot(tf.tensor1d(b.labels, 'int32'), dataset.numClasses),
          'float32',
        ) as tf.Tensor2D,
      }));
      this.batches.set(key, batch);
    }
    return batch;
  }
}

/** Who needs a space's network, as MissingSpaceNetworkError names it. */
export const ZERO_COST_USER = 'zero-cost proxies';
