#!/usr/bin/env node
// The OFA claim, measured (issue 17): for each of 4 latency budgets, the subnet Once-for-All
// picks with inherited weights against the best of as many random architectures under the same
// budget trained stand-alone, with what each route cost, on real Fashion-MNIST (the Debian
// package dataset-fashion-mnist).
//
// 1. Profiles this machine for the bench's mbv3 space (`archlab profile-device`, a lookup
//    table; ofa-ranking's space) and draws 2,000 seeded random subnets; the budgets are the
//    20/40/60/80% quantiles of their table latency, to 0.01 ms (`--budgets` overrides).
// 2. OFA route: `archlab search --strategy ofa --estimator ofa-subnet --hardware lut:…` run as a
//    user runs it (ofa-ranking's supernet sizes, predictor-samples = per-budget × budgets), one
//    process. Cost: the command's wall time; images: the supernet's training images (its last
//    `Progressed`) plus, per scored trial, the estimator's BN recalibration and validation images.
//    Its picks are the run's last trials, read with their metrics from the run's database.
// 3. Stand-alone route: per budget, `--per-budget` architectures drawn (seeded, distinct across
//    budgets) among the 2,000 whose table latency is within the budget, each trained from
//    scratch (the `train` estimator's code path, ofa-ranking's sizes) on `--workers` processes;
//    the winner is the best by validation accuracy. Cost: training plus validation images, the
//    route's wall time and the sum of the jobs' own times (the OFA route is one process: that sum
//    is what the same work costs on one).
// 4. The same yardstick: every pick and every winner is tested on the same test images (the
//    stand-alone split's). A pick is scored by the library's path: the run's supernet restored
//    from the run's last checkpoint (what `archlab resume` loads), BN recalibrated as the
//    estimator does, its extracted network tested; its inherited validation accuracy is scored
//    again the same way and must equal the run's.
// 5. Latency: each pick's extracted network timed in this process after every training (wasm,
//    batch 1, median of `--latency-runs`), beside the table's prediction the run recorded.
//
// Prints one line `bench ofa-claim budget1_ms=… ofa1_acc=… sa1_acc=… pred1_ms=… meas1_ms=… …
// ofa_images=… sa_images=… ofa_wall_s=… sa_wall_s=… sa_cpu_s=… wall_s=…` and writes results.json,
// results.md and the run's database to `--out` (default .bench-out/ofa-claim).
// `node bench/ofa-claim/main.mjs --help` lists the flags.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../packages/core/dist/index.js';
import { measureLatency } from '../../packages/hardware-latency/dist/index.js';
import { sqliteEventStoreFactory } from '../../packages/storage-sqlite/dist/index.js';
import { OFA_ESTIMATOR, OFA_PHASES, OfaRun, parseBudgets } from '../../packages/strategy-ofa/dist/index.js';
import { ofaRunScope } from '../../packages/strategy-ofa/dist/testing.js';
import { splitDataset } from '../../packages/trainer-tfjs/dist/index.js';
import { archlab, kv } from '../archlab-cli.mjs';
import { rankingFlags, runJobs } from '../bench-jobs.mjs';
import {
  latencyPool,
  OFA_BENCH_SIZES,
  ofaBenchOptions,
  ofaFlags,
  profileMbv3,
  standaloneJob,
} from '../ofa-bench.mjs';

const NAME = 'ofa-claim';
const here = dirname(fileURLToPath(import.meta.url));
const { resamples: _, ...shared } = rankingFlags({ ...OFA_BENCH_SIZES, resamples: 1 }, `.bench-out/${NAME}`);
const spec = {
  ...ofaFlags('seeds the draws, the OFA run and the stand-alone training'),
  budgets: {
    type: 'string',
    default: '',
    description:
      'latency budgets in ms, comma-separated (empty: the 20/40/60/80% quantiles of the table latency of 2,000 random subnets, to 0.01 ms)',
  },
  'per-budget': {
    type: 'int',
    default: 8,
    min: 1,
    max: 100,
    description:
      'architectures trained stand-alone per budget; the OFA run measures as many in all (predictor-samples = this × budgets)',
  },
  'search-steps': {
    type: 'int',
    default: 600,
    min: 1,
    max: 100000,
    description: "subnets the OFA run's evolution over its predictor looks at per budget",
  },
  'latency-runs': {
    type: 'int',
    default: 30,
    min: 1,
    max: 10000,
    description: "timed inferences of each pick's network (the median is reported)",
  },
  ...shared,
  'test-images': {
    ...shared['test-images'],
    description: 'test images every pick and every winner is tested on',
  },
  out: { ...shared.out, description: "folder of results.md, results.json and the OFA run's database" },
};

