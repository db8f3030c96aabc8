import { join } from 'node:path';
import { type Nb201Arch, nb201Key } from '@archlab/bench-nb201';
import { describeWith } from '@archlab/core/testing';
import { fashionMnistRequirement } from '@archlab/trainer-tfjs';
import { beforeAll, expect, it } from 'vitest';
import {
  archlab,
  killAtRandomPoints,
  runDurationMs,
  type StoredRow,
  storedEvents,
  tempDir,
} from './cli-harness.js';
import { cutAfter, killAndResume, work } from './run-log.js';

// One-shot runs through the CLI on a slice of the real Fashion-MNIST: a tiny supernet (the
// default C=8, N=1), 256 training and 128 validation images, two epochs (a second epoch is
// what every crash point below needs: one restored from a checkpoint, one trained after it).

const SLICE = ['train-images=256', 'val-images=128', 'batch-size=32'].flatMap((o) => [
  '--strategy-option',
  o,
]);
const search = (strategy: string, runId: string, epochs: number, trials: number, ...more: string[]) => [
  'search',
  '--space',
  'nb201',
  '--estimator',
  'oneshot',
  '--strategy',
  strategy,
  '--trials',
  String(trials),
  '--seed',
  '11',
  '--run-id',
  runId,
  '--strategy-option',
  `epochs=${epochs}`,
  ...SLICE,
  ...more,
  '--quiet',
];

const argmaxPerEdge = (alpha: readonly number[]) =>
  Array.from({ length: 6 }, (_, e) => {
    const row = alpha.slice(e * 5, e * 5 + 5);
    return row.indexOf(Math.max(...row));
  }) as unknown as Nb201Arch;

