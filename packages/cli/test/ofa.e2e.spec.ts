import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith } from '@archlab/core/testing';
import { initBackend, loadNetworkWeights } from '@archlab/nn';
import { SqliteEventStore } from '@archlab/storage-sqlite';
import {
  fashionMnistRequirement,
  loadDataset,
  makeBatch,
  resizeTrainingData,
  splitDataset,
} from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { archlab, storedEvents, tempDir } from './cli-harness.js';
import { maxDiff, runOnnx } from './onnx-check.js';
import { cutAfter, killAndResume, work } from './run-log.js';

// Once-for-All through the CLI on a slice of the real Fashion-MNIST: a small mbv3 space (two
// stages of 8 and 12 channels, 1–2 blocks, 20 or 24 px), each phase one epoch of 128 images,
// three measured subnets, one pick, which keeps its weights and is exported as an ONNX model.

const SPACE = ['widths=8,12', 'strides=1,2', 'stem=8', 'final=32', 'depths=1,2', 'resolutions=20,24'].flatMap(
  (o) => ['--space-option', o],
);
const OPTIONS = [
  'train-images=128',
  'val-images=64',
  'batch-size=32',
  'full-epochs=1',
  'kernel-epochs=1',
  'depth-epochs=1',
  'expand-epochs=1',
  'predictor-samples=3',
  'search-steps=40',
  'population=4',
  'sampleSize=2',
].flatMap((o) => ['--strategy-option', o]);
const search = (runId: string, ...more: string[]) => [
  'search',
  '--space',
  'mbv3',
  ...SPACE,
  '--strategy',
  'ofa',
  '--estimator',
  'ofa-subnet',
  '--estimator-option',
  'bn-images=64',
  '--trials',
  '8',
  '--seed',
  '5',
  '--run-id',
  runId,
  ...OPTIONS,
  ...more,
  '--quiet',
];

