#!/usr/bin/env node
// How well an OFA supernet's inherited accuracy ranks mbv3 subnets, against the same subnets
// trained stand-alone, on real Fashion-MNIST (the Debian package dataset-fashion-mnist).
//
// 1. Profiles this machine for the bench's mbv3 space (`archlab profile-device`, a lookup
//    table), draws 2,000 random subnets, orders them by the table's latency and takes `--n`
//    spread over the range: one drawn at random from each of n equal-count latency bins.
// 2. Trains the OFA supernet by progressive shrinking (the `ofa` strategy's training asks on the
//    run's `ofa-supernet` service: full, kernel, depth and expand phases with distillation) on a
//    seeded train/validation split, and scores each subnet with the `ofa-subnet` estimator (BN
//    recalibrated on a fixed seeded set at its resolution, accuracy on the validation split).
// 3. Trains each subnet stand-alone, the same network (buildMbv3Network, images resized to its
//    resolution), with the `train` estimator's code path (runTrainingTrial), test accuracy, with
//    `--sa-seeds` seeds (2).
// 4. Kendall τ-b (with a seeded bootstrap 95% interval) of inherited against the mean
//    stand-alone accuracy, the ceiling (τ between the first two stand-alone seeds: how well the
//    stand-alone side ranks itself at these sizes), and the mean gap in points (stand-alone minus
//    inherited; positive: stand-alone training does better).
//
// Prints one line `bench ofa-ranking kendall_tau=… mean_gap_pts=… n=…` and writes every
// subnet's figures to `--out` (results.csv, results.json; default .bench-out/ofa-ranking).
// `node bench/ofa-ranking/main.mjs --help` lists the sizes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kendall, Rng } from '../../packages/core/dist/index.js';
import { accuracyBySeed, rankingFlags, runRankingJobs, seededJobs, withInterval } from '../bench-jobs.mjs';
import {
  latencyPool,
  OFA_BENCH_SIZES,
  ofaBenchOptions,
  ofaFlags,
  profileMbv3,
  standaloneJob,
} from '../ofa-bench.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const spec = {
  n: { type: 'int', default: 30, min: 5, max: 500, description: 'subnets, spread over the latency range' },
  ...ofaFlags('seeds the draw, the supernet, the stand-alone training and the bootstrap'),
  ...rankingFlags({ ...OFA_BENCH_SIZES, resamples: 1000 }, '.bench-out/ofa-ranking'),
  'sa-seeds': {
    type: 'int',
    default: 2,
    min: 1,
    max: 10,
    description:
      'stand-alone seeds per subnet (their mean is ranked; with 2 or more, ceiling_tau: τ between the first two)',
  },
};

const { opts, space } = await ofaBenchOptions('ofa-ranking', spec);

const started = performance.now();
const say = (line) => process.stderr.write(`ofa-ranking: ${line}\n`);

// 1. The latency table of this machine, and n subnets spread over its range.
mkdirSync(resolve(opts.out), { recursive: true });
const { latency } = profileMbv3('ofa-ranking', opts.spaceOptions, space);
const drawRng = Rng.fromSeed(`${opts.seed}/ofa-ranking/draw`);
const ordered = latencyPool(space, latency, drawRng);
const subnets = Array.from({ length: opts.n }, (_, b) => {
  const bin = ordered.slice(
    Math.floor((b * ordered.length) / opts.n),
    Math.floor(((b + 1) * ordered.length) / opts.n),
  );
  const [key, ms] = bin[drawRng.int(bin.length)];
  return { key, latency_ms: ms };
});
const keys = subnets.map((s) => s.key);
const seedRng = Rng.fromSeed(`${opts.seed}/ofa-ranking/stand-alone`);
const saSeeds = Array.from({ length: opts['sa-seeds'] }, () => seedRng.nextUint32());
say(
  `${keys.length} subnets from ${ordered[0][1].toFixed(2)} to ${ordered.at(-1)[1].toFixed(2)} ms; supernet ${opts['full-epochs']}+3×${opts['shrink-epochs']} epochs on ${opts['train-images']} images; stand-alone ${opts['sa-epochs']} epochs on ${opts['sa-images']} images, seeds ${saSeeds.join(', ')}; ${opts.workers} workers`,
);

