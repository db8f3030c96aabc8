#!/usr/bin/env node
// How well a SPOS supernet's inherited accuracy ranks NAS-Bench-201 cells, against the same
// cells trained stand-alone, on real Fashion-MNIST (the Debian package dataset-fashion-mnist).
//
// 1. Draws `--n` distinct cells (one per NB201 isoKey, so no two compute the same function),
//    stratified by the NB201 table's CIFAR-10 accuracy decile: n/10 from each tenth of the
//    cells ordered by accuracy (the remainder to the top tenths), seeded. This keeps uniform
//    sampling's spread over the whole quality range (disconnected cells to the best ones) with
//    less sampling noise, and puts ~n/5 cells in the top 20% that the top-20% τ is about.
//    Parameter-count strata would not: in NB201 many cells share a count and accuracy is
//    what the ranking is about.
// 2. Trains the default supernet (C=8, N=1, stride-2 stem, 28×28×1) by SPOS, uniform single
//    path, on a seeded train/validation split of the training images (the `spos` strategy and
//    the run's `supernet` service), and scores each cell with the `oneshot` estimator
//    (BN recalibrated on a fixed seeded set, accuracy on the validation split).
// 3. Trains each cell stand-alone, the same network (buildNb201Network, same C, N, stride),
//    with 2 seeds (the `train` estimator's runTrainingTrial), test accuracy on the test split.
// 4. Kendall τ-b and Spearman ρ of inherited accuracy against the mean stand-alone accuracy,
//    τ within the top 20% by stand-alone accuracy, the ceiling (τ between the 2 stand-alone
//    seeds), each with a seeded percentile bootstrap 95% interval.
//
// The supernet and the stand-alone trainings run in `--workers` processes (default: one per
// core). Prints one line `bench oneshot-ranking kendall_tau=... spearman=... top20_tau=...
// ceiling_tau=... n=...` and writes every cell's figures to `--out` (results.csv and
// results.json, default .bench-out/oneshot-ranking). Sizes: --n, --epochs (supernet),
// --train-images/--val-images (supernet), --sa-epochs/--sa-images/--test-images (stand-alone);
// `node bench/oneshot-ranking/main.mjs --help` lists them all. The defaults' run is in recorded/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nb201SpaceNetwork, nb201Table } from '../../packages/bench-nb201/dist/index.js';
import { kendall, parseOptions, Rng, spearman } from '../../packages/core/dist/index.js';
import { sposStrategyFactory } from '../../packages/oneshot/dist/index.js';
import { benchFlags } from '../bench-flags.mjs';
import {
  accuracyBySeed,
  rankingFlags,
  rankingTrainOptions,
  runRankingJobs,
  seededJobs,
  withInterval,
} from '../bench-jobs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const spec = {
  n: {
    type: 'int',
    default: 40,
    min: 10,
    max: 2000,
    description: 'cells drawn (stratified by CIFAR-10 decile)',
  },
  seed: {
    type: 'int',
    default: 0,
    min: 0,
    description: 'seeds the draw, the supernet, the stand-alone seeds and the bootstrap',
  },
  epochs: { type: 'int', default: 20, min: 1, max: 1000, description: 'SPOS supernet training epochs' },
  ...rankingFlags(
    {
      'train-images': 3000,
      'val-images': 2000,
      'bn-images': 256,
      'sa-epochs': 3,
      'sa-images': 2000,
      'sa-batch': 32,
      'test-images': 2000,
      resamples: 1000,
    },
    '.bench-out/oneshot-ranking',
  ),
};

let opts;
try {
  opts = benchFlags('oneshot-ranking', spec);
  // The supernet's and the stand-alone trainings' own options, checked before anything runs.
  opts.strategyOptions = parseOptions('spos', sposStrategyFactory.options, {
    epochs: opts.epochs,
    'train-images': opts['train-images'],
    'val-images': opts['val-images'],
    'split-seed': opts.seed,
  });
  // A missing data set is the user's to fix: say so before any worker starts.
  opts.trainOptions = (await rankingTrainOptions(opts)).trainOptions;
} catch (err) {
  const prefix = err.message.startsWith('oneshot-ranking') ? '' : 'oneshot-ranking: ';
  process.stderr.write(`${prefix}${err.message}\n`);
  process.exit(2);
}

const started = performance.now();
const say = (line) => process.stderr.write(`oneshot-ranking: ${line}\n`);
const s = opts.strategyOptions;
// The stand-alone networks are the supernet's size: the nb201 space's options size the network
// the `train` estimator builds (buildNb201Network, as Nb201Supernet.extract does).
const spaceOptions = { channels: s.channels, cells: s.cells, 'stem-stride': s['stem-stride'] };

/** `n` distinct cells, stratified by CIFAR-10 accuracy decile (see the header). */
function drawCells(n, seed) {
  const table = nb201Table();
  const distinct = new Map();
  for (const [key, r] of table.rows)
    if (!distinct.has(r.isoKey)) distinct.set(r.isoKey, { key, cifar10: r.cifar10 });
  const cells = [...distinct.values()].sort((a, b) => a.cifar10 - b.cifar10 || (a.key < b.key ? -1 : 1));
  const rng = Rng.fromSeed(`${seed}/oneshot-ranking/draw`);
  const out = [];
  for (let d = 0; d < 10; d++) {
    const tenth = cells.slice(Math.floor((d * cells.length) / 10), Math.floor(((d + 1) * cells.length) / 10));
    const count = Math.floor(n / 10) + (d >= 10 - (n % 10) ? 1 : 0);
    out.push(
      ...rng
        .shuffle(tenth)
        .slice(0, count)
        .map((c) => ({ ...c, decile: d + 1 })),
    );
  }
  return { cells: out, distinct: cells.length };
}

