#!/usr/bin/env node
// EfficientNet compound scaling on real Fashion-MNIST (the Debian package dataset-fashion-mnist),
// each run through the `archlab` CLI exactly as a user runs it:
//
// 1. `compound-scaling` on `mbv3-scaled`: the grid of (α, β, γ) at φ=1, each trained with the
//    `train` estimator on a small stratified slice, the best by val_acc, then φ = 2 … phi-max.
// 2. The baselines: the same base scaled in one dimension alone (depth, width, resolution) to the
//    FLOPs of compound φ = 1 … phi-max (`only=…`, `coefficients=` the ones found), FLOPs counted
//    on the rounded networks.
// 3. Every network of the table timed again in this process, one after the other on an otherwise
//    idle process (wasm, batch 1), since the in-run `latency` of a trial may share the machine with
//    another trial's training.
//
// Prints one line `bench compound-scaling alpha=… beta=… gamma=… phi1_acc=… … depth3_acc=… …
// wall_s=…` and writes results.md (the tables) and results.json beside the runs' database to
// `--out` (default .bench-out/compound-scaling).
//   node bench/compound-scaling/main.mjs [--images N] [--epochs E] [--jobs K] ... (`--help` lists them)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { latencyModel } from '../../packages/hardware-latency/dist/index.js';
import {
  flopsFactor,
  mbv3ScaledSpace,
  mbv3ScaledSpaceNetwork,
} from '../../packages/strategy-effnet/dist/index.js';
import { archlab, kv, lastJson } from '../archlab-cli.mjs';
import { benchFlagsOrExit } from '../bench-flags.mjs';

const spec = {
  seed: { type: 'int', default: 0, min: 0, description: 'seed of every run' },
  base: { type: 'string', default: '', description: "the base mbv3 key (empty: the strategy's default)" },
  alphas: {
    type: 'string',
    default: '',
    description: "α values of the grid (empty: the strategy's default)",
  },
  betas: { type: 'string', default: '', description: "β values of the grid (empty: the strategy's default)" },
  gammas: {
    type: 'string',
    default: '',
    description: "γ values of the grid (empty: the strategy's default)",
  },
  tolerance: { type: 'number', default: 0.1, min: 0, max: 1, description: 'grid: |α·β²·γ² − 2| ≤ this' },
  'phi-max': { type: 'int', default: 3, min: 1, max: 8, description: 'scale to φ = 1 … this' },
  images: {
    type: 'int',
    default: 1000,
    min: 10,
    description: "each trial's training images (train's max-train)",
  },
  epochs: { type: 'int', default: 2, min: 1, max: 100, description: 'epochs per trial' },
  'test-images': { type: 'int', default: 1000, min: 10, max: 10000, description: 'test images of test_acc' },
  'batch-size': { type: 'int', default: 32, min: 2, max: 4096, description: 'images per training step' },
  lr: { type: 'number', default: 0.003, min: 0, max: 10, description: 'Adam learning rate' },
  'latency-runs': {
    type: 'int',
    default: 30,
    min: 1,
    description: 'timed inferences per network (the median is reported)',
  },
  jobs: {
    type: 'int',
    default: 2,
    min: 1,
    max: 64,
    description: 'trials trained at once (grid) and baseline runs at once, one core each',
  },
  out: {
    type: 'string',
    default: '.bench-out/compound-scaling',
    description: 'folder of results and the runs database',
  },
};

function fail(message) {
  process.stderr.write(`compound-scaling: ${message}\n`);
  process.exit(2);
}

const opts = benchFlagsOrExit('compound-scaling', spec);

const out = resolve(opts.out);
mkdirSync(out, { recursive: true });
const db = join(out, `runs-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}.db`);
const grid = Object.fromEntries(
  ['base', 'alphas', 'betas', 'gammas'].filter((k) => opts[k] !== '').map((k) => [k, opts[k]]),
);

