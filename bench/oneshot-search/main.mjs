#!/usr/bin/env node
// Search at equal compute on real Fashion-MNIST (the Debian package dataset-fashion-mnist), each
// run through the `archlab` CLI exactly as a user runs it:
//
// 1. For every seed, every method searches NAS-Bench-201 cells for the same small network
//    (C=8, N=1, stride-2 stem, 28×28×1): `random` and `evolution` train each trial stand-alone
//    (the `train` estimator, `--space-option channels=8 ...`); `spos`, `darts`, `gdas`,
//    `beta-darts` (and `enas` when a loaded package registers it) train the run's supernet
//    (`--estimator oneshot`, the same C, N and stride).
// 2. Equal compute: every search gets about `--budget` images through a training step. A
//    one-shot run's epoch counts its training images plus, for the DARTS family, the validation
//    batches of its architecture steps (what its `Progressed` events record); a stand-alone trial
//    counts epochs × its training images (its `TrialProgressed` events). Epochs and trials are
//    chosen from the budget, then the images are read back from each run's log (`archlab events
//    RUN --json`) and their spread over methods is printed (`images_spread_pct`).
// 3. Each method's final cell (random/evolution: the best trial by val_acc; darts, gdas,
//    beta-darts: the last derived cell; spos/enas: the best by oneshot_acc) is retrained with one
//    fixed recipe (`archlab train --arch KEY`, the run's seed) and its test accuracy recorded.
// 4. DARTS's collapse: the parameter-free ops (none, skip_connect, avg_pool_3x3) in the final
//    cells, summed over seeds.
//
// Prints one line `bench oneshot-search METHOD_acc=… METHOD_sd=… METHOD_images=… METHOD_wall_s=…
// METHOD_param_free=K/E … images_spread_pct=… seeds=… wall_s=…` (a method's name with `_` for
// `-`), and writes results.md (the table and every run), results.json and the runs' database
// (runs-STAMP.db, for `archlab show`/`report`) to `--out` (default .bench-out/oneshot-search).
// A method that fails is in the table as failed, with its error; the exit status is then 1.
//   node bench/oneshot-search/main.mjs [--seeds 1,2,3] [--budget N] [--methods a,b] [--jobs K] ...
//   (`--help` lists every option)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { foldRun, imagesProcessed } from '../../packages/core/dist/index.js';
import { archlab, kv, lastJson } from '../archlab-cli.mjs';
import { benchFlagsOrExit } from '../bench-flags.mjs';

const spec = {
  seeds: {
    type: 'string',
    default: '1,2,3',
    description: 'seeds, comma-separated (each method runs once per seed)',
  },
  methods: {
    type: 'string',
    default: '',
    description:
      'methods, comma-separated (default: random, evolution and every one-shot strategy registered)',
  },
  budget: {
    type: 'int',
    default: 6000,
    min: 100,
    description: 'images through a training step per search (epochs and trials are chosen to match it)',
  },
  'train-images': {
    type: 'int',
    default: 1000,
    min: 10,
    description: "one-shot runs: the supernet's training images (from the training split)",
  },
  'val-images': {
    type: 'int',
    default: 500,
    min: 10,
    description: 'one-shot runs: validation images (architecture steps, inherited-weight scores)',
  },
  'bn-images': {
    type: 'int',
    default: 128,
    min: 0,
    description: 'oneshot estimator: BN recalibration images',
  },
  'spos-evolution': {
    type: 'int',
    default: 10,
    min: 0,
    description: 'spos: trials of evolution over inherited accuracy after the supernet is trained',
  },
  'sa-images': {
    type: 'int',
    default: 1000,
    min: 10,
    description: "random/evolution: each trial's training images (train's max-train)",
  },
  'sa-epochs': {
    type: 'int',
    default: 1,
    min: 1,
    max: 100,
    description: 'random/evolution: epochs per trial',
  },
  'sa-test': {
    type: 'int',
    default: 500,
    min: 10,
    description: "random/evolution: test images of each trial's test_acc (not used to select: val_acc is)",
  },
  'batch-size': {
    type: 'int',
    default: 64,
    min: 2,
    max: 4096,
    description: 'batch size of every training: supernets, trials and retraining',
  },
  'retrain-epochs': { type: 'int', default: 2, min: 1, max: 200, description: 'retraining: epochs' },
  'retrain-images': { type: 'int', default: 3000, min: 10, description: 'retraining: training images' },
  'test-images': {
    type: 'int',
    default: 2000,
    min: 10,
    max: 10000,
    description: 'retraining: test images (a stratified subset of the test split)',
  },
  jobs: {
    type: 'int',
    default: 2,
    min: 1,
    max: 64,
    description:
      'searches run at once, one process each (wall times are then measured under each other’s load)',
  },
  out: {
    type: 'string',
    default: '.bench-out/oneshot-search',
    description: 'folder of results.md, results.json and the runs database',
  },
};