const say = (line) => process.stderr.write(`${NAME}: ${line}\n`);
function fail(message) {
  say(message);
  process.exit(2);
}

const { opts, space, dataset } = await ofaBenchOptions(NAME, spec);
let budgets = [];
try {
  budgets = opts.budgets.trim() === '' ? [] : parseBudgets(opts.budgets, []).map(([c]) => c.bound);
} catch (err) {
  fail(err.message);
}
const count = budgets.length || 4;
if (count > 8) fail(`--budgets takes 1 to 8 budgets, got ${count}`);
const samples = opts['per-budget'] * count;
if (samples < 2) fail('--per-budget 1 with one budget: the OFA run needs at least 2 measured subnets');

const started = performance.now();
const out = resolve(opts.out);
try {
  mkdirSync(out, { recursive: true });
} catch (err) {
  fail(`--out ${opts.out}: cannot make the folder (${err.code ?? err.message})`);
}

// 1. This machine's table, the pool, the budgets.
const { file: lutFile, latency } = profileMbv3(NAME, opts.spaceOptions, space);
const drawRng = Rng.fromSeed(`${opts.seed}/${NAME}/draw`);
const pool = latencyPool(space, latency, drawRng);
const round = (ms) => Math.round(ms * 100) / 100;
if (budgets.length === 0)
  budgets = [0.2, 0.4, 0.6, 0.8].map((q) => round(pool[Math.floor(q * (pool.length - 1))][1]));
const [fastestKey, fastest] = pool[0];
for (const b of budgets) {
  if (b < fastest)
    fail(
      `no subnet meets latency budget ${b} ms: the fastest of ${pool.length} random subnets on this machine's table takes ${fastest.toFixed(3)} ms (${fastestKey}); raise the budget`,
    );
}

// The stand-alone architectures: per budget, drawn among the pool's subnets within it, none twice.
const taken = new Set();
const drawn = budgets.map((b) => {
  const under = pool.filter(([key, ms]) => ms <= b && !taken.has(key));
  if (under.length < opts['per-budget'])
    fail(
      `only ${under.length} of the ${pool.length} random subnets not drawn yet are within ${b} ms, fewer than --per-budget ${opts['per-budget']}; raise the budget or lower --per-budget`,
    );
  const picked = drawRng.shuffle(under).slice(0, opts['per-budget']);
  for (const [key] of picked) taken.add(key);
  return picked.map(([key, ms]) => ({ key, latency_ms: ms }));
});
say(
  `budgets ${budgets.join(', ')} ms (table: ${fastest.toFixed(2)} to ${pool.at(-1)[1].toFixed(2)} ms); supernet ${opts['full-epochs']}+3×${opts['shrink-epochs']} epochs on ${opts['train-images']} images, ${samples} subnets measured; stand-alone ${samples} architectures (${opts['per-budget']} per budget), ${opts['sa-epochs']} epochs on ${opts['sa-images']} images, ${opts.workers} worker${opts.workers === 1 ? '' : 's'}`,
);