const { cells, distinct } = drawCells(opts.n, opts.seed);
const keys = cells.map((c) => c.key);
const seedRng = Rng.fromSeed(`${opts.seed}/oneshot-ranking/stand-alone`);
const saSeeds = [seedRng.nextUint32(), seedRng.nextUint32()];
say(
  `${keys.length} cells of ${distinct} distinct; supernet ${s.epochs} epochs on ${s['train-images']} images; stand-alone ${opts['sa-epochs']} epochs on ${opts['sa-images']} images, seeds ${saSeeds.join(', ')}; ${opts.workers} workers`,
);

// The supernet first: the longest single job, while the other workers train stand-alone.
const jobs = [
  {
    kind: 'supernet',
    what: 'the supernet',
    strategyOptions: s,
    oneshotOptions: { 'bn-images': opts['bn-images'], 'eval-images': 0 },
    seed: opts.seed,
    keys,
  },
  ...seededJobs(keys, saSeeds, (key, seed) => ({
    kind: 'standalone',
    network: nb201SpaceNetwork.module,
    spaceOptions,
    key,
    options: opts.trainOptions,
    seed,
  })),
];
const results = await runRankingJobs(join(here, 'worker.mjs'), jobs, opts.workers, say, 'cells');

const [sup, ...trained] = results;
const [seed1, seed2] = accuracyBySeed(jobs, results, saSeeds);
const standaloneAcc = seed1.map((a, i) => (a + seed2[i]) / 2);
const oneshot = keys.map((k) => sup.oneshot[k]);

// The top 20% by stand-alone accuracy (ties broken by key, so the set is fixed).
const k20 = Math.max(2, Math.round(keys.length / 5));
const top = keys
  .map((_, i) => i)
  .sort((a, b) => standaloneAcc[b] - standaloneAcc[a] || (keys[a] < keys[b] ? -1 : 1))
  .slice(0, k20);
const pick = (xs, idx) => idx.map((i) => xs[i]);

const boot = (xs, ys, stat, label) => withInterval(xs, ys, stat, `${opts.seed}/${label}`, opts.resamples);
const stats = {
  kendall_tau: boot(oneshot, standaloneAcc, kendall, 'kendall'),
  spearman: boot(oneshot, standaloneAcc, spearman, 'spearman'),
  top20_tau: boot(pick(oneshot, top), pick(standaloneAcc, top), kendall, 'top20'),
  ceiling_tau: boot(seed1, seed2, kendall, 'ceiling'),
  ceiling_top20_tau: boot(pick(seed1, top), pick(seed2, top), kendall, 'ceiling-top20'),
};
const nb201Tau = kendall(
  cells.map((c) => c.cifar10),
  standaloneAcc,
);

mkdirSync(resolve(opts.out), { recursive: true });
const rows = cells.map((c, i) => ({
  arch: c.key,
  decile: c.decile,
  nb201_cifar10: c.cifar10,
  oneshot_acc: oneshot[i],
  standalone_seed1: seed1[i],
  standalone_seed2: seed2[i],
  standalone_mean: standaloneAcc[i],
  params: trained[i].params,
  top20: top.includes(i),
}));
const header = Object.keys(rows[0]);
writeFileSync(
  join(opts.out, 'results.csv'),
  `${header.join(',')}\n${rows.map((r) => header.map((h) => r[h]).join(',')).join('\n')}\n`,
);
const f = (v) => (Number.isFinite(v) ? v.toFixed(3) : 'nan');
const wall = (performance.now() - started) / 1000;
writeFileSync(
  join(opts.out, 'results.json'),
  `${JSON.stringify(
    {
      options: { ...opts, strategyOptions: undefined, trainOptions: undefined },
      supernet: s,
      standalone: { ...opts.trainOptions, seeds: saSeeds },
      backend: sup.backend,
      supernet_images: sup.images,
      stats,
      nb201_tau: nb201Tau,
      wall_s: wall,
      cells: rows,
    },
    null,
    2,
  )}\n`,
);
say(`per-cell results in ${join(opts.out, 'results.csv')}`);

const fields = Object.entries(stats).flatMap(([name, v]) => [`${name}=${f(v.value)}`]);
const intervals = Object.entries(stats).flatMap(([name, v]) => [
  `${name.replace(/_tau$/, '')}_lo=${f(v.low)}`,
  `${name.replace(/_tau$/, '')}_hi=${f(v.high)}`,
]);
process.stdout.write(
  `bench oneshot-ranking ${fields.join(' ')} n=${keys.length} top_k=${k20} ${intervals.join(' ')} nb201_tau=${f(nb201Tau)} supernet_epochs=${s.epochs} supernet_images=${sup.images} sa_epochs=${opts['sa-epochs']} sa_images=${opts['sa-images']} backend=${sup.backend} wall_s=${wall.toFixed(0)}\n`,
);