describeWith(fashionMnistRequirement(), 'one-shot searches on Fashion-MNIST, through the CLI', () => {
  let dir: string;
  let darts: unknown[];

  beforeAll(() => {
    dir = tempDir();
    const r = archlab(dir, ...search('darts', 'd', 2, 2), '--db', 'full.db');
    expect(r.code, r.stderr).toBe(0);
    darts = work(join(dir, 'full.db'), 'd');
  }, 300_000);

  it('darts records each epoch (loss, accuracy, images, softmax α), proposes its derived cell, checkpoints after it; verify passes', () => {
    const log = storedEvents(join(dir, 'full.db'), 'd');
    const progress = log.filter((r) => r.type === 'Progressed');
    const proposed = log.filter((r) => r.type === 'TrialProposed');
    expect(progress.map((p) => p.data.step)).toEqual([1, 2]);
    let images = 0;
    for (const [i, p] of progress.entries()) {
      const { metrics, values, owner } = p.data as {
        owner: string;
        metrics: Record<string, number>;
        values: { alpha: number[] };
      };
      expect(owner).toBe('strategy');
      expect(metrics.loss).toBeGreaterThan(0);
      // Each epoch: 256 training images, and one validation batch of 32 per training batch.
      expect(metrics.images - images).toBe(256 + 256);
      images = metrics.images;
      expect(values.alpha).toHaveLength(30);
      for (let e = 0; e < 6; e++) {
        expect(values.alpha.slice(e * 5, e * 5 + 5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      }
      // The decision re-derived from the recorded values: the proposal is the argmax cell.
      expect(proposed[i]!.data.arch).toBe(nb201Key(argmaxPerEdge(values.alpha)));
      expect(proposed[i]!.seq).toBe(p.seq + 1);
    }
    const owners = log.filter((r) => r.type === 'Checkpointed').map((r) => r.data.owner);
    expect(owners).toEqual(['strategy', 'supernet', 'strategy', 'supernet']);
    const verify = archlab(dir, 'replay', 'd', '--db', 'full.db', '--verify');
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/2 results re-evaluated and equal/);
  });

  it('darts resumes a log cut at each kind of crash point to the same epochs, α, checkpoints and cells', () => {
    const log = storedEvents(join(dir, 'full.db'), 'd');
    const first = (type: string, n = 1) => log.filter((r) => r.type === type)[n - 1]!.seq;
    const points = {
      'after a result, before its checkpoint': first('TrialCompleted', 1),
      'after a checkpoint': first('Checkpointed', 2),
      'after an epoch, before its proposal': first('Progressed', 2),
      'while a cell is scored': first('TrialStarted', 2),
    };
    for (const [what, seq] of Object.entries(points)) {
      const name = `cut${seq}.db`;
      cutAfter(dir, 'full.db', name, 'd', seq);
      const r = archlab(dir, 'resume', 'd', '--db', name);
      expect(r.code, `${what}: ${r.stderr}`).toBe(0);
      expect(work(join(dir, name), 'd'), what).toEqual(darts);
      expect(archlab(dir, 'replay', 'd', '--db', name, '--verify').code, what).toBe(0);
    }
  }, 300_000);

  it('darts: kill -9 while an epoch trains, and right after a checkpoint, then resume: the same run', async () => {
    const killAt = (name: string, when: (log: StoredRow[]) => boolean, delayMs: number) =>
      killAndResume(dir, search('darts', 'd', 2, 2), name, 'd', when, delayMs, darts);
    // The first trial's supernet checkpoint is the last event: killed as epoch 2 starts.
    const afterCheckpoint = await killAt(
      'k1.db',
      (log) => log.filter((r) => r.type === 'Checkpointed').length >= 2,
      0,
    );
    expect(afterCheckpoint.filter((r) => r.type === 'Progressed')).toHaveLength(1);
    // Some way into epoch 2's training (an epoch takes seconds): no Progressed for it yet.
    const midEpoch = await killAt(
      'k2.db',
      (log) => log.filter((r) => r.type === 'Checkpointed').length >= 2,
      600,
    );
    expect(midEpoch.filter((r) => r.type === 'Progressed')).toHaveLength(1);
  }, 300_000);

  it('darts: kill -9 at random points of the run (property), then resume: the same run', async () => {
    const runMs = runDurationMs(dir, 'd', 'full.db');
    await killAtRandomPoints(
      dir,
      'd',
      // Not quiet: the kill is timed from the 'run d started' line.
      (db) => [
        ...search('darts', 'd', 2, 2)
          .slice(1)
          .filter((a) => a !== '--quiet'),
        '--db',
        db,
      ],
      // Kill points in the first three quarters of the reference run's time (epoch 1, the first
      // checkpoints, into epoch 2). The machine's load varies a run's pace several-fold, so only
      // one kill of three is required to land mid-run; the test above kills at chosen points
      // (mid-epoch, right after a checkpoint) every time.
      { runMs: (runMs * 3) / 4, runs: 3, seed: 20261203, minMidRun: 1 },
      (db) => {
        expect(work(join(dir, db), 'd')).toEqual(darts);
      },
    );
  }, 600_000);

  it('spos trains with random single paths, proposing random cells, then evolves cells scored by inherited accuracy', () => {
    const r = archlab(
      dir,
      ...search('spos', 's', 2, 6, '--strategy-option', 'population=2', '--strategy-option', 'sampleSize=2'),
      '--db',
      'spos.db',
    );
    expect(r.code, r.stderr).toBe(0);
    const log = storedEvents(join(dir, 'spos.db'), 's');
    expect(log.filter((r) => r.type === 'Progressed').map((p) => p.data.step)).toEqual([1, 2]);
    const done = log
      .filter((r) => r.type === 'TrialCompleted')
      .map((r) => r.data.metrics as Record<string, number>);
    expect(done).toHaveLength(6);
    // Two training epochs (256 images each), then the supernet is fixed while evolution scores.
    expect(done.map((m) => m.supernet_images)).toEqual([256, 512, 512, 512, 512, 512]);
    for (const m of done) expect(m.oneshot_acc).toBeGreaterThanOrEqual(0);
    expect(archlab(dir, 'replay', 's', '--db', 'spos.db', '--verify').code).toBe(0);
    // A crash during the evolution resumes to the same run.
    const whole = work(join(dir, 'spos.db'), 's');
    const cut = log.filter((r) => r.type === 'TrialStarted')[3]!.seq;
    cutAfter(dir, 'spos.db', 'spos-cut.db', 's', cut);
    expect(archlab(dir, 'resume', 's', '--db', 'spos-cut.db').code).toBe(0);
    expect(work(join(dir, 'spos-cut.db'), 's')).toEqual(whole);
  }, 300_000);

  it('refuses what a one-shot run cannot do, with a one-line error and nothing stored', () => {
    const bad: [string[], RegExp][] = [
      [['--space', 'fmnist-chain'], /no such per-edge op decisions/],
      [['--strategy-option', 'epochs=0'], /option 'epochs' must be at least 1/],
      [['--strategy-option', 'tau-max=5'], /unknown option 'tau-max'/],
      [['--estimator', 'nb201:cifar10', '--strategy', 'spos'], /run it with --estimator oneshot/],
      [['--strategy-option', 'train-images=60000'], /add up to more than the 60000 training images/],
      [['--concurrency', '2'], /one trial at a time/],
    ];
    for (const [args, message] of bad) {
      const base = search('darts', 'bad', 1, 1);
      const argv = [...base];
      for (let i = 0; i < args.length; i += 2) {
        const at = argv.indexOf(args[i]!);
        if (at >= 0 && args[i] !== '--strategy-option') argv[at + 1] = args[i + 1]!;
        else argv.push(args[i]!, args[i + 1]!);
      }
      const r = archlab(dir, ...argv, '--db', 'bad.db');
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const random = archlab(
      dir,
      'search',
      '--space',
      'nb201',
      '--estimator',
      'oneshot',
      '--trials',
      '1',
      '--db',
      'bad.db',
    );
    expect(random.code).toBe(2);
    expect(random.stderr).toMatch(/strategy 'random' trains none/);
    const runs = archlab(dir, 'runs', '--db', 'bad.db', '--json');
    expect(runs.code === 0 ? JSON.parse(runs.stdout) : []).toEqual([]);
  }, 300_000);
});
