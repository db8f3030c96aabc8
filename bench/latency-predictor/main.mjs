#!/usr/bin/env node
// How well a per-op latency table predicts measured batch-1 latency: for each space, profiles
// the device (profileDevice, as archlab profile-device does), then measures N seeded random
// architectures and compares. Keys (nb201 bare, fmnist-chain prefixed `chain_`):
// within10_pct: share of architectures predicted within 10%; rho: Spearman of prediction vs
// measurement; flops_rho: Spearman of FLOPs vs measurement (the proxy a LUT should beat);
// median_err_pct / bias_pct: median absolute / signed relative error of the prediction;
// ops: table entries; missing: sampled architectures with an op the table lacks (left out);
// profile_s: seconds profiling took; repeat_within10_pct: share of architectures whose second
// measurement (after all first ones) is within 10% of the first, the bound on within10_pct that
// the machine's own noise sets.
// With --calibrate=K, K more architectures are measured first and fit measured ≈ a·predicted + b
// (least squares on relative error); cal_within10_pct scores that calibrated prediction on the
// same N (an experiment: a table does not store a and b yet).
// Flags: --archs=200 --seed=0 --backend=wasm --runs=10 --warmup=3 --lut-runs=20 --calibrate=0
// --spaces=nb201,fmnist-chain.
import { nb201Space, nb201SpaceNetwork } from '../../packages/bench-nb201/dist/index.js';
import { DataError, Rng, spearman } from '../../packages/core/dist/index.js';
import {
  buildSpaceNetwork,
  measureLatency,
  predictLatency,
  profileDevice,
  useBackend,
} from '../../packages/hardware-latency/dist/index.js';
import { fmnistChainSpace, fmnistChainSpaceNetwork } from '../../packages/space-fmnist-chain/dist/index.js';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const archs = Number(args.archs ?? 200);
const seed = Number(args.seed ?? 0);
const runs = Number(args.runs ?? 10);
const warmup = Number(args.warmup ?? 3);
const spaces = (args.spaces ?? 'nb201,fmnist-chain').split(',');
const backend = await useBackend(args.backend ?? 'wasm');

const calibrate = Number(args.calibrate ?? 0);

/** a, b minimising the squared relative error of a·p + b against m (weights 1/m²). */
function affineFit(ps, ms) {
  let sw = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  ps.forEach((x, k) => {
    const w = 1 / ms[k] ** 2;
    sw += w;
    sx += w * x;
    sy += w * ms[k];
    sxx += w * x * x;
    sxy += w * x * ms[k];
  });
  const a = (sw * sxy - sx * sy) / (sw * sxx - sx * sx);
  return { a, b: (sy - a * sx) / sw };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x, d = 3) => x.toFixed(d);

/** Profiles `space`, then predicts and measures `archs` random architectures drawn with `seed`. */
async function evaluate(space, spaceNetwork, label, profileOptions) {
  const spaceNet = await spaceNetwork.load();
  process.stderr.write(`latency-predictor: profiling ${label} ops on ${backend}...\n`);
  const t0 = performance.now();
  const lut = await profileDevice(spaceNet, space, {
    runs: Number(args['lut-runs'] ?? 20),
    warmup,
    ...profileOptions,
  });
  const profileS = (performance.now() - t0) / 1000;
  const rng = Rng.fromSeed(seed);
  const chosen = new Map();
  while (chosen.size < archs + calibrate) {
    const a = space.sample(rng);
    chosen.set(space.key(a), a);
  }
  const predicted = [];
  const measured = [];
  const flops = [];
  const kept = [];
  let missing = 0;
  let i = 0;
  for (const arch of chosen.values()) {
    const network = buildSpaceNetwork(spaceNet, space, arch);
    try {
      const p = predictLatency(lut, network);
      predicted.push(p);
      flops.push(network.flops());
      measured.push((await measureLatency(network, { runs, warmup })).median);
      kept.push(arch);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      missing++;
    } finally {
      network.dispose();
    }
    if (++i % 50 === 0) process.stderr.write(`latency-predictor: ${label} ${i}/${archs} measured\n`);
  }
  // The first `calibrate` architectures fit the calibration; the rest are scored.
  const cal = { p: predicted.splice(0, calibrate), m: measured.splice(0, calibrate) };
  flops.splice(0, calibrate);
  kept.splice(0, calibrate);
  // The noise floor: each scored architecture measured again, after all the others. No
  // predictor can agree with a measurement more often than the measurement agrees with itself.
  const again = [];
  for (const arch of kept) {
    const network = buildSpaceNetwork(spaceNet, space, arch);
    try {
      again.push((await measureLatency(network, { runs, warmup })).median);
    } finally {
      network.dispose();
    }
  }
  const withinOf = (ps) =>
    ps.filter((p, k) => Math.abs(p - measured[k]) <= 0.1 * measured[k]).length / ps.length;
  const signed = predicted.map((p, k) => (p - measured[k]) / measured[k]);
  const errors = signed.map(Math.abs);
  const fit = calibrate > 1 ? affineFit(cal.p, cal.m) : undefined;
  return {
    within10_pct: fmt(100 * withinOf(predicted), 1),
    repeat_within10_pct: fmt(100 * withinOf(again), 1),
    ...(fit && {
      cal_within10_pct: fmt(100 * withinOf(predicted.map((p) => fit.a * p + fit.b)), 1),
      cal_scale: fmt(fit.a),
      cal_offset_ms: fmt(fit.b),
    }),
    rho: fmt(spearman(predicted, measured)),
    flops_rho: fmt(spearman(flops, measured)),
    median_err_pct: fmt(100 * median(errors), 1),
    bias_pct: fmt(100 * median(signed), 1),
    ops: Object.keys(lut.entries).length,
    missing,
    overhead_ms: fmt(lut.overheadMs),
    profile_s: fmt(profileS, 1),
  };
}

const parts = [];
for (const name of spaces) {
  if (name === 'nb201') {
    const r = await evaluate(nb201Space, nb201SpaceNetwork, 'nb201', {});
    parts.push(...Object.entries(r).map(([k, v]) => `${k}=${v}`));
  } else if (name === 'fmnist-chain') {
    const r = await evaluate(fmnistChainSpace(), fmnistChainSpaceNetwork, 'fmnist-chain', {});
    parts.push(...Object.entries(r).map(([k, v]) => `chain_${k}=${v}`));
  } else throw new Error(`latency-predictor: unknown space '${name}' (nb201, fmnist-chain)`);
}
console.log(`bench latency-predictor ${parts.join(' ')} archs=${archs} backend=${backend}`);