/** The network every run builds: the supernet's defaults, given explicitly to both kinds of run. */
const NETWORK = { channels: 8, cells: 1, 'stem-stride': 2 };
/** none, skip_connect, avg_pool_3x3: the ops without weights. */
const PARAMETER_FREE = new Set(['none', 'skip_connect', 'avg_pool_3x3']);
const BLACK_BOX = new Set(['random', 'evolution']);
const GRADIENT = new Set(['darts', 'gdas', 'beta-darts']);
const ONE_SHOT = ['spos', 'darts', 'gdas', 'beta-darts', 'enas'];
/** NB201 CIFAR-10 test accuracy of the methods' searched cells as published (NAS-Bench-201 paper; β-DARTS paper for DrNAS / β-DARTS). */
const PUBLISHED = { darts: '54.30', enas: '53.89', gdas: '93.61', 'beta-darts': '94.36 (DrNAS / β-DARTS)' };

function fail(message) {
  process.stderr.write(`oneshot-search: ${message}\n`);
  process.exit(2);
}

const opts = benchFlagsOrExit('oneshot-search', spec);

const seeds = opts.seeds.split(',').map((s) => s.trim());
if (!seeds.length || seeds.some((s) => !/^\d+$/.test(s)) || new Set(seeds).size !== seeds.length)
  fail(`--seeds takes distinct whole numbers, comma-separated, e.g. 1,2,3; got '${opts.seeds}'`);

// The strategies this CLI has: the one-shot ones present join the default list (enas when loaded).
const strategies = new Map(
  lastJson((await archlab(['list', '--json'])).stdout).strategies.map((s) => [s.name, s]),
);
const methods = opts.methods
  ? opts.methods.split(',').map((m) => m.trim())
  : ['random', 'evolution', ...ONE_SHOT.filter((m) => strategies.has(m))];
for (const m of methods) {
  if (!strategies.has(m)) fail(`no strategy '${m}' is registered (archlab list shows them)`);
  if (!BLACK_BOX.has(m) && !ONE_SHOT.includes(m))
    fail(
      `'${m}' is neither a black-box method run with train (random, evolution) nor a one-shot one (${ONE_SHOT.join(', ')})`,
    );
}

const out = resolve(opts.out);
mkdirSync(out, { recursive: true });
const db = join(out, `runs-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}.db`);
const spaceArgs = ['--space', 'nb201', ...kv('--space-option', NETWORK)];
const B = opts.budget;
const batch = opts['batch-size'];

/** A strategy option's default, as `archlab list --json` gives it. */
const defaultOf = (method, name) => strategies.get(method).options.find((o) => o.name === name)?.default;

/**
 * Images a one-shot method's epoch counts in its `Progressed` events: its training images, plus
 * the validation batches of DARTS's α steps (one per weight step) or of ENAS's controller
 * (`controllerSteps` × controller-batch cells rewarded, then the candidates, a batch each).
 */
function perEpoch(method, controllerSteps = defaultOf(method, 'controller-steps')) {
  const train = opts['train-images'];
  if (GRADIENT.has(method)) return train + Math.ceil(train / batch) * batch;
  if (method === 'enas')
    return (
      train +
      (controllerSteps * defaultOf(method, 'controller-batch') + defaultOf(method, 'candidates')) * batch
    );
  return train;
}

/**
 * ENAS's controller steps per epoch, fewer than its default where the budget is small: at least
 * 2 epochs (ENAS proposes a cell per epoch), the rest of each epoch's share after training and the
 * candidates spent on controller steps.
 */
function enasControllerSteps(epochs) {
  const perStep = defaultOf('enas', 'controller-batch') * batch;
  const rest = B / epochs - opts['train-images'] - defaultOf('enas', 'candidates') * batch;
  return Math.max(1, Math.round(rest / perStep));
}