/** `archlab search` of compound-scaling with `strategy` options; resolves to the run's trials. */
async function search(runId, strategy, concurrency) {
  await archlab([
    'search',
    '--space',
    'mbv3-scaled',
    '--strategy',
    'compound-scaling',
    ...kv('--strategy-option', {
      ...grid,
      tolerance: opts.tolerance,
      'phi-max': opts['phi-max'],
      ...strategy,
    }),
    '--estimator',
    'train',
    '--epochs',
    String(opts.epochs),
    ...kv('--estimator-option', {
      optimizer: 'adam',
      lr: opts.lr,
      'batch-size': opts['batch-size'],
      'max-train': opts.images,
      'max-test': opts['test-images'],
      workers: concurrency,
    }),
    '--hardware',
    'latency',
    '--concurrency',
    String(concurrency),
    // The strategy ends the run when it is done.
    ...['--trials', '1000', '--seed', String(opts.seed), '--db', db, '--run-id', runId, '--json', '-q'],
  ]);
  const events = lastJson((await archlab(['events', runId, '--db', db, '--json'])).stdout);
  const archs = new Map(
    events.filter((e) => e.type === 'TrialProposed').map((e) => [e.data.trialId, e.data.arch]),
  );
  const progressed = events.filter((e) => e.type === 'Progressed').map((e) => e.data.metrics);
  const trials = events
    .filter((e) => e.type === 'TrialCompleted')
    .map((e) => ({ runId, trialId: e.data.trialId, arch: archs.get(e.data.trialId), ...e.data.metrics }));
  const failed = events.filter((e) => e.type === 'TrialFailed').length;
  if (failed)
    throw new Error(`run ${runId}: ${failed} trial(s) failed; see archlab show ${runId} --db ${db}`);
  return { trials, progressed };
}

const started = performance.now();
process.stderr.write(`compound-scaling: grid search and compound scaling (run 'compound' in ${db})\n`);
const compound = await search('compound', {}, opts.jobs);
const found = compound.progressed[0];
if (!found)
  fail("the compound run reported no coefficients (did every grid trial fail? see 'archlab show compound')");
const c = { alpha: found.alpha, beta: found.beta, gamma: found.gamma };
process.stderr.write(
  `compound-scaling: found alpha=${c.alpha} beta=${c.beta} gamma=${c.gamma}; the baselines\n`,
);
const dims = ['depth', 'width', 'resolution'];
const queue = [...dims];
const baselines = {};
await Promise.all(
  Array.from({ length: Math.min(opts.jobs, dims.length) }, async () => {
    for (let d = queue.shift(); d; d = queue.shift())
      baselines[d] = (
        await search(`only-${d}`, { coefficients: `${c.alpha},${c.beta},${c.gamma}`, only: d }, 1)
      ).trials;
  }),
);
const wall = (performance.now() - started) / 1000;

// The rows: compound φ = 1 … k (φ=1 is the grid's best), then each dimension alone at their FLOPs.
const space = mbv3ScaledSpace();
const flops = await space.flopsCounter();
const multipliers = (key) => space.parse(key).m;
const phis = Array.from({ length: opts['phi-max'] }, (_, i) => i + 1);
const quantized = (x) => Math.round(Number(x.toPrecision(12)) * 1000) / 1000;
const compoundRows = phis.map((phi) => {
  const want = {
    depth: quantized(c.alpha ** phi),
    width: quantized(c.beta ** phi),
    resolution: quantized(c.gamma ** phi),
  };
  const t = compound.trials.find((x) => {
    const m = multipliers(x.arch);
    return m.depth === want.depth && m.width === want.width && m.resolution === want.resolution;
  });
  return { phi, method: 'compound', ...t };
});
const rows = [
  ...compoundRows,
  ...dims.flatMap((d) => baselines[d].map((t, i) => ({ phi: i + 1, method: `${d} only`, ...t }))),
];
const baseKey = compound.trials[0].arch.split(':')[1];
const baseFlops = flops(space.parse(`d1,w1,r1:${baseKey}`));

