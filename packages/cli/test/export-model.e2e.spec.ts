import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith } from '@archlab/core/testing';
import { initBackend, loadNetworkWeights, type Network } from '@archlab/nn';
import { SqliteEventStore } from '@archlab/storage-sqlite';
import { fashionMnistRequirement, loadDataset, makeBatch } from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { archlab, TINY_DATA, tempDir } from './cli-harness.js';
import { maxDiff, runOnnx } from './onnx-check.js';

const SEARCH = [
  ...'search --space fmnist-chain --estimator train --strategy random --trials 2 --seed 3'.split(' '),
  ...TINY_DATA,
  ...'--estimator-option max-train=300 --estimator-option workers=1'.split(' '),
  ...'--estimator-option save-weights=true --db runs.db --run-id ex'.split(' '),
];

interface Completed {
  data: { trialId: number; artifacts: { weights: { blob: string } } };
}

describeWith(fashionMnistRequirement(), 'archlab export-model', () => {
  const cwd = tempDir();
  const nets: Network[] = [];

  beforeAll(async () => {
    const run = archlab(cwd, ...SEARCH);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    await initBackend('cpu');
  }, 300_000);

  afterAll(() => {
    for (const n of nets) n.dispose();
  });

  /** Trial `trialId`'s network with its recorded weights, as archlab computes it. */
  async function trainedNetwork(trialId: number): Promise<Network> {
    const { spaceNetwork } = await import('@archlab/space-fmnist-chain/network');
    const events = JSON.parse(
      archlab(cwd, 'events', 'ex', '--db', 'runs.db', '--type', 'TrialCompleted', '--json').stdout,
    ) as Completed[];
    const completed = events.find((e) => e.data.trialId === trialId)!;
    const arch = JSON.parse(archlab(cwd, 'show', 'ex', '--db', 'runs.db', '--json').stdout).top.find(
      (t: { trialId: number }) => t.trialId === trialId,
    ).arch as string;
    const store = SqliteEventStore.open(join(cwd, 'runs.db'));
    try {
      const net = spaceNetwork.build(arch, {}, { inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
      nets.push(net);
      loadNetworkWeights(net, (await store.getBlob(completed.data.artifacts.weights.blob))!);
      return net;
    } finally {
      await store.close();
    }
  }

  /** onnxruntime's logits for `images` (NHWC) from the model at `file`. */
  async function runModel(file: string, images: Float32Array, batch: number): Promise<Float32Array> {
    const logits = await runOnnx(join(cwd, file), images, [batch, 28, 28, 1]);
    expect(logits).toHaveLength(batch * 10);
    return logits;
  }

  /** `archlab export-model --db runs.db --trial TRIAL --out OUT ...flags` in the run's folder. */
  function exportTrial(trial: number, out: string, ...flags: string[]) {
    return archlab(cwd, 'export-model', '--db', 'runs.db', '--trial', String(trial), '--out', out, ...flags);
  }

  it('writes each trial as an ONNX model whose outputs on test images equal the trained network in archlab', async () => {
    const dataset = await loadDataset('fashion-mnist');
    const indices = Array.from({ length: 16 }, (_, i) => i * 7);
    const batch = makeBatch(dataset, dataset.test, indices);
    const pixels = new Float32Array(16 * 784);
    indices.forEach((index, b) => {
      for (let k = 0; k < 784; k++) pixels[b * 784 + k] = dataset.test.images[index * 784 + k]!;
    });
    for (const trial of [0, 1]) {
      const written = exportTrial(trial, `t${trial}.onnx`);
      expect(written.stderr).toBe('');
      expect(written.code).toBe(0);
      expect(written.stdout).toMatch(
        new RegExp(`^wrote t${trial}\\.onnx \\(ONNX opset 13, \\d+ bytes\\): trial ${trial} of run ex`),
      );
      const pixelModel = exportTrial(trial, `p${trial}.onnx`, '--pixels');
      expect(pixelModel.code).toBe(0);

      const net = await trainedNetwork(trial);
      const expected = tf.tidy(() => net.apply(tf.tensor4d(batch.images, [16, 28, 28, 1])).dataSync());
      expect(Math.max(...Array.from(expected, Math.abs))).toBeGreaterThan(0.01);
      expect(maxDiff(await runModel(`t${trial}.onnx`, batch.images, 16), expected)).toBeLessThan(1e-4);
      expect(maxDiff(await runModel(`p${trial}.onnx`, pixels, 16), expected)).toBeLessThan(1e-4);
    }
  }, 300_000);

  it("takes the run's best trial by default, and says what it wrote with --json", () => {
    const best = JSON.parse(archlab(cwd, 'show', 'ex', '--db', 'runs.db', '--json').stdout).best;
    const r = archlab(cwd, 'export-model', '--db', 'runs.db', '--out', 'best.onnx', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      out: 'best.onnx',
      format: 'onnx',
      run: 'ex',
      trial: best.trialId,
      input: { name: 'input', shape: ['batch', 28, 28, 1], pixels: false },
      output: { name: 'logits', shape: ['batch', 10] },
    });
  }, 120_000);

  it('refuses bad input with one line and exit 2, writing nothing and replacing nothing', () => {
    writeFileSync(join(cwd, 'kept.onnx'), 'precious');
    const table = archlab(
      cwd,
      ...'search --space nb201 --estimator nb201:cifar10 --trials 2 --db runs.db --run-id table'.split(' '),
    );
    expect(table.code).toBe(0);
    const cases: [string[], RegExp][] = [
      [['--trial', '9', '--out', 'x.onnx'], /^archlab: error: run ex has no trial 9 \(trials 0\.\.1\)$/],
      [
        ['--run', 'table', '--trial', '0', '--out', 'x.onnx'],
        /^archlab: error: trial 0 of run table has no trained weights \(estimator 'nb201:cifar10' kept none\): train it with archlab train --run table --arch KEY --db runs\.db \(KEY: its architecture, in archlab show table\) and export that run/,
      ],
      [
        ['--trial', '0', '--out', 'kept.onnx'],
        /^archlab: error: --out 'kept\.onnx' exists; give --force to replace it/,
      ],
      [
        ['--trial', '0', '--out', 'x.onnx', '--format', 'tflite'],
        /^archlab: error: unknown model format 'tflite'; known model formats: onnx$/,
      ],
      [['--trial', '0', '--out', 'runs.db', '--force'], /^archlab: error: --out 'runs\.db' is the database/],
      [['--out', 'x.onnx'], /^archlab: error: runs\.db holds 2 runs: give --run ID/],
      [['--run', 'nope', '--out', 'x.onnx'], /^archlab: error: unknown run 'nope'/],
      [
        ['--run', 'ex', '--out', 'no/such/folder/x.onnx'],
        /^archlab: error: cannot write --out 'no\/such\/folder\/x\.onnx': folder 'no\/such\/folder' does not exist$/,
      ],
    ];
    for (const [flags, message] of cases) {
      const args = flags.includes('--run') ? flags : ['--run', 'ex', ...flags];
      const r = archlab(cwd, 'export-model', '--db', 'runs.db', ...(flags[0] === '--out' ? flags : args));
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    }
    expect(readFileSync(join(cwd, 'kept.onnx'), 'utf8')).toBe('precious');
    expect(() => readFileSync(join(cwd, 'x.onnx'))).toThrow();
    const forced = archlab(
      cwd,
      'export-model',
      '--db',
      'runs.db',
      '--run',
      'ex',
      '--trial',
      '0',
      '--out',
      'kept.onnx',
      '--force',
    );
    expect(forced.code).toBe(0);
    expect(readFileSync(join(cwd, 'kept.onnx')).subarray(0, 8).toString()).not.toBe('precious');
  }, 300_000);
});
