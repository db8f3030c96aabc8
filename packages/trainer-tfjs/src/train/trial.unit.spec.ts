import { ConfigError, InvalidOptionError, type Metrics } from '@archlab/core';
import { decodeSafetensors } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { registerDataset } from '../data/registry.js';
import { brightnessDataset } from './test-fixtures.js';
import { tinyBuilds as built } from './tiny-space-network.js';
import { learningRate, parseTrainOptions } from './train-options.js';
import { runTrainingTrial, type TrainRequest } from './trial.js';

const dataset = brightnessDataset({ train: 200, test: 60 });
const undo = [registerDataset({ name: 'brightness', description: 'test data', load: async () => dataset })];
afterAll(() => {
  for (const u of undo) u();
});

const request: TrainRequest = {
  space: 'tiny',
  spaceOptions: {},
  network: new URL('./tiny-space-network.js', import.meta.url).href,
  arch: '8',
  options: { backend: 'cpu', dataset: 'brightness', epochs: 3, 'batch-size': 16, 'max-test': 30 },
  seed: 3,
};

function hooks(signal = new AbortController().signal) {
  const reports: [number, Metrics][] = [];
  return { reports, signal, report: (step: number, m: Metrics) => reports.push([step, m]) };
}

describe('runTrainingTrial', () => {
  it('builds the network for the space, trains it, reports each epoch and returns the metrics', async () => {
    const h = hooks();
    const { metrics, weights } = await runTrainingTrial(request, h);
    expect(weights).toBeUndefined();
    expect(built.at(-1)).toEqual({ arch: '8', seed: 3, inputShape: [5, 5, 1], numClasses: 3 });
    expect(Object.keys(metrics).sort()).toEqual(
      ['epochs_run', 'flops', 'loss', 'params', 'test_acc', 'train_acc', 'train_ms', 'val_acc'].sort(),
    );
    expect(metrics.val_acc).toBeGreaterThan(60); // chance is 33%; how well it learns is train-network's test
    expect(metrics.epochs_run).toBe(3);
    expect(metrics.params).toBe(25 * 8 + 8 + 8 * 3 + 3);
    expect(h.reports.map(([e]) => e)).toEqual([1, 2, 3]);
  });

  it('gives the same metrics for the same request and disposes the network', async () => {
    const before = tf.memory().numTensors;
    const { train_ms: _, ...a } = (await runTrainingTrial(request, hooks())).metrics;
    expect(tf.memory().numTensors).toBe(before);
    const { train_ms: __, ...b } = (await runTrainingTrial(request, hooks())).metrics;
    expect(b).toEqual(a);
  });

  it('with save-weights, returns the trained weights as safetensors: the same bytes for the same seed', async () => {
    const saving = { ...request, options: { ...request.options, 'save-weights': true } };
    const a = await runTrainingTrial(saving, hooks());
    const { tensors, metadata } = decodeSafetensors(a.weights!);
    expect(metadata).toEqual({ space: 'tiny', arch: '8' });
    expect(tensors.map((t) => [t.name, t.shape])).toEqual([
      ['hidden/kernel', [25, 8]],
      ['hidden/bias', [8]],
      ['logits/kernel', [8, 3]],
      ['logits/bias', [3]],
    ]);
    expect(tensors.reduce((n, t) => n + t.data.length, 0)).toBe(a.metrics.params);
    // Trained, not initial: the biases start at zero.
    expect(tensors[1]!.data.some((v) => v !== 0)).toBe(true);
    const b = await runTrainingTrial(saving, hooks());
    expect(Buffer.from(b.weights!).equals(Buffer.from(a.weights!))).toBe(true);
    const other = await runTrainingTrial({ ...saving, seed: 4 }, hooks());
    expect(Buffer.from(other.weights!).equals(Buffer.from(a.weights!))).toBe(false);
  });

  it('disposes the network when training fails', async () => {
    const before = tf.memory().numTensors;
    const diverging = { ...request, options: { ...request.options, lr: 10, 'weight-decay': 0 } };
    const failure = runTrainingTrial({ ...diverging, spaceOptions: { offset: 1 } }, hooks());
    await expect(failure).rejects.toThrow(/training diverged/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects when aborted before training starts', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    await expect(runTrainingTrial(request, hooks(controller.signal))).rejects.toThrow('stopped');
  });

  it('says which network module it cannot load', async () => {
    const nope = { ...request, space: 'nope', network: 'file:///nowhere/src/nope-network.js' };
    await expect(runTrainingTrial(nope, hooks())).rejects.toThrow(ConfigError);
    await expect(runTrainingTrial(nope, hooks())).rejects.toThrow(
      'the network module /nowhere/src/nope-network.js does not exist',
    );
  });

  it('rejects invalid options before doing any work', async () => {
    const bad = { ...request, options: { ...request.options, 'batch-size': 0 } };
    await expect(runTrainingTrial(bad, hooks())).rejects.toThrow(InvalidOptionError);
  });
});

describe('train options', () => {
  it('fill in defaults', () => {
    expect(parseTrainOptions({})).toEqual({
      epochs: 2,
      'batch-size': 128,
      optimizer: 'sgd',
      lr: 0,
      momentum: 0.9,
      nesterov: true,
      'weight-decay': 5e-4,
      'warmup-epochs': 0,
      augment: false,
      'crop-padding': 4,
      dropout: 0,
      'label-smoothing': 0,
      dataset: 'fashion-mnist',
      'data-dir': '',
      'val-fraction': 0.1,
      'max-train': 0,
      'max-test': 0,
      'split-seed': 0,
      backend: 'auto',
      'save-weights': false,
      workers: 0,
    });
  });

  it('coerce CLI strings', () => {
    const o = parseTrainOptions({
      epochs: '5',
      augment: 'true',
      optimizer: 'adam',
      backend: 'wasm',
      lr: '0.01',
    });
    expect([o.epochs, o.augment, o.optimizer, o.backend, o.lr]).toEqual([5, true, 'adam', 'wasm', 0.01]);
  });

  it.each([
    [{ epochs: 0 }, /'epochs' must be at least 1/],
    [{ epochs: 1.5 }, /'epochs' must be a whole number/],
    [{ 'batch-size': 5000 }, /'batch-size' must be at most 4096/],
    [{ optimizer: 'rmsprop' }, /'optimizer' must be one of sgd, adam/],
    [{ lr: -1 }, /'lr' must be at least 0/],
    [{ momentum: 1 }, /'momentum' must be at most 0.999/],
    [{ 'weight-decay': 1 }, /'weight-decay' must be at most 0.1/],
    [{ dropout: 0.99 }, /'dropout' must be at most 0.95/],
    [{ 'label-smoothing': 0.6 }, /'label-smoothing' must be at most 0.5/],
    [{ 'crop-padding': -1 }, /'crop-padding' must be at least 0/],
    [{ 'val-fraction': 0 }, /'val-fraction' must be at least 0.01/],
    [{ 'val-fraction': 0.9 }, /'val-fraction' must be at most 0.5/],
    [{ 'max-train': -1 }, /'max-train' must be at least 0/],
    [{ backend: 'webgl' }, /'backend' must be one of auto, tensorflow-gpu, tensorflow, wasm, cpu/],
    [{ workers: -1 }, /'workers' must be at least 0/],
    [{ batchSize: 4 }, /unknown option 'batchSize'/],
  ])('reject %o', (raw, message) => {
    expect(() => parseTrainOptions(raw)).toThrow(InvalidOptionError);
    expect(() => parseTrainOptions(raw)).toThrow(message);
  });

  it('pick the learning rate for the optimiser when lr is 0', () => {
    expect(learningRate({ lr: 0, optimizer: 'sgd' })).toBe(0.05);
    expect(learningRate({ lr: 0, optimizer: 'adam' })).toBe(0.001);
    expect(learningRate({ lr: 0.2, optimizer: 'adam' })).toBe(0.2);
  });
});