describeWith(fashionMnistRequirement(), 'Once-for-All on Fashion-MNIST, through the CLI', () => {
  let dir: string;
  let whole: unknown[];

  beforeAll(() => {
    dir = tempDir();
    const r = archlab(dir, ...search('o'), '--db', 'full.db');
    expect(r.code, r.stderr).toBe(0);
    whole = work(join(dir, 'full.db'), 'o');
  }, 300_000);

  it('logs each phase and its epochs, measures subnets, picks one; verify passes', () => {
    const log = storedEvents(join(dir, 'full.db'), 'o');
    const progress = log
      .filter((r) => r.type === 'Progressed')
      .map((r) => r.data.metrics as Record<string, number>);
    expect(progress.map((m) => m.phase)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    expect(progress.map((m) => m.phase_start ?? 0)).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
    // Distillation from the frozen full network after the full phase, none in it.
    expect(progress[1]!.kd).toBeUndefined();
    for (const i of [3, 5, 7]) expect(progress[i]!.kd).toBeGreaterThanOrEqual(0);
    expect(progress.filter((m) => !m.phase_start).map((m) => m.images)).toEqual([128, 256, 384, 512]);
    const done = log
      .filter((r) => r.type === 'TrialCompleted')
      .map((r) => r.data.metrics as Record<string, number>);
    expect(done).toHaveLength(8);
    // Four proposals while training, then the supernet is fixed: three measured, one picked.
    expect(done.map((m) => m.supernet_images)).toEqual([128, 256, 384, 512, 512, 512, 512, 512]);
    const owners = new Set(log.filter((r) => r.type === 'Checkpointed').map((r) => r.data.owner));
    expect(owners).toEqual(new Set(['strategy', 'ofa-supernet']));
    const verify = archlab(dir, 'replay', 'o', '--db', 'full.db', '--verify');
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it("exports the pick at its resolution: onnxruntime gives archlab's logits (1e-4) and the accuracy the estimator scored; other trials are refused, naming the pick", async () => {
    const db = join(dir, 'full.db');
    const log = storedEvents(db, 'o');
    const done = log.filter((r) => r.type === 'TrialCompleted');
    // Only the pick (the last trial) keeps its weights: training proposals and predictor samples none.
    expect(done.filter((r) => r.data.artifacts).map((r) => r.data.trialId)).toEqual([7]);
    const pick = done.at(-1)!.data as {
      metrics: { ofa_acc: number };
      artifacts: { weights: { blob: string; format: string } };
    };
    expect(pick.artifacts.weights.format).toBe('safetensors');
    const key = log.find((r) => r.type === 'TrialProposed' && r.data.trialId === 7)!.data.arch as string;
    const side = Number(/^r(\d+)-/.exec(key)![1]);
    expect([20, 24]).toContain(side);

    const exported = (out: string, ...flags: string[]) =>
      archlab(dir, 'export-model', '--db', 'full.db', '--trial', '7', '--out', out, ...flags);
    const r = exported('pick.onnx', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      trial: 7,
      arch: key,
      input: { name: 'input', shape: ['batch', side, side, 1], pixels: false, resizedFrom: [28, 28, 1] },
      output: { name: 'logits', shape: ['batch', 10] },
    });
    // The model says what it takes.
    expect(
      readFileSync(join(dir, 'pick.onnx')).includes(
        `NHWC [batch, ${side}, ${side}, 1]: images resized to ${side}×${side} first`,
      ),
    ).toBe(true);
    expect(exported('pick-pixels.onnx', '--pixels').code).toBe(0);

    // The run's validation images, split as the supernet split them, at the pick's resolution.
    const dataset = await loadDataset('fashion-mnist');
    const data = resizeTrainingData(
      splitDataset(dataset, { valFraction: 64 / 192, maxTrain: 128, seed: 0 }),
      [side, side, 1],
    );
    const indices = Array.from(data.val.indices);
    expect(indices).toHaveLength(64);
    const batch = makeBatch(data.dataset, data.val.split, indices);
    const pixels = new Float32Array(indices.length * side * side);
    indices.forEach((index, b) => {
      for (let k = 0; k < side * side; k++)
        pixels[b * side * side + k] = data.val.split.images[index * side * side + k]!;
    });

    // archlab's forward pass: the mbv3 network of the pick with the weights the estimator kept.
    await initBackend('cpu');
    const { spaceNetwork } = await import('@archlab/space-mbv3/network');
    const spaceOptions = (log[0]!.data as { config: { spaceOptions: Record<string, unknown> } }).config
      .spaceOptions;
    const net = spaceNetwork.build(key, spaceOptions, { inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
    const store = SqliteEventStore.open(db);
    let expected: Float32Array;
    try {
      loadNetworkWeights(net, (await store.getBlob(pick.artifacts.weights.blob))!);
      expected = tf.tidy(
        () => net.apply(tf.tensor4d(batch.images, [batch.size, side, side, 1])).dataSync() as Float32Array,
      );
    } finally {
      net.dispose();
      await store.close();
    }
    expect(Math.max(...Array.from(expected, Math.abs))).toBeGreaterThan(0.01);
    const shape = [batch.size, side, side, 1];
    const logits = await runOnnx(join(dir, 'pick.onnx'), batch.images, shape);
    expect(maxDiff(logits, expected)).toBeLessThan(1e-4);
    expect(maxDiff(await runOnnx(join(dir, 'pick-pixels.onnx'), pixels, shape), expected)).toBeLessThan(1e-4);
    // onnxruntime's predictions on the scored images give the accuracy the run recorded.
    let correct = 0;
    for (let b = 0; b < batch.size; b++) {
      const row = Array.from(logits.subarray(b * 10, b * 10 + 10));
      if (row.indexOf(Math.max(...row)) === batch.labels[b]) correct++;
    }
    expect((100 * correct) / batch.size).toBe(pick.metrics.ofa_acc);

    for (const trial of ['1', '5']) {
      const refused = archlab(dir, 'export-model', '--db', 'full.db', '--trial', trial, '--out', 'x.onnx');
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(
        `archlab: error: trial ${trial} of run o has no trained weights (estimator 'ofa-subnet' kept none for it); the trials that have them: 7 (give --trial with one of them)\n`,
      );
    }
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false);
  }, 120_000);

  it('resumes a log cut in each phase, in the measurements and at the pick to the same run (checkpoints hold the weights hash)', () => {
    const log = storedEvents(join(dir, 'full.db'), 'o');
    const starts = log.filter(
      (r) => r.type === 'Progressed' && (r.data.metrics as { phase_start?: number }).phase_start,
    );
    const started = log.filter((r) => r.type === 'TrialStarted');
    const points: Record<string, number> = {
      ...Object.fromEntries(starts.map((r, p) => [`as phase ${p} begins`, r.seq])),
      'while a subnet is measured': started[5]!.seq,
      'while the pick is measured': started[7]!.seq,
    };
    for (const [what, seq] of Object.entries(points)) {
      const name = `cut${seq}.db`;
      cutAfter(dir, 'full.db', name, 'o', seq);
      const r = archlab(dir, 'resume', 'o', '--db', name);
      expect(r.code, `${what}: ${r.stderr}`).toBe(0);
      expect(work(join(dir, name), 'o'), what).toEqual(whole);
    }
  }, 600_000);

  it('kill -9 while the expand phase trains, then resume: the same run', async () => {
    const cut = await killAndResume(
      dir,
      search('o'),
      'k.db',
      'o',
      (log) => log.some((r) => r.type === 'Progressed' && (r.data.metrics as { phase: number }).phase === 3),
      300,
      whole,
    );
    expect(cut.filter((r) => r.type === 'TrialCompleted').length).toBeLessThan(8);
  }, 300_000);

  it('refuses what an OFA run cannot do, with a one-line error and nothing stored', () => {
    const bad: [string[], RegExp][] = [
      [['--strategy-option', 'budgets=3,abc'], /budgets is latency budgets in ms.*'abc'/],
      [['--strategy-option', 'budgets=3'], /add a hardware model that gives latency_ms \(--hardware lut/],
      [['--estimator', 'train'], /run it with --estimator ofa-subnet/],
      [['--strategy-option', 'full-epochs=0'], /full-epochs/],
      [['--concurrency', '2'], /one trial at a time/],
    ];
    for (const [args, message] of bad) {
      const argv = search('bad');
      // Another estimator has no ofa-subnet options.
      if (args[0] === '--estimator') argv.splice(argv.indexOf('--estimator-option'), 2);
      const at = argv.indexOf(args[0]!);
      if (at >= 0 && args[0] !== '--strategy-option') argv[at + 1] = args[1]!;
      else argv.push(...args);
      const r = archlab(dir, ...argv, '--db', 'bad.db');
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const other = archlab(
      dir,
      'search',
      '--space',
      'fmnist-chain',
      '--strategy',
      'ofa',
      '--estimator',
      'ofa-subnet',
      '--trials',
      '1',
      '--db',
      'bad.db',
    );
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/use --space mbv3/);
    expect(existsSync(join(dir, 'bad.db'))).toBe(false);
  }, 300_000);
});
