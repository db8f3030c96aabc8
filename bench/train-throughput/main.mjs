#!/usr/bin/env node
// Training images/s of a reference CNN (conv3x3 16 → maxpool → conv3x3 32 → maxpool → dense 10,
// batch 128, 28×28×1, SGD) on tfjs's wasm backend with archlab's gradient kernels, against the same
// network in PyTorch on the CPU (Debian's python3-torch), one thread each, in the same run. Each
// side runs in its own process; the figure is the best of `--rounds` (default 3) timed windows.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
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

const best = (f) => Math.max(...Array.from({ length: rounds }, f));
process.stderr.write(`train-throughput: wasm, ${rounds} × ${seconds} s...\n`);
const wasm = best(() => run(process.execPath, [join(here, 'wasm_cnn.mjs'), `--seconds=${seconds}`]).img_s);
let torch = Number.NaN;
try {
  process.stderr.write(`train-throughput: PyTorch (CPU, 1 thread), ${rounds} × ${seconds} s...\n`);
  torch = best(
    () =>
      run('/usr/bin/python3', [join(here, 'torch_cnn.py'), '--seconds', seconds], {
        OMP_NUM_THREADS: '1',
        MKL_NUM_THREADS: '1',
      }).img_s,
  );
} catch (err) {
  process.stderr.write(
    `train-throughput: PyTorch not measured (apt-get install -y python3-torch): ${err.message.split('\n')[0]}\n`,
  );
}
const f = (v) => (Number.isFinite(v) ? v.toFixed(1) : 'nan');
console.log(
  `bench train-throughput wasm_img_s=${f(wasm)} torch_img_s=${f(torch)} ratio=${Number.isFinite(torch) ? (wasm / torch).toFixed(3) : 'nan'}`,
);
