import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith } from '@archlab/core/testing';
import { fashionMnistRequirement } from '@archlab/trainer-tfjs';
import { beforeAll, expect, it } from 'vitest';
import { archlab, storedEvents, tempDir } from './cli-harness.js';
import { cutAfter, killAndResume, work } from './run-log.js';

// Once-for-All through the CLI on a slice of the real Fashion-MNIST: a small mbv3 space (two
// stages of 8 and 12 channels, 1–2 blocks, 20 or 24 px), each phase one epoch of 128 images,
// three measured subnets, one pick.

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