/** What one method's search runs with, sized to the budget: its trials, strategy, estimator and their options. */
function searchPlan(method) {
  if (BLACK_BOX.has(method)) {
    const trials = Math.max(2, Math.round(B / (opts['sa-epochs'] * opts['sa-images'])));
    return {
      trials,
      strategy:
        method === 'evolution'
          ? {
              population: Math.max(2, Math.floor(trials / 2)),
              sampleSize: Math.min(3, Math.max(1, Math.floor(trials / 4))),
            }
          : {},
      estimator: 'train',
      estimatorOptions: {
        epochs: opts['sa-epochs'],
        'max-train': opts['sa-images'],
        'max-test': opts['sa-test'],
        'batch-size': batch,
        workers: 1,
      },
      // One trial at a time on one worker thread: one core, as a supernet trains on.
      extra: ['--concurrency', '1'],
    };
  }
  const epochs = Math.max(
    GRADIENT.has(method) || method === 'enas' ? 2 : 1,
    Math.round(B / perEpoch(method)),
  );
  const own = strategies.get(method).options.map((o) => o.name);
  const controllerSteps = method === 'enas' ? enasControllerSteps(epochs) : undefined;
  return {
    // The DARTS family and ENAS propose one cell per epoch; spos goes on to evolve.
    trials: method === 'spos' ? epochs + opts['spos-evolution'] : epochs,
    strategy: {
      ...NETWORK,
      'train-images': opts['train-images'],
      'val-images': opts['val-images'],
      'batch-size': batch,
      ...(own.includes('epochs') && { epochs }),
      ...(controllerSteps && { 'controller-steps': controllerSteps }),
    },
    estimator: 'oneshot',
    estimatorOptions: { 'bn-images': opts['bn-images'] },
    extra: [],
  };
}

/** The `archlab search` arguments of one method and seed. */
function searchArgs(method, seed) {
  const plan = searchPlan(method);
  return [
    'search',
    ...spaceArgs,
    ...['--strategy', method, ...kv('--strategy-option', plan.strategy)],
    ...['--estimator', plan.estimator, ...kv('--estimator-option', plan.estimatorOptions)],
    ...plan.extra,
    ...['--trials', String(plan.trials), '--seed', seed],
    ...['--db', db, '--run-id', `${method}-s${seed}`, '--json', '-q'],
  ];
}

/** What a run's log says: images trained on, the final cell, and the trials. */
function readLog(method, events) {
  const completed = events.filter((e) => e.type === 'TrialCompleted');
  const proposed = new Map(
    events.filter((e) => e.type === 'TrialProposed').map((e) => [e.data.trialId, e.data.arch]),
  );
  // The rule is core's, as `compare` reports it: every owner's last Progressed images plus each
  // trial's last TrialProgressed images.
  const images = imagesProcessed(foldRun(events)) ?? 0;
  if (!completed.length) throw new Error('no trial completed');
  const by = (metric) =>
    completed.reduce((a, b) => (b.data.metrics[metric] > a.data.metrics[metric] ? b : a));
  const final = BLACK_BOX.has(method)
    ? by('val_acc')
    : GRADIENT.has(method)
      ? completed.reduce((a, b) => (b.data.trialId > a.data.trialId ? b : a))
      : by('oneshot_acc');
  return { images, arch: proposed.get(final.data.trialId), trials: completed.length };
}

const paramFree = (arch) => arch.split('|').filter((t) => PARAMETER_FREE.has(t.split('~')[0])).length;

/** Search, read the log, retrain: one method and one seed. */
async function job(method, seed) {
  const result = { method, seed, runId: `${method}-s${seed}` };
  try {
    const search = await archlab(searchArgs(method, seed));
    result.wall_s = search.seconds;
    const events = lastJson((await archlab(['events', result.runId, '--db', db, '--json'])).stdout);
    Object.assign(result, readLog(method, events));
    result.paramFree = paramFree(result.arch);
    const retrain = await archlab([
      'train',
      ...spaceArgs,
      '--arch',
      result.arch,
      '--epochs',
      String(opts['retrain-epochs']),
      ...kv('--estimator-option', {
        'max-train': opts['retrain-images'],
        'max-test': opts['test-images'],
        'batch-size': batch,
        workers: 1,
      }),
      '--seed',
      seed,
      '--db',
      db,
      '--run-id',
      `retrain-${method}-s${seed}`,
      '--json',
      '-q',
    ]);
    result.test_acc = lastJson(retrain.stdout).metrics.test_acc;
    result.retrain_s = retrain.seconds;
  } catch (err) {
    result.error = err.message.split('\n')[0];
  }
  const status = result.error
    ? `FAILED: ${result.error}`
    : `test ${result.test_acc.toFixed(2)}%, ${result.images} images, ${result.wall_s.toFixed(0)} s, ${result.arch}`;
  process.stderr.write(`oneshot-search: ${method} seed ${seed}: ${status}\n`);
  return result;
}

