// What the OFA benches (ofa-ranking, ofa-claim) share: their mbv3 space and supernet flags, the
// options built from them, this machine's latency table for the space, and a seeded pool of
// random subnets ordered by that table's latency.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions } from '../packages/core/dist/index.js';
import { predictLayers, readLut } from '../packages/hardware-latency/dist/index.js';
import { mbv3Space, mbv3SpaceNetwork } from '../packages/space-mbv3/dist/index.js';
import { describeMbv3Network, mbv3NetworkConfig } from '../packages/space-mbv3/dist/mbv3-network.js';
import { ofaStrategyFactory } from '../packages/strategy-ofa/dist/index.js';
import { benchFlags } from './bench-flags.mjs';
import { rankingTrainOptions } from './bench-jobs.mjs';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../packages/cli/dist/bin.js');

/** The sizes of an OFA bench's supernet and stand-alone training, by flag (`rankingFlags`'s defaults). */
export const OFA_BENCH_SIZES = {
  'train-images': 2000,
  'val-images': 1000,
  'bn-images': 512,
  'sa-epochs': 2,
  'sa-images': 2000,
  'sa-batch': 128,
  'test-images': 1000,
};

/** The flags of an OFA bench's space and supernet; `seed` says what the seed seeds. */
export function ofaFlags(seed) {
  return {
    seed: { type: 'int', default: 0, min: 0, description: seed },
    space: {
      type: 'string',
      default: 'widths=8,16,24;strides=1,2,2;stem=8;final=64;depths=1,2,3',
      description:
        'mbv3 space options, NAME=VALUE separated by ";" (the defaults hold kernels 3/5/7, expands 3/4/6, 20–28 px)',
    },
    'full-epochs': { type: 'int', default: 3, min: 1, max: 1000, description: 'full phase epochs' },
    'shrink-epochs': {
      type: 'int',
      default: 2,
      min: 0,
      max: 1000,
      description: 'epochs of each of the kernel, depth and expand phases',
    },
    // The strategy's own option, as a flag.
    'subnets-per-step': ofaStrategyFactory.options['subnets-per-step'],
  };
}

/**
 * The flags of bench `name` (`spec` holds `ofaFlags` and `rankingFlags`) as `opts`, with what
 * they make in it: `spaceOptions`, the `ofa` strategy's options the flags set (`strategyFlags`,
 * `extra` on top), the same with every default (`strategyOptions`) and the stand-alone `train`
 * options (`trainOptions`); and the mbv3 `space` and the `dataset`. A bad flag, or sizes the data
 * set cannot hold, is a one-line `name: …` error and exit status 2.
 */
export async function ofaBenchOptions(name, spec, extra = {}) {
  try {
    const opts = benchFlags(name, spec);
    opts.spaceOptions = Object.fromEntries(
      opts.space
        .split(';')
        .filter((kv) => kv.trim() !== '')
        .map((kv) => {
          const at = kv.indexOf('=');
          if (at < 1) throw new Error(`${name}: --space is NAME=VALUE;…, got '${kv}'`);
          const value = kv.slice(at + 1).trim();
          return [kv.slice(0, at).trim(), /^\d+$/.test(value) ? Number(value) : value];
        }),
    );
    const space = mbv3Space(opts.spaceOptions);
    const shrink = opts['shrink-epochs'];
    opts.strategyFlags = {
      'train-images': opts['train-images'],
      'val-images': opts['val-images'],
      'split-seed': opts.seed,
      'full-epochs': opts['full-epochs'],
      'kernel-epochs': shrink,
      'depth-epochs': shrink,
      'expand-epochs': shrink,
      'subnets-per-step': opts['subnets-per-step'],
      ...extra,
    };
    opts.strategyOptions = parseOptions('ofa', ofaStrategyFactory.options, opts.strategyFlags);
    const { trainOptions, dataset } = await rankingTrainOptions(opts);
    opts.trainOptions = trainOptions;
    return { opts, space, dataset };
  } catch (err) {
    const prefix = err.message.startsWith(name) ? '' : `${name}: `;
    process.stderr.write(`${prefix}${err.message}\n`);
    process.exit(2);
  }
}

/**
 * This machine's lookup table for the mbv3 space of `spaceOptions` (`archlab profile-device`,
 * written to a temporary folder: it is this machine's, not a result): its file, and the latency
 * (ms) it predicts for an architecture of `space`.
 */
export function profileMbv3(name, spaceOptions, space) {
  const file = join(mkdtempSync(join(tmpdir(), `${name}-`)), 'mbv3.lut.json');
  execFileSync(
    process.execPath,
    [
      cli,
      'profile-device',
      '--space',
      'mbv3',
      ...Object.entries(spaceOptions).flatMap(([k, v]) => ['--space-option', `${k}=${v}`]),
      ...['--out', file, '--runs', '3', '--warmup', '1'],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const lut = readLut(file);
  const netConfig = mbv3NetworkConfig(space.config, { numClasses: 10 });
  return {
    file,
    latency: (arch) => predictLayers(lut, describeMbv3Network(arch, netConfig).layers, file),
  };
}

/** `count` subnets of `space` drawn with `rng`, distinct, as [key, latency (ms)] from the fastest. */
export function latencyPool(space, latency, rng, count = 2000) {
  const pool = new Map();
  for (let i = 0; i < count; i++) {
    const arch = space.sample(rng);
    pool.set(space.key(arch), latency(arch));
  }
  return [...pool.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
}

/** The `runJobs` job training mbv3 architecture `key` stand-alone with the bench's `train` options. */
export function standaloneJob(opts, key, seed) {
  return {
    kind: 'standalone',
    what: key,
    network: mbv3SpaceNetwork.module,
    spaceOptions: opts.spaceOptions,
    key,
    options: opts.trainOptions,
    seed,
  };
}
