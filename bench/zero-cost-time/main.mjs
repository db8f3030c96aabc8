#!/usr/bin/env node
// Cost of each zero-cost proxy per NAS-Bench-201 architecture: the median over N seeded random
// architectures of the wall time to score one from scratch, network build included (a proxy is
// always computed on a freshly built network), each proxy on its own; build_ms is the build
// alone and all_ms every proxy from one build, sharing passes (what scoring a table costs per
// architecture). cpu_all_ms is all_ms in CPU time, the figure to read on a busy machine.
// Flags: --archs=100 --seed=0 --batch-size=16 --backend=wasm.
import { nb201Space, nb201SpaceNetwork } from '../../packages/bench-nb201/dist/index.js';
import { Rng } from '../../packages/core/dist/index.js';
import { PROXIES, ProxyScorer } from '../../packages/estimator-zero-cost/dist/index.js';
import { SpaceNetworks } from '../../packages/nn/dist/index.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const archs = Number(args.archs ?? 100);
const seed = Number(args.seed ?? 0);
const options = { 'batch-size': Number(args['batch-size'] ?? 16), backend: args.backend ?? 'wasm' };

const networks = new SpaceNetworks([nb201SpaceNetwork]);
const rng = Rng.fromSeed(seed);
const sample = Array.from({ length: archs }, () => nb201Space.sample(rng));
const single = new Map();
for (const p of PROXIES) single.set(p, await ProxyScorer.create(networks, nb201Space, [p], options));
const all = await ProxyScorer.create(networks, nb201Space, PROXIES, options);
const backend = all.backend;

// One untimed round first: the first call of each kernel compiles and allocates.
const warm = nb201Space.sample(Rng.fromSeed('zero-cost-time/warm-up'));
for (const s of [...single.values(), all]) s.score(warm);

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const times = { build: [], all: [], cpuAll: [], ...Object.fromEntries(PROXIES.map((p) => [p, []])) };
sample.forEach((arch, i) => {
  const key = nb201Space.key(arch);
  let t = performance.now();
  all.network(key).dispose();
  times.build.push(performance.now() - t);
  for (const [p, scorer] of single) {
    t = performance.now();
    scorer.score(arch);
    times[p].push(performance.now() - t);
  }
  const c = cpuMs();
  t = performance.now();
  all.score(arch);
  times.all.push(performance.now() - t);
  times.cpuAll.push(cpuMs() - c);
  if ((i + 1) % 10 === 0) process.stderr.write(`zero-cost-time: ${i + 1}/${archs} architectures\n`);
});
for (const s of [...single.values(), all]) s.dispose();

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (xs) => median(xs).toFixed(1);
console.log(
  `bench zero-cost-time ${PROXIES.map((p) => `${p}_ms=${fmt(times[p])}`).join(' ')} build_ms=${fmt(times.build)} all_ms=${fmt(times.all)} cpu_all_ms=${fmt(times.cpuAll)} archs=${archs} batch=${options['batch-size']} backend=${backend}`,
);
