#!/usr/bin/env node
// Latency-constrained search on NAS-Bench-201: `nb201:cifar10` accuracy under `latency_ms<=M`,
// latency predicted by the `lut` hardware model and M the median predicted latency of the whole
// space. Brute force over all 15,625 architectures with the same table gives the best feasible
// accuracy; real searches through the core engine (random, evolution, local-search; several
// seeds) must complete only feasible architectures (the others pruned, never evaluated), and
// their best should come within --tolerance points of the brute-force best.
// Keys: median_ms; brute_best (best feasible test_acc); feasible (architectures under M);
// STRATEGY_best (mean over seeds of each run's best), STRATEGY_gap (brute_best less it),
// STRATEGY_within (seeds within tolerance / seeds), STRATEGY_pruned (mean pruned proposals per
// run); all_feasible (every completed trial meets the constraint, its latency is the table's,
// and every pruned one breaks it with no accuracy measured); profile_s (profile-device run
// here, 0 with --lut), predict_s (predicting the whole space).
// Flags: --lut=FILE (else profile-device runs into a temp file) --seeds=10 --trials=300
// --strategies=random,evolution,local-search --tolerance=0.3 --backend=wasm.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  enumerateNb201,
  nb201Key,
  nb201Space,
  nb201SpaceNetwork,
  nb201Table,
} from '../../packages/bench-nb201/dist/index.js';
import {
  InMemoryEventStore,
  loadPlugins,
  PluginRegistry,
  parseConstraint,
  Search,
} from '../../packages/core/dist/index.js';
import { lutFactory } from '../../packages/hardware-latency/dist/index.js';
import { SpaceNetworks } from '../../packages/nn/dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const cliDir = join(here, '../../packages/cli');
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const seeds = Number(args.seeds ?? 10);
const trials = Number(args.trials ?? 300);
const strategies = (args.strategies ?? 'random,evolution,local-search').split(',');
const tolerance = Number(args.tolerance ?? 0.3);
const log = (line) => process.stderr.write(`latency-constrained: ${line}\n`);

let lutFile = args.lut;
let profileS = 0;
let tmp;
if (!lutFile) {
  tmp = mkdtempSync(join(tmpdir(), 'archlab-latency-constrained-'));
  lutFile = join(tmp, 'nb201.lut.json');
  log(`profiling nb201 into ${lutFile}...`);
  const t0 = performance.now();
  execFileSync(
    process.execPath,
    [
      join(cliDir, 'dist/bin.js'),
      'profile-device',
      '--space',
      'nb201',
      '--out',
      lutFile,
      '--backend',
      args.backend ?? 'wasm',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  profileS = (performance.now() - t0) / 1000;
}

// The whole space through the hardware model the searches use, so both see the same numbers.
const t1 = performance.now();
const model = lutFactory(new SpaceNetworks([nb201SpaceNetwork])).create(nb201Space, { file: lutFile });
const archs = enumerateNb201();
const latency = new Map();
for (const arch of archs) latency.set(nb201Key(arch), (await model.cost(arch)).latency_ms);
const predictS = (performance.now() - t1) / 1000;
const sorted = [...latency.values()].sort((a, b) => a - b);
const medianMs = sorted[(sorted.length - 1) / 2];
const table = nb201Table();
let bruteBest = Number.NEGATIVE_INFINITY;
let feasible = 0;
for (const arch of archs) {
  if (latency.get(nb201Key(arch)) > medianMs) continue;
  feasible++;
  bruteBest = Math.max(bruteBest, table.record(arch).cifar10);
}
log(`median ${medianMs} ms; ${feasible} feasible; best feasible test_acc ${bruteBest}`);

const { container } = await loadPlugins(
  ['@archlab/core', '@archlab/bench-nb201', '@archlab/strategy-evolution', '@archlab/hardware-latency'],
  [cliDir],
);
const registry = new PluginRegistry(container);
const constraint = `latency_ms<=${medianMs}`;
const problems = [];
const results = {};
for (const strategy of strategies) {
  const bests = [];
  let pruned = 0;
  for (let seed = 0; seed < seeds; seed++) {
    const search = await Search.start(
      { store: new InMemoryEventStore(), plugins: registry },
      {
        space: 'nb201',
        estimator: 'nb201:cifar10',
        strategy,
        seed,
        budget: { trials },
        hardware: [{ name: 'lut', options: { file: lutFile } }],
        constraints: [parseConstraint(constraint)],
      },
      `${strategy}-${seed}`,
    );
    const { state } = await search.run();
    let best = Number.NEGATIVE_INFINITY;
    for (const t of state.trials) {
      const ms = latency.get(t.arch);
      const where = `${strategy} seed ${seed} trial ${t.trialId} (${t.arch})`;
      if (t.status === 'completed') {
        if (!(ms <= medianMs) || t.metrics?.latency_ms !== ms || t.violations) {
          problems.push(`${where}: completed with latency ${t.metrics?.latency_ms} (table ${ms})`);
        }
        best = Math.max(best, t.metrics.test_acc);
      } else if (t.status === 'pruned') {
        pruned++;
        if (!(ms > medianMs) || t.metrics?.test_acc !== undefined) {
          problems.push(`${where}: pruned at latency ${ms}, metrics ${JSON.stringify(t.metrics)}`);
        }
      } else problems.push(`${where}: ended ${t.status}`);
    }
    if (state.counts.completed !== trials)
      problems.push(`${strategy} seed ${seed}: ${state.counts.completed} completed`);
    const reported = state.best?.metrics.test_acc;
    if (reported !== best) problems.push(`${strategy} seed ${seed}: best ${reported}, trials say ${best}`);
    bests.push(best);
  }
  const mean = bests.reduce((a, b) => a + b, 0) / bests.length;
  const within = bests.filter((b) => bruteBest - b <= tolerance + 1e-9).length;
  results[strategy] = { mean, gap: bruteBest - mean, within, pruned: pruned / seeds };
  log(`${strategy}: best per seed ${bests.join(', ')}`);
}
for (const p of problems.slice(0, 10)) log(`PROBLEM ${p}`);
if (tmp) rmSync(tmp, { recursive: true, force: true });

const fmt = (x, d = 3) => x.toFixed(d);
const keyOf = (s) => s.replace(/-/g, '_');
const perStrategy = strategies
  .map((s) => {
    const r = results[s];
    const k = keyOf(s);
    return `${k}_best=${fmt(r.mean)} ${k}_gap=${fmt(r.gap)} ${k}_within=${r.within}/${seeds} ${k}_pruned=${fmt(r.pruned, 1)}`;
  })
  .join(' ');
console.log(
  `bench latency-constrained median_ms=${fmt(medianMs, 4)} brute_best=${fmt(bruteBest)} ${perStrategy} all_feasible=${problems.length === 0} feasible=${feasible} seeds=${seeds} trials=${trials} tolerance=${tolerance} profile_s=${fmt(profileS, 1)} predict_s=${fmt(predictS, 1)}`,
);
if (problems.length > 0) process.exitCode = 1;