const started = performance.now();
const queue = seeds.flatMap((seed) => methods.map((method) => [method, seed]));
const results = [];
await Promise.all(
  Array.from({ length: Math.min(opts.jobs, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) results.push(await job(...next));
  }),
);
const wall = (performance.now() - started) / 1000;

const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs) =>
  xs.length > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean(xs)) ** 2, 0) / (xs.length - 1)) : 0;
const rows = methods.map((method) => {
  const all = results.filter((r) => r.method === method);
  const ok = all.filter((r) => !r.error);
  return {
    method,
    seeds: ok.length,
    failed: all.filter((r) => r.error),
    acc: ok.length ? mean(ok.map((r) => r.test_acc)) : Number.NaN,
    sd: sd(ok.map((r) => r.test_acc)),
    images: ok.length ? mean(ok.map((r) => r.images)) : Number.NaN,
    wall: ok.length ? mean(ok.map((r) => r.wall_s)) : Number.NaN,
    paramFree: ok.reduce((n, r) => n + r.paramFree, 0),
    edges: 6 * ok.length,
  };
});
const images = rows.filter((r) => r.seeds).map((r) => r.images);
const spread = images.length
  ? (100 * (Math.max(...images) - Math.min(...images))) / Math.min(...images)
  : Number.NaN;

const f = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : 'nan');
const table = [
  '| method | seeds | test acc mean ± sd (%) | images processed | wall time (s) | param-free ops in derived cells |',
  '|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.method} | ${r.seeds}/${r.seeds + r.failed.length} | ${r.seeds ? `${f(r.acc)} ± ${f(r.sd)}` : 'failed'} | ${f(r.images, 0)} | ${f(r.wall, 0)} | ${r.paramFree}/${r.edges} |`,
  ),
];
const failures = results.filter((r) => r.error);
const md = [
  '# One-shot vs black-box at equal compute (Fashion-MNIST)',
  '',
  `Seeds ${seeds.join(', ')}; budget ${B} images through a training step per search; NB201 cells in a`,
  `C=${NETWORK.channels}, N=${NETWORK.cells}, stride-${NETWORK['stem-stride']} stem network on 28×28×1 images. Final cells retrained`,
  `${opts['retrain-epochs']} epochs on ${opts['retrain-images']} training images (batch ${batch}), tested on ${opts['test-images']} test images.`,
  `Wall time: the search process (mean over seeds), retraining not included. Total ${f(wall, 0)} s.`,
  '',
  ...table,
  '',
  ...failures.map((r) => `- ${r.method} seed ${r.seed} failed: ${r.error}`),
  ...(failures.length ? [''] : []),
  'Published NAS-Bench-201 CIFAR-10 test accuracy of the searched cells, for context: ' +
    Object.entries(PUBLISHED)
      .map(([m, v]) => `${m} ${v}`)
      .join(', ') +
    '.',
  '',
  '| method | seed | final cell | images | search s | retrain s | test acc (%) |',
  '|---|---|---|---|---|---|---|',
  ...results
    .sort((a, b) => methods.indexOf(a.method) - methods.indexOf(b.method) || Number(a.seed) - Number(b.seed))
    .map((r) =>
      r.error
        ? `| ${r.method} | ${r.seed} | failed: ${r.error} | | | | |`
        : `| ${r.method} | ${r.seed} | \`${r.arch.replace(/\|/g, '\\|')}\` | ${r.images} | ${f(r.wall_s, 0)} | ${f(r.retrain_s, 0)} | ${f(r.test_acc)} |`,
    ),
  '',
  `Runs: ${db}`,
  '',
];
writeFileSync(join(out, 'results.md'), md.join('\n'));
writeFileSync(
  join(out, 'results.json'),
  `${JSON.stringify({ options: opts, db, wall_s: wall, rows, results }, null, 2)}\n`,
);
process.stderr.write(`${table.join('\n')}\n(${join(out, 'results.md')})\n`);

const key = (m) => m.replace(/-/g, '_');
const fields = rows.flatMap((r) => [
  `${key(r.method)}_acc=${f(r.acc)}`,
  `${key(r.method)}_sd=${f(r.sd)}`,
  `${key(r.method)}_images=${f(r.images, 0)}`,
  `${key(r.method)}_wall_s=${f(r.wall, 0)}`,
  `${key(r.method)}_param_free=${r.paramFree}/${r.edges}`,
]);
process.stdout.write(
  `bench oneshot-search ${fields.join(' ')} images_spread_pct=${f(spread, 1)} seeds=${seeds.length} budget=${B} failed=${failures.length} wall_s=${f(wall, 0)}\n`,
);
process.exitCode = failures.length ? 1 : 0;
