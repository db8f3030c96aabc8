import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith } from '@archlab/core/testing';
import { fashionMnistRequirement } from '@archlab/trainer-tfjs';
import { beforeAll, expect, it } from 'vitest';
import { archlab, archlabJson, tempDir } from './cli-harness.js';

// A black-box strategy and a one-shot one in one compare, both trained on a slice of the real
// Fashion-MNIST: the budget is also counted in images processed, checked against a hand count.
const TRAIN = 64; // each trial's training images (train's max-train)
const EPOCHS = 1; // each trial's epochs
const SUPERNET = 64; // darts' training images per epoch
const BATCH = 32;
const DARTS_EPOCHS = 2;
const TRIALS = 2;
const SEEDS = 2;

const ARGS = [
  'compare',
  ...['--space', 'nb201'],
  ...['--space-option', 'channels=8', '--space-option', 'cells=1', '--space-option', 'stem-stride=2'],
  ...['--estimator', 'train', '--epochs', String(EPOCHS)],
  ...['--estimator-option', `max-train=${TRAIN}`, '--estimator-option', 'max-test=32'],
  ...['--strategies', 'random,darts'],
  ...['--strategy-option', `darts.train-images=${SUPERNET}`, '--strategy-option', 'darts.val-images=32'],
  ...['--strategy-option', `darts.batch-size=${BATCH}`, '--strategy-option', `darts.epochs=${DARTS_EPOCHS}`],
  ...['--seeds', String(SEEDS), '--trials', String(TRIALS), '--checkpoints', String(TRIALS)],
  ...['--db', 'c.db', '--name', 'img', '--out', 'out'],
];

interface Summary {
  strategy: string;
  runs: string[];
  meanImages: number | null;
  meanWallSeconds: number;
}

describeWith(fashionMnistRequirement(), 'compare counts the budget in images processed', () => {
  let dir: string;
  let table: string;
  beforeAll(() => {
    dir = tempDir();
    const r = archlab(dir, ...ARGS, '-q');
    expect(r.code, r.stderr).toBe(0);
    table = r.stdout;
  }, 120_000);

  const summaries = () =>
    (JSON.parse(readFileSync(join(dir, 'out', 'compare.json'), 'utf8')) as { strategies: Summary[] })
      .strategies;

  it('reports mean images per run for a black-box and a one-shot strategy, as counted by hand', () => {
    const [random, darts] = summaries();
    // random: every trial trains EPOCHS epochs on TRAIN images.
    expect(random!.meanImages).toBe(TRIALS * EPOCHS * TRAIN);
    // darts: each supernet epoch trains on SUPERNET images and takes one validation batch per
    // training batch (an architecture step); then each epoch's derived cell is a trial of train.
    const supernetEpoch = SUPERNET + Math.ceil(SUPERNET / BATCH) * BATCH;
    expect(darts!.meanImages).toBe(DARTS_EPOCHS * supernetEpoch + TRIALS * EPOCHS * TRAIN);
    expect(table).toMatch(new RegExp(`random .* ${TRIALS * EPOCHS * TRAIN}\\s+\\d+\\.\\d\\n`));
    const csv = readFileSync(join(dir, 'out', 'compare.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]!.split(',').slice(-2)).toEqual(['mean_images', 'mean_wall_s']);
    expect(csv[2]!.split(',').at(-2)).toBe(String(darts!.meanImages));
  });

  it("reports the mean of the runs' active wall time, from their logs", () => {
    for (const s of summaries()) {
      const spans = s.runs.map((run) => {
        const events = archlabJson<{ ts: number }[]>(dir, 'events', run, '--db', 'c.db');
        return (events.at(-1)!.ts - events[0]!.ts) / 1000;
      });
      expect(s.meanWallSeconds).toBeGreaterThan(0);
      expect(s.meanWallSeconds).toBeCloseTo(spans.reduce((a, b) => a + b, 0) / SEEDS, 6);
    }
  });
});
