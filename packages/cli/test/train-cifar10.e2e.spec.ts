import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@archlab/core';
import { encodeCifar10 } from '@archlab/trainer-tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, readmeCommands, tempDir, words } from './cli-harness.js';

/** A CIFAR-10 look-alike in `dir`: five training batches of `perBatch` images and a test batch of 10, coloured by class. */
function writeCifar10(dir: string, perBatch: number): void {
  mkdirSync(dir, { recursive: true });
  const rng = Rng.fromSeed('cifar10');
  const split = (count: number, first: number) => {
    const labels = Uint8Array.from({ length: count }, (_, i) => (first + i) % 10);
    const images = Uint8Array.from(
      { length: count * 3072 },
      (_, k) => 20 * labels[Math.floor(k / 3072)]! + 10 * (k % 3) + rng.int(21),
    );
    return { count, images, labels };
  };
  for (let i = 1; i <= 5; i++) {
    writeFileSync(join(dir, `data_batch_${i}.bin`), encodeCifar10(split(perBatch, i * perBatch)));
  }
  writeFileSync(join(dir, 'test_batch.bin'), encodeCifar10(split(10, 0)));
}

const ARCH =
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';

describe('archlab train on CIFAR-10', { timeout: 300_000 }, () => {
  let cwd: string;
  const train = (dataDir: string, db: string) => [
    'train',
    '--space',
    'nb201',
    '--arch',
    ARCH,
    '--dataset',
    'cifar10',
    '--epochs',
    '1',
    '--estimator-option',
    `data-dir=${dataDir}`,
    '--estimator-option',
    'batch-size=16',
    '--estimator-option',
    'workers=1',
    '--db',
    db,
  ];

  beforeAll(() => {
    cwd = tempDir();
    writeCifar10(join(cwd, 'cifar'), 8);
  });

  it("runs the README's commands (one epoch on a generated directory): the full NB201 network trains on 32x32x3 and is recorded; eval gives the table's figure", () => {
    const commands = readmeCommands('### CIFAR-10');
    expect(commands.map((c) => words(c)[0])).toEqual(['train', 'eval']);
    const [readmeTrain, readmeEval] = commands.map(words) as [string[], string[]];
    // Later flags win: the README's training, shrunk to one epoch on the generated files.
    const trained = archlabJson<{ runId: string; arch: string; metrics: Record<string, number> }>(
      cwd,
      ...readmeTrain,
      '--epochs',
      '1',
      '--estimator-option',
      `data-dir=${join(cwd, 'cifar')}`,
      '--estimator-option',
      'workers=1',
      '--run-id',
      'c10',
    );
    expect(trained.runId).toBe('c10');
    expect(trained.arch).toBe(ARCH);
    expect(trained.metrics.epochs_run).toBe(1);
    // 10 test images: accuracy in steps of 10 points.
    expect(trained.metrics.test_acc! % 10).toBe(0);
    expect(Number.isFinite(trained.metrics.loss)).toBe(true);

    const show = archlabJson<{
      estimatorOptions: Record<string, unknown>;
      best: { metrics: Record<string, number> };
    }>(cwd, 'show', 'c10', '--db', 'c10.db');
    expect(show.estimatorOptions).toMatchObject({
      dataset: 'cifar10',
      'data-dir': join(cwd, 'cifar'),
      lr: 0.1,
      'batch-size': 256,
      augment: true,
      'val-fraction': 0.01,
    });
    expect(show.best.metrics).toEqual(trained.metrics);
    expect(archlab(cwd, 'replay', 'c10', '--verify', '--db', 'c10.db').code).toBe(0);

    const table = archlab(cwd, ...readmeEval);
    expect(table.code).toBe(0);
    expect(table.stdout).toBe(`${ARCH}\ntest_acc=94.3633\n`);
  });

  it('says where it looked and where to get the data when the directory is missing', () => {
    const r = archlab(cwd, ...train(join(cwd, 'nowhere'), 'missing.db'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^archlab: error: cifar10: directory \S*nowhere not found; [^\n]+\n$/);
    expect(r.stderr).toContain('https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz');
  });

  it('names the file and the record of a bad label', () => {
    const bad = join(cwd, 'bad');
    writeCifar10(bad, 8);
    const bytes = encodeCifar10({ count: 1, images: new Uint8Array(3072), labels: Uint8Array.of(0) });
    bytes[0] = 12;
    writeFileSync(join(bad, 'test_batch.bin'), bytes);
    const r = archlab(cwd, ...train(bad, 'bad.db'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^archlab: error: cifar10: \S*test_batch\.bin has label 12 in record 0 \(byte 0\), outside 0\.\.9; [^\n]+\n$/,
    );
  });
});