// 2. The OFA route, through the CLI, alone on the machine.
const db = join(out, `runs-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}.db`);
const epochs = OFA_PHASES.reduce((n, p) => n + opts.strategyOptions[`${p}-epochs`], 0);
const strategyOptions = {
  ...opts.strategyFlags,
  'predictor-samples': samples,
  'search-steps': opts['search-steps'],
  budgets: budgets.join(','),
};
const searchArgs = [
  'search',
  '--space',
  'mbv3',
  ...kv('--space-option', opts.spaceOptions),
  ...['--strategy', 'ofa', '--estimator', OFA_ESTIMATOR, '--hardware', `lut:file=${lutFile}`],
  ...kv('--strategy-option', strategyOptions),
  ...kv('--estimator-option', { 'bn-images': opts['bn-images'] }),
  ...['--trials', String(epochs + samples + budgets.length), '--seed', String(opts.seed)],
  ...['--db', db, '--run-id', 'ofa', '-q'],
];
say(`OFA route: archlab ${searchArgs.join(' ')}`);
let ofaWall;
// Where the run stands, from its log, now and then (the command itself is quiet).
const watch = setInterval(async () => {
  let epoch = 0;
  let trials = 0;
  try {
    const store = await sqliteEventStoreFactory.create(db, { mode: 'read-only' });
    try {
      for await (const e of store.read('ofa')) {
        if (e.type === 'Progressed' && e.data.metrics.epoch) epoch = e.data.metrics.epoch;
        if (e.type === 'TrialCompleted') trials++;
      }
    } finally {
      await store.close();
    }
  } catch {
    return; // not there yet, or busy: next time
  }
  say(`OFA route: supernet epoch ${epoch}/${epochs}, ${trials}/${epochs + samples + budgets.length} trials`);
}, 30_000);
try {
  ofaWall = (await archlab(searchArgs)).seconds;
} catch (err) {
  fail(err.message);
} finally {
  clearInterval(watch);
}
const run = await readRun(db, 'ofa');
const picks = run.trials.slice(-budgets.length);
say(
  `OFA route done in ${ofaWall.toFixed(0)} s: ${run.trials.length} trials, picks ${picks.map((p) => `${p.arch} (${p.metrics.ofa_acc.toFixed(1)}%)`).join(', ')}`,
);

// 3. The stand-alone route.
const saSeed = Rng.fromSeed(`${opts.seed}/${NAME}/stand-alone`).nextUint32();
const jobs = drawn.flat().map(({ key }) => standaloneJob(opts, key, saSeed));
const saStarted = performance.now();
let saCpu = 0;
let done = 0;
let trained;
try {
  trained = await runJobs(join(here, 'worker.mjs'), jobs, opts.workers, (job, m, seconds) => {
    saCpu += seconds;
    say(
      `stand-alone ${++done}/${jobs.length} ${job.key}: val ${m.val_acc.toFixed(1)}%, test ${m.test_acc.toFixed(1)}% (${seconds.toFixed(0)} s)`,
    );
  });
} catch (err) {
  say(err.message);
  process.exit(1);
}
const saWall = (performance.now() - saStarted) / 1000;
const byKey = new Map(jobs.map((j, i) => [j.key, trained[i]]));

