#!/usr/bin/env node
// Training images/s of a reference CNN (conv3x3 16 → maxpool → conv3x3 32 → maxpool → dense 10,
// batch 128, 28×28×1, SGD) on tfjs's wasm backend with archlab's gradient kernels, against the same
// network in PyTorch on the CPU (Debian's python3-torch), one thread each, in the same run. Each
// side runs in its own process; the figure is the best of `--rounds` (default 3) timed windows of
// `--seconds` (default 3) each.
// Builds @archlab/trainer-tfjs (and @archlab/nn with it) first: the wasm side runs nn's dist.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-b', join(here, '../../packages/trainer-tfjs')], { stdio: 'inherit' });
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const rounds = Number(args.rounds ?? 3);
const seconds = String(args.seconds ?? 3);

const run = (cmd, argv, env = {}) =>
  JSON.parse(
    execFileSync(cmd, argv, { encoding: 'utf8', env: { ...process.env, ...env } })
      .trim()
      .split('\n')
      .at(-1),
  );

// Rounds alternate between the two sides, so that load from elsewhere on the machine weighs on
// both alike.
let wasm = 0;
let torch = Number.NaN;
let torchError;
for (let round = 1; round <= rounds; round++) {
  const w = run(process.execPath, [join(here, 'wasm_cnn.mjs'), `--seconds=${seconds}`]);
  wasm = Math.max(wasm, w.img_s);
  let t = Number.NaN;
  if (torchError === undefined) {
    try {
      const env = { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
      t = run('/usr/bin/python3', [join(here, 'torch_cnn.py'), '--seconds', seconds], env).img_s;
      torch = Number.isNaN(torch) ? t : Math.max(torch, t);
    } catch (err) {
      torchError = err;
      process.stderr.write(
        `train-throughput: PyTorch not measured (apt-get install -y python3-torch): ${err.message.split('\n')[0]}\n`,
      );
    }
  }
  process.stderr.write(
    `train-throughput: round ${round}/${rounds}: wasm ${w.img_s.toFixed(1)} img/s (${w.threads} thread), PyTorch ${t.toFixed(1)} img/s (1 thread)\n`,
  );
}
const f = (v) => (Number.isFinite(v) ? v.toFixed(1) : 'nan');
console.log(
  `bench train-throughput wasm_img_s=${f(wasm)} torch_img_s=${f(torch)} ratio=${Number.isFinite(torch) ? (wasm / torch).toFixed(3) : 'nan'}`,
);
