import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Rng } from '@archlab/core';
import { decodeSafetensors } from '@archlab/nn';
import { SqliteEventStore } from '@archlab/storage-sqlite';
import { encodeIdx } from '@archlab/trainer-tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabAsync, archlabJson, exited, tempDir } from './cli-harness.js';

/**
 * A Fashion-MNIST look-alike in `dir`: 28×28 images in ten classes by overall brightness (each
 * pixel ±20 of noise), so a small CNN learns it in a few epochs and no real data set is needed.
 */
function writeBrightnessIdx(dir: string, train: number, test: number): void {
  mkdirSync(dir, { recursive: true });
  const rng = Rng.fromSeed('brightness');
  for (const [prefix, n] of [
    ['train', train],
    ['t10k', test],
  ] as const) {
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
    const images = Uint8Array.from(
      { length: n * 784 },
      (_, k) => 20 + 23 * labels[Math.floor(k / 784)]! + rng.int(41) - 20,
    );
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte.gz`), gzipSync(encodeIdx([n, 28, 28], images)));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte.gz`), gzipSync(encodeIdx([n], labels)));
  }
}

interface Trained {
  runId: string;
  arch: string;
  metrics: Record<string, number>;
  weights: { blob: string; bytes: number; format: string };
}

const ARCH = 'conv3x3-16|max_pool';

