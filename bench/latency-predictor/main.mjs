#!/usr/bin/env node
// How well a per-op latency table predicts measured batch-1 latency of NB201 networks: profiles
// the device (archlab profile-device), then measures N seeded random architectures and compares.
// within10_pct: share of architectures predicted within 10%; rho: Spearman of prediction vs
// measurement; flops_rho: Spearman of FLOPs vs measurement (the proxy a LUT should beat);
// median_err_pct / bias_pct: median absolute / signed relative error of the prediction.
// Flags: --archs=200 --seed=0 --backend=wasm --runs=10 --warmup=3 --lut-runs=20.
import { nb201Space } from '../../packages/bench-nb201/dist/index.js';
import { Rng } from '../../packages/core/dist/index.js';
import {
  buildSpaceNetwork,
  measureLatency,
  predictLatency,
  profileDevice,
  spearman,
  useBackend,
} from '../../packages/hardware-latency/dist/index.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const archs = Number(args.archs ?? 200);
const seed = Number(args.seed ?? 0);
const runs = Number(args.runs ?? 10);
const warmup = Number(args.warmup ?? 3);
const backend = await useBackend(args.backend ?? 'wasm');

process.stderr.write(`latency-predictor: profiling nb201 ops on ${backend}...\n`);
const t0 = performance.now();
const lut = await profileDevice(nb201Space, { runs: Number(args['lut-runs'] ?? 20), warmup });
const profileS = (performance.now() - t0) / 1000;

const rng = Rng.fromSeed(seed);
const chosen = new Map();
while (chosen.size < archs) {
  const a = nb201Space.sample(rng);
  chosen.set(nb201Space.key(a), a);
}
const predicted = [];
const measured = [];
const flops = [];
let i = 0;
for (const arch of chosen.values()) {
  const network = buildSpaceNetwork(nb201Space, arch);
  try {
    predicted.push(predictLatency(lut, network));
    flops.push(network.flops());
    measured.push((await measureLatency(network, { runs, warmup })).median);
  } finally {
    network.dispose();
  }
  if (++i % 20 === 0) process.stderr.write(`latency-predictor: ${i}/${archs} measured\n`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const signed = predicted.map((p, k) => (p - measured[k]) / measured[k]);
const errors = signed.map(Math.abs);
const within = errors.filter((e) => e <= 0.1).length / errors.length;
const medianErr = median(errors);
const fmt = (x, d = 3) => x.toFixed(d);
console.log(
  `bench latency-predictor within10_pct=${fmt(100 * within, 1)} rho=${fmt(spearman(predicted, measured))} flops_rho=${fmt(spearman(flops, measured))} median_err_pct=${fmt(100 * medianErr, 1)} bias_pct=${fmt(100 * median(signed), 1)} archs=${archs} backend=${backend} ops=${Object.keys(lut.entries).length} overhead_ms=${fmt(lut.overheadMs)} profile_s=${fmt(profileS, 1)}`,
);