// 4–5. The picks on the stand-alone test images, and their latency, in this now idle process.
const o = opts.trainOptions;
const saSplit = splitDataset(dataset, {
  valFraction: o['val-fraction'],
  maxTrain: o['max-train'],
  maxTest: o['max-test'],
  seed: o['split-seed'],
});
const testIndices = saSplit.test.indices;
const service = ofaRunScope(run.config, space).get(OfaRun);
await service.ready();
await service.restore(run.checkpoint);
const { 'bn-images': bnImages, 'eval-images': evalImages } = run.config.estimatorOptions;
const rows = [];
for (const [i, b] of budgets.entries()) {
  const pick = picks[i];
  const arch = space.parse(pick.arch);
  const valAgain = await service.score(arch, { bnImages, evalImages });
  if (valAgain !== pick.metrics.ofa_acc)
    say(
      `warning: ${pick.arch} scores ${valAgain}% on the validation images from the restored supernet, the run recorded ${pick.metrics.ofa_acc}%`,
    );
  const ofaTest = await service.scoreOn(arch, bnImages, (data) => ({
    split: data.test.split,
    indices: testIndices,
  }));
  const candidates = drawn[i].map((d) => ({ ...d, ...byKey.get(d.key) }));
  const winner = candidates.reduce((w, c) => (c.val_acc > w.val_acc ? c : w));
  rows.push({
    budget_ms: b,
    ofa: {
      arch: pick.arch,
      trial: pick.trialId,
      test_acc: ofaTest,
      inherited_val_acc: pick.metrics.ofa_acc,
      inherited_val_acc_again: valAgain,
      predicted_ms: pick.metrics.latency_ms,
    },
    standalone: {
      arch: winner.key,
      test_acc: winner.test_acc,
      val_acc: winner.val_acc,
      table_ms: winner.latency_ms,
      best_test_acc: Math.max(...candidates.map((c) => c.test_acc)),
      candidates,
    },
  });
}
// The picks' networks timed one after the other; a first round, unrecorded, pays for the backend's start.
const timed = async (key) => {
  const net = service.supernet.extract(space.parse(key));
  try {
    return (await measureLatency(net, { batch: 1, warmup: 5, runs: opts['latency-runs'] })).median;
  } finally {
    net.dispose();
  }
};
for (const r of rows) await timed(r.ofa.arch);
for (const r of rows) r.ofa.measured_ms = await timed(r.ofa.arch);

// What each route cost.
const scoredImages =
  Math.min(bnImages, service.data.train.indices.length) +
  (evalImages > 0 ? Math.min(evalImages, service.data.val.indices.length) : service.data.val.indices.length);
const ofaImages = {
  training: run.trainingImages,
  scoring: run.trials.length * scoredImages,
  scored_trials: run.trials.length,
};
ofaImages.total = ofaImages.training + ofaImages.scoring;
const saImages = {
  training: trained.reduce((n, m) => n + m.epochs_run * saSplit.train.indices.length, 0),
  validation: trained.reduce((n, m) => n + m.epochs_run * saSplit.val.indices.length, 0),
  test_not_counted: trained.length * testIndices.length,
};
saImages.total = saImages.training + saImages.validation;
const wall = (performance.now() - started) / 1000;

