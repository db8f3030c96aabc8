#!/usr/bin/env node
// Spearman ρ of each zero-cost proxy against NAS-Bench-201 CIFAR-10 test accuracy, on a fixed
// seeded sample of architectures (default 1,000, seed 0), scored by `archlab proxy` in one
// process per core (each takes a share of the sample through --archs). Prints one line:
// `bench zero-cost-correlation synflow_rho=... ... params_rho=... flops_rho=...` and, on
// stderr, the full table with Kendall τ and the other data sets.
//   node bench/zero-cost-correlation/main.mjs [--sample N] [--seed S] [--workers K] [--proxies LIST]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { nb201Space } from '../../packages/bench-nb201/dist/index.js';
import { kendall, sampleKeys, spearman } from '../../packages/core/dist/index.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '../../packages/cli/dist/bin.js');
const { values: args } = parseArgs({
  options: {
    sample: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '0' },
    workers: { type: 'string', default: String(availableParallelism()) },
    proxies: { type: 'string', default: 'synflow,jacob_cov,snip,grad_norm,grasp,fisher,params,flops' },
  },
});
const keys = sampleKeys(nb201Space, Number(args.sample), Number(args.seed));
const workers = Math.max(1, Math.min(Number(args.workers), keys.length));
const dir = mkdtempSync(join(tmpdir(), 'zc-corr-'));
const started = performance.now();
try {
  const parts = await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const file = join(dir, `part${w}.txt`);
      writeFileSync(file, `${keys.filter((_, i) => i % workers === w).join('\n')}\n`);
      const child = run(
        process.execPath,
        [
          bin,
          'proxy',
          '--space',
          'nb201',
          '--proxy',
          args.proxies,
          '--archs',
          file,
          '--json',
          ...(w ? ['-q'] : []),
        ],
        { maxBuffer: 1 << 28 },
      );
      // The first worker's progress lines (its share of the sample) show how far the run is.
      if (w === 0) child.child.stderr.pipe(process.stderr);
      const { stdout } = await child.catch((err) => {
        process.stderr.write(err.stderr ?? '');
        throw err;
      });
      return JSON.parse(stdout.trim().split('\n').at(-1));
    }),
  );
  const scores = parts.flatMap((p) => p.scores);
  const proxies = parts[0].proxies;
  const datasets = Object.keys(scores[0].benchmarks);
  const fields = [];
  process.stderr.write(
    `${scores.length} architectures in ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
  );
  for (const p of proxies) {
    const xs = scores.map((s) => s.values[p]);
    const cells = datasets.map((d) => {
      const ys = scores.map((s) => s.benchmarks[d]);
      return `${d} ρ=${spearman(xs, ys).toFixed(3)} τ=${kendall(xs, ys).toFixed(3)}`;
    });
    process.stderr.write(`${p.padEnd(10)} ${cells.join('  ')}\n`);
    const cifar = scores.map((s) => s.benchmarks['nb201:cifar10']);
    fields.push(`${p}_rho=${spearman(xs, cifar).toFixed(3)}`);
  }
  const warnings = parts.reduce((n, p) => n + p.warnings.length, 0);
  process.stdout.write(
    `bench zero-cost-correlation ${fields.join(' ')} n=${scores.length} warnings=${warnings} wall_s=${((performance.now() - started) / 1000).toFixed(0)}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