// 2–3. The supernet first (the longest job), while the other workers train stand-alone.
const jobs = [
  {
    kind: 'supernet',
    what: 'the supernet',
    spaceOptions: opts.spaceOptions,
    strategyOptions: opts.strategyOptions,
    estimatorOptions: { 'bn-images': opts['bn-images'], 'eval-images': 0 },
    seed: opts.seed,
    keys,
  },
  ...seededJobs(keys, saSeeds, (key, seed) => standaloneJob(opts, key, seed)),
];
const results = await runRankingJobs(join(here, 'worker.mjs'), jobs, opts.workers, say, 'subnets');

// 4. Ranking and gap, against the mean over the stand-alone seeds; the ceiling: τ between two seeds.
const [sup, ...trained] = results;
const inherited = keys.map((k) => sup.inherited[k]);
const bySeed = accuracyBySeed(jobs, results, saSeeds);
const standalone = keys.map((_, i) => bySeed.reduce((s, accs) => s + accs[i], 0) / saSeeds.length);
const boot = (xs, ys, label) => withInterval(xs, ys, kendall, `${opts.seed}/${label}`, opts.resamples);
const tau = boot(inherited, standalone, 'kendall');
const ceiling = saSeeds.length > 1 ? boot(bySeed[0], bySeed[1], 'ceiling') : undefined;
const gap = standalone.reduce((s, a, i) => s + a - inherited[i], 0) / keys.length;
const rows = subnets.map((s, i) => ({
  arch: s.key,
  latency_ms: s.latency_ms,
  inherited_acc: inherited[i],
  standalone_acc: standalone[i],
  ...Object.fromEntries(bySeed.map((accs, run) => [`standalone_seed${run + 1}`, accs[i]])),
  params: trained[i].params,
}));
const header = Object.keys(rows[0]);
writeFileSync(
  join(opts.out, 'results.csv'),
  `${header.join(',')}\n${rows.map((r) => header.map((h) => r[h]).join(',')).join('\n')}\n`,
);
const wall = (performance.now() - started) / 1000;
writeFileSync(
  join(opts.out, 'results.json'),
  `${JSON.stringify(
    {
      options: { ...opts, strategyOptions: undefined, trainOptions: undefined },
      supernet: opts.strategyOptions,
      standalone: { ...opts.trainOptions, seeds: saSeeds },
      backend: sup.backend,
      supernet_images: sup.images,
      kendall_tau: tau,
      ...(ceiling && { ceiling_tau: ceiling }),
      mean_gap_pts: gap,
      wall_s: wall,
      subnets: rows,
    },
    null,
    2,
  )}\n`,
);
say(`per-subnet results in ${join(opts.out, 'results.csv')}`);
const f = (v) => (Number.isFinite(v) ? v.toFixed(3) : 'nan');
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
process.stdout.write(
  `bench ofa-ranking kendall_tau=${f(tau.value)} mean_gap_pts=${f(gap)} n=${keys.length} tau_lo=${f(tau.low)} tau_hi=${f(tau.high)} ${ceiling ? `ceiling_tau=${f(ceiling.value)} ceiling_lo=${f(ceiling.low)} ceiling_hi=${f(ceiling.high)} ` : ''}inherited_mean=${f(mean(inherited))} standalone_mean=${f(mean(standalone))} latency_min_ms=${f(subnets[0].latency_ms)} latency_max_ms=${f(subnets.at(-1).latency_ms)} supernet_images=${sup.images} subnets_per_step=${opts['subnets-per-step']} sa_seeds=${saSeeds.length} sa_epochs=${opts['sa-epochs']} sa_images=${opts['sa-images']} backend=${sup.backend} wall_s=${wall.toFixed(0)}\n`,
);