// Each test runs the CLI several times, some of them training.
describe('archlab train records a run', { timeout: 300_000 }, () => {
  let cwd: string;
  let train: (...extra: string[]) => string[];
  let first: Trained;

  beforeAll(() => {
    cwd = tempDir();
    writeBrightnessIdx(join(cwd, 'data'), 400, 100);
    train = (...extra) => [
      'train',
      '--space',
      'fmnist-chain',
      '--arch',
      ARCH,
      '--epochs',
      '2',
      '--estimator-option',
      `data-dir=${join(cwd, 'data')}`,
      '--estimator-option',
      'workers=1',
      '--seed',
      '3',
      ...extra,
    ];
    first = archlabJson<Trained>(cwd, ...train('--db', 'runs.db', '--run-id', 'retrain'));
  });

  it('as a run every read command shows: runs, show, events, export and replay --verify', () => {
    expect(first.runId).toBe('retrain');
    expect(first.arch).toBe(ARCH);
    expect(first.metrics.epochs_run).toBe(2);

    const runs = archlabJson<{ runId: string; strategy: string; estimator: string; status: string }[]>(
      cwd,
      'runs',
      '--db',
      'runs.db',
    );
    expect(runs.map((r) => [r.runId, r.strategy, r.estimator, r.status])).toEqual([
      ['retrain', 'fixed', 'train', 'completed'],
    ]);

    const show = archlabJson<{
      seed: number;
      estimatorOptions: Record<string, unknown>;
      strategyOptions: Record<string, string>;
      best: { arch: string; metrics: Record<string, number>; artifacts: Record<string, unknown> };
    }>(cwd, 'show', 'retrain', '--db', 'runs.db');
    expect(show.seed).toBe(3);
    expect(show.estimatorOptions).toMatchObject({ epochs: 2, 'save-weights': true, workers: 1 });
    expect(show.strategyOptions.arch).toBe(ARCH);
    expect(show.best.arch).toBe(ARCH);
    expect(show.best.metrics).toEqual(first.metrics);
    expect(show.best.artifacts).toEqual({ weights: first.weights });
    const text = archlab(cwd, 'show', 'retrain', '--db', 'runs.db');
    expect(text.stdout).toMatch(/search\s+fixed on fmnist-chain, scored by train, seed 3/);
    expect(text.stdout).toMatch(/\noptions\s+epochs=2 batch-size=128 .*save-weights=true workers=1\n/);
    expect(text.stdout).toContain(
      `weights    ${first.weights.blob} (${first.weights.bytes} bytes, safetensors)`,
    );

    const progressed = archlabJson<
      { data: { trialId: number; step: number; metrics: Record<string, number> } }[]
    >(cwd, 'events', 'retrain', '--db', 'runs.db', '--type', 'TrialProgressed');
    expect(progressed.map((e) => e.data.step)).toEqual([1, 2]);
    expect(progressed[1]!.data.metrics.val_acc).toBe(first.metrics.val_acc);

    const exported = archlab(cwd, 'export', 'retrain', '--db', 'runs.db');
    const types = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).type);
    expect(types).toEqual([
      'RunStarted',
      'TrialProposed',
      'TrialStarted',
      'TrialProgressed',
      'TrialProgressed',
      'TrialCompleted',
      'RunCompleted',
    ]);

    const verified = archlab(cwd, 'replay', 'retrain', '--verify', '--db', 'runs.db');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(
      /^verified: run retrain, 7 events, 1 trials; hash chain intact, every proposal reproduced, 1 artifact blob present and matching its sha256; results taken as recorded \(train is not deterministic\)/,
    );
  });

  it('keeps the trained weights as a blob whose sha256 is recorded, in safetensors', async () => {
    const store = SqliteEventStore.open(join(cwd, 'runs.db'));
    try {
      const bytes = await store.getBlob(first.weights.blob);
      expect(bytes).toBeDefined();
      expect(createHash('sha256').update(bytes!).digest('hex')).toBe(first.weights.blob);
      expect(bytes!.byteLength).toBe(first.weights.bytes);
      const { tensors, metadata } = decodeSafetensors(bytes!);
      expect(metadata).toEqual({ space: 'fmnist-chain', arch: ARCH });
      const trainable = tensors.filter((t) => !/moving_(mean|variance)$/.test(t.name));
      expect(trainable.reduce((n, t) => n + t.data.length, 0)).toBe(first.metrics.params);
    } finally {
      await store.close();
    }
  });

  it('trains the same weights from the same seed, other weights from another', () => {
    const again = archlabJson<Trained>(cwd, ...train('--db', 'runs.db', '--run-id', 'again'));
    expect(again.weights.blob).toBe(first.weights.blob);
    const { train_ms: _, ...a } = again.metrics;
    const { train_ms: __, ...b } = first.metrics;
    expect(a).toEqual(b);
    const other = archlabJson<Trained>(cwd, ...train('--db', 'runs.db', '--run-id', 'seed4', '--seed', '4'));
    expect(other.weights.blob).not.toBe(first.weights.blob);
  });

  it('with --run, retrains that run’s best and records where it came from', () => {
    const r = archlab(
      cwd,
      'train',
      '--run',
      'retrain',
      '--db',
      'runs.db',
      '--epochs',
      '1',
      '--estimator-option',
      `data-dir=${join(cwd, 'data')}`,
      '--estimator-option',
      'workers=1',
      '--run-id',
      'from-run',
    );
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('run      from-run in runs.db: archlab show from-run --db runs.db');
    const show = archlab(cwd, 'show', 'from-run', '--db', 'runs.db');
    expect(show.stdout).toContain('from       run retrain, trial 0 (its best)');
    expect(show.stdout).toContain(ARCH);
  });

  it.each([
    ['no --db', [], /^archlab: error: train records its run: pass --db FILE/],
    [
      'a malformed architecture',
      ['--db', 'runs.db', '--arch', 'conv9x9-8'],
      /^archlab: error: malformed fmnist-chain architecture 'conv9x9-8'/,
    ],
    [
      'a run id in use',
      ['--db', 'runs.db', '--run-id', 'retrain'],
      /^archlab: error: run 'retrain' exists already; pick another id\n$/,
    ],
    [
      '--run of another database',
      ['--db', 'none.db', '--run', 'retrain'],
      /^archlab: error: database 'none.db' does not exist/,
    ],
  ])('refuses %s with one line, exit 2, and changes nothing stored', (_, extra, message) => {
    // Every run with its event count and last event: what any write would change.
    const before = archlab(cwd, 'runs', '--db', 'runs.db', '--json').stdout;
    const files = readdirSync(cwd).sort();
    const r = archlab(cwd, ...train(...extra));
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.code).toBe(2);
    expect(archlab(cwd, 'runs', '--db', 'runs.db', '--json').stdout).toBe(before);
    expect(readdirSync(cwd).sort()).toEqual(files);
  });

  it('killed -9 in the middle of training, resume trains it again to the same weights', async () => {
    const child = archlabAsync(cwd, ...train('--db', 'kill.db', '--run-id', 'k'));
    // Killed once the first epoch is recorded: the second is under way.
    await new Promise<void>((resolve) => {
      let seen = '';
      child.stderr?.on('data', (d: Buffer) => {
        seen += d.toString();
        if (/step 1\/2/.test(seen)) resolve();
      });
      child.on('close', () => resolve());
    });
    child.kill('SIGKILL');
    const killed = await exited(child);
    expect(killed.signal).toBe('SIGKILL');
    const unfinished = archlabJson<{ status: string }>(cwd, 'show', 'k', '--db', 'kill.db');
    expect(unfinished.status).toBe('unfinished');

    const resumed = archlab(cwd, 'resume', 'k', '--db', 'kill.db');
    expect(resumed.stderr).toMatch(/resuming k: 0 trials done, 1 to run again/);
    expect(resumed.code).toBe(0);
    const show = archlabJson<{
      status: string;
      best: { metrics: Record<string, number>; artifacts: { weights: Trained['weights'] } };
    }>(cwd, 'show', 'k', '--db', 'kill.db');
    expect(show.status).toBe('completed');
    expect(show.best.artifacts.weights.blob).toBe(first.weights.blob);
    const started = archlabJson<unknown[]>(cwd, 'events', 'k', '--db', 'kill.db', '--type', 'TrialStarted');
    expect(started).toHaveLength(2);
    expect(archlab(cwd, 'replay', 'k', '--verify', '--db', 'kill.db').code).toBe(0);
    expect(existsSync(join(cwd, 'kill.db'))).toBe(true);
  });
});