// Quiet latency: one network after another in this process.
const timer = latencyModel(mbv3ScaledSpaceNetwork, space, {
  backend: 'wasm',
  runs: opts['latency-runs'],
  warmup: 5,
});
const baseArch = space.parse(`d1,w1,r1:${baseKey}`);
// The first network timed also pays for the backend's start: time the base twice, keep the second.
await timer.cost(baseArch);
const baseLatency = (await timer.cost(baseArch)).latency_ms;
for (const r of rows) r.quiet_ms = (await timer.cost(space.parse(r.arch))).latency_ms;
const baseParams = (await mbv3ScaledSpaceNetwork.load())
  .describe(space, baseArch, { inputShape: [28, 28, 1], numClasses: 10 })
  .layers.reduce((n, l) => n + l.params, 0);

const f = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : 'nan');
const m = (key) => {
  const x = multipliers(key);
  return `${x.depth} / ${x.width} / ${x.resolution}`;
};
const table = [
  '| φ | scaling | d / w / r | FLOPs (M) | × base | params | test acc (%) | val acc (%) | latency (ms) |',
  '|---|---|---|---|---|---|---|---|---|',
  `| 0 | base | 1 / 1 / 1 | ${f(baseFlops / 1e6)} | 1.00 | ${baseParams} | | | ${f(baseLatency)} |`,
  ...[...rows]
    .sort((a, b) => a.phi - b.phi)
    .map(
      (r) =>
        `| ${r.phi} | ${r.method} | ${m(r.arch)} | ${f(r.flops / 1e6)} | ${f(r.flops / baseFlops)} | ${r.params} | ${f(r.test_acc)} | ${f(r.val_acc)} | ${f(r.quiet_ms)} |`,
    ),
];
const gridRows = compound.trials.filter((t) => !compoundRows.slice(1).some((r) => r.trialId === t.trialId));
const gridTable = [
  '| α / β / γ (d / w / r at φ=1) | FLOPs (M) | × base | val acc (%) | test acc (%) |',
  '|---|---|---|---|---|',
  ...gridRows.map(
    (t) =>
      `| ${m(t.arch)} | ${f(t.flops / 1e6)} | ${f(t.flops / baseFlops)} | ${f(t.val_acc)} | ${f(t.test_acc)} |`,
  ),
];
const md = [
  '# EfficientNet compound scaling on Fashion-MNIST',
  '',
  `Base \`${baseKey}\` (${f(baseFlops / 1e6)} M multiply-adds); each trial trained ${opts.epochs} epochs on ${opts.images} images (Adam, lr ${opts.lr}, batch ${opts['batch-size']}), tested on ${opts['test-images']}; seed ${opts.seed}. Found α=${c.alpha}, β=${c.beta}, γ=${c.gamma} (α·β²·γ² = ${f(flopsFactor(c), 4)}) by val acc ${f(found.best_score)}. Wall time ${f(wall, 0)} s. Latency: wasm, batch 1, median of ${opts['latency-runs']}, measured after the runs in one idle process.`,
  '',
  '## The grid at φ=1',
  '',
  ...gridTable,
  '',
  '## Compound scaling vs one dimension at matched FLOPs',
  '',
  ...table,
  '',
  `Runs in \`${db}\` (compound, only-depth, only-width, only-resolution).`,
  '',
].join('\n');
writeFileSync(join(out, 'results.md'), md);
writeFileSync(
  join(out, 'results.json'),
  `${JSON.stringify({ options: opts, coefficients: c, baseFlops, baseLatency, rows, grid: gridRows, baseParams, wall_s: wall }, null, 2)}\n`,
);
process.stderr.write(`${md}\n`);

const acc = (method, phi) => rows.find((r) => r.method === method && r.phi === phi)?.test_acc;
const fields = [
  `alpha=${c.alpha}`,
  `beta=${c.beta}`,
  `gamma=${c.gamma}`,
  ...phis.map((p) => `phi${p}_acc=${f(acc('compound', p))}`),
  ...dims.flatMap((d) => phis.map((p) => `${d}${p}_acc=${f(acc(`${d} only`, p))}`)),
  `phi${opts['phi-max']}_flops_x=${f(rows.find((r) => r.method === 'compound' && r.phi === opts['phi-max']).flops / baseFlops)}`,
  `wall_s=${f(wall, 0)}`,
];
process.stdout.write(`bench compound-scaling ${fields.join(' ')}\n`);