const f = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : 'nan');
const md = [
  '# The OFA claim, measured',
  '',
  `Seed ${opts.seed}; mbv3 space \`${opts.space}\`; backend ${service.backend}. OFA route: \`archlab search\` with the supernet trained ${opts['full-epochs']}+3×${opts['shrink-epochs']} epochs on ${opts['train-images']} images, ${samples} subnets measured (BN recalibrated on ${opts['bn-images']} images, ${service.data.val.indices.length} validation images), ${opts['search-steps']} predictor-evolution steps per budget. Stand-alone route: ${opts['per-budget']} random architectures per budget within it, each ${opts['sa-epochs']} epochs on ${saSplit.train.indices.length} images (batch ${opts['sa-batch']}), the best by validation accuracy (${saSplit.val.indices.length} images). Test accuracy of both on the same ${testIndices.length} test images. Latency: wasm, batch 1, median of ${opts['latency-runs']}, measured in one idle process after the trainings.`,
  '',
  ...rows.flatMap((r, i) => [
    `## Budget ${i + 1}: ${r.budget_ms} ms`,
    '',
    '| route | architecture | test acc (%) | val acc (%) | table ms | measured ms |',
    '|---|---|---|---|---|---|',
    `| OFA pick (inherited) | \`${r.ofa.arch}\` | ${f(r.ofa.test_acc)} | ${f(r.ofa.inherited_val_acc)} | ${f(r.ofa.predicted_ms, 3)} | ${f(r.ofa.measured_ms, 3)} |`,
    `| stand-alone winner (of ${r.standalone.candidates.length}) | \`${r.standalone.arch}\` | ${f(r.standalone.test_acc)} | ${f(r.standalone.val_acc)} | ${f(r.standalone.table_ms, 3)} | |`,
    '',
    `Stand-alone candidates (test acc %): ${r.standalone.candidates.map((c) => f(c.test_acc, 1)).join(', ')}; the best of them on the test images: ${f(r.standalone.best_test_acc)}.`,
    '',
  ]),
  '## Cost',
  '',
  '| route | images | wall (s) | one-process time (s) |',
  '|---|---|---|---|',
  `| OFA (one \`archlab search\`) | ${ofaImages.total} (${ofaImages.training} training, ${ofaImages.scoring} scoring ${ofaImages.scored_trials} trials) | ${f(ofaWall, 0)} | ${f(ofaWall, 0)} |`,
  `| stand-alone (${trained.length} trainings, ${opts.workers} worker${opts.workers === 1 ? '' : 's'}) | ${saImages.total} (${saImages.training} training, ${saImages.validation} validation) | ${f(saWall, 0)} | ${f(saCpu, 0)} (sum of the jobs) |`,
  '',
  `Test images (${testIndices.length} per network) are the yardstick, counted in neither route. Whole bench: ${f(wall, 0)} s.`,
  '',
].join('\n');
writeFileSync(join(out, 'results.md'), md);
writeFileSync(
  join(out, 'results.json'),
  `${JSON.stringify(
    {
      options: { ...opts, strategyOptions: undefined, trainOptions: undefined },
      command: `archlab ${searchArgs.join(' ')}`,
      standalone_options: { ...opts.trainOptions, seed: saSeed },
      backend: service.backend,
      budgets: rows,
      ofa: { images: ofaImages, wall_s: ofaWall },
      standalone: { images: saImages, wall_s: saWall, job_s: saCpu },
      wall_s: wall,
    },
    null,
    2,
  )}\n`,
);
say(`tables in ${join(out, 'results.md')}`);
const fields = rows.flatMap((r, i) => {
  const n = i + 1;
  return [
    `budget${n}_ms=${r.budget_ms}`,
    `ofa${n}_acc=${f(r.ofa.test_acc)}`,
    `sa${n}_acc=${f(r.standalone.test_acc)}`,
    `pred${n}_ms=${f(r.ofa.predicted_ms, 3)}`,
    `meas${n}_ms=${f(r.ofa.measured_ms, 3)}`,
  ];
});
process.stdout.write(
  `bench ${NAME} ${fields.join(' ')} ofa_images=${ofaImages.total} sa_images=${saImages.total} ofa_wall_s=${f(ofaWall, 0)} sa_wall_s=${f(saWall, 0)} sa_cpu_s=${f(saCpu, 0)} wall_s=${f(wall, 0)}\n`,
);

/**
 * The OFA run `runId` of `db`, from its log: its config, its completed trials in order (arch,
 * metrics), the supernet's training images (its last `Progressed`) and its last checkpoint.
 */
async function readRun(file, runId) {
  const store = await sqliteEventStoreFactory.create(file, { mode: 'read-only' }, { mustExist: true });
  try {
    let config;
    let blob;
    let trainingImages = 0;
    const archs = new Map();
    const trials = [];
    const failed = [];
    for await (const e of store.read(runId)) {
      if (e.type === 'RunStarted') config = e.data.config;
      else if (e.type === 'TrialProposed') archs.set(e.data.trialId, e.data.arch);
      else if (e.type === 'TrialCompleted')
        trials.push({ trialId: e.data.trialId, arch: archs.get(e.data.trialId), metrics: e.data.metrics });
      else if (e.type === 'TrialFailed') failed.push(e.data.trialId);
      else if (e.type === 'Progressed' && e.data.owner === 'strategy')
        trainingImages = Math.max(trainingImages, e.data.metrics.images ?? 0);
      else if (e.type === 'Checkpointed' && e.data.owner === 'ofa-supernet') blob = e.data.blob;
    }
    if (failed.length > 0 || !blob)
      fail(
        `run ${runId} in ${file}: ${failed.length ? `trial(s) ${failed.join(', ')} failed` : 'no checkpoint of its supernet'}; see archlab show ${runId} --db ${file}`,
      );
    return { config, trials, trainingImages, checkpoint: await store.getBlob(blob) };
  } finally {
    await store.close();
  }
}
