#!/usr/bin/env node
// Training images/s of a SPOS step (one uniform random path: forward, backward, SGD update) and
// of a first-order DARTS step (the weights on a batch through every op, then α on a second
// batch; both batches counted) on @archlab/supernet's default supernet (C=8, N=1, stride-2 stem,
// 28×28×1), batch 64, tfjs wasm, against the same supernet and steps in PyTorch on the CPU
// (Debian's python3-torch), one thread each, in the same run. ratio is the smaller of the two
// archlab/PyTorch ratios. Each side runs in its own process; the figures are the best of
// `--rounds` (default 3) windows of `--seconds` (default 3) each, the sides alternating.
// `--profile` prints the wasm kernels taking most time in one step of each kind (stderr).
// PyTorch is installed with apt-get when missing and this runs as root; it is never a dependency.
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-b', join(here, '../../packages/supernet')], { stdio: 'inherit' });
const argv = process.argv.slice(2);
const args = Object.fromEntries(argv.map((a) => a.replace(/^--/, '').split('=')));
const rounds = Number(args.rounds ?? 3);
const seconds = String(args.seconds ?? 3);
const batch = String(args.batch ?? 64);

const python = '/usr/bin/python3';
const hasTorch = () => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (!hasTorch() && process.getuid?.() === 0) {
  process.stderr.write('supernet-throughput: installing python3-torch (apt-get)\n');
  spawnSync('apt-get', ['install', '-y', 'python3-torch'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

const run = (cmd, cmdArgs, env = {}) =>
  JSON.parse(
    execFileSync(cmd, cmdArgs, {
      encoding: 'utf8',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
      .trim()
      .split('\n')
      .at(-1),
  );

const best = { spos: 0, darts: 0, torchSpos: Number.NaN, torchDarts: Number.NaN };
let torchError;
for (let round = 1; round <= rounds; round++) {
  const profile = round === 1 && 'profile' in args ? ['--profile'] : [];
  const w = run(process.execPath, [
    join(here, 'supernet_wasm.mjs'),
    `--seconds=${seconds}`,
    `--batch=${batch}`,
    ...profile,
  ]);
  best.spos = Math.max(best.spos, w.spos_img_s);
  best.darts = Math.max(best.darts, w.darts_img_s);
  let t = { spos_img_s: Number.NaN, darts_img_s: Number.NaN };
  if (torchError === undefined) {
    try {
      const env = { OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
      t = run(python, [join(here, 'supernet_torch.py'), '--seconds', seconds, '--batch', batch], env);
      best.torchSpos = Math.max(best.torchSpos || 0, t.spos_img_s);
      best.torchDarts = Math.max(best.torchDarts || 0, t.darts_img_s);
    } catch (err) {
      torchError = err;
      process.stderr.write(
        `supernet-throughput: PyTorch not measured (apt-get install -y python3-torch): ${err.message.split('\n')[0]}\n`,
      );
    }
  }
  const f1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : 'nan');
  process.stderr.write(
    `supernet-throughput: round ${round}/${rounds}: wasm SPOS ${f1(w.spos_img_s)} DARTS ${f1(w.darts_img_s)} img/s; PyTorch SPOS ${f1(t.spos_img_s)} DARTS ${f1(t.darts_img_s)} img/s\n`,
  );
}
const f = (v) => (Number.isFinite(v) ? v.toFixed(1) : 'nan');
const ratio = Math.min(best.spos / best.torchSpos, best.darts / best.torchDarts);
console.log(
  `bench supernet-throughput spos_img_s=${f(best.spos)} darts_img_s=${f(best.darts)} torch_spos_img_s=${f(best.torchSpos)} torch_darts_img_s=${f(best.torchDarts)} ratio=${Number.isFinite(ratio) ? ratio.toFixed(3) : 'nan'}`,
);
