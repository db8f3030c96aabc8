#!/usr/bin/env node
// Durable trials/s of the random strategy on the NB201 table with the SQLite store, against
// Optuna (SQLite storage, RandomSampler) on the same table in the same run; then replay time
// and peak memory of a 100,000-trial run. Each phase runs in its own process so memory is its own.
//
// `--baseline=DIR`: DIR is a built checkout of another commit (e.g. `git worktree add --detach
// /tmp/base main && cd /tmp/base && pnpm install && pnpm build`). The search phase of this tree and
// of DIR then run alternately, `--rounds` times each (default 5), and the line adds the baseline's
// median and `vs_baseline` (this tree's median / the baseline's): a ratio measured in one run, so
// the machine's load weighs on both alike.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const trials = Number(args.trials ?? 10_000);
const replayTrials = Number(args['replay-trials'] ?? 100_000);
const optunaTrials = Number(args['optuna-trials'] ?? 1_000);
const baseline = args.baseline && resolve(args.baseline);
const rounds = Number(args.rounds ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'archlab-bench-'));

const phaseIn = (script, ...a) =>
  JSON.parse(
    execFileSync(process.execPath, [script, ...a], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .at(-1),
  );
const phase = (...a) => phaseIn(join(here, 'phase.mjs'), ...a);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Median trials/s of this tree and of the baseline, their search phases alternating. */
function versusBaseline() {
  const script = join(baseline, 'bench/store-throughput/phase.mjs');
  if (!existsSync(script)) throw new Error(`--baseline ${baseline} has no bench/store-throughput/phase.mjs`);
  const ours = [];
  const theirs = [];
  for (let i = 0; i < rounds; i++) {
    process.stderr.write(`store-throughput: round ${i + 1}/${rounds}, this tree then the baseline...\n`);
    ours.push(phase('search', join(dir, `ours-${i}.db`), String(trials)).trials_per_s);
    theirs.push(phaseIn(script, 'search', join(dir, `base-${i}.db`), String(trials)).trials_per_s);
  }
  return { ours: median(ours), theirs: median(theirs) };
}

try {
  if (baseline) {
    const { ours, theirs } = versusBaseline();
    process.stdout.write(
      `bench store-throughput trials_per_s=${ours.toFixed(1)} baseline_trials_per_s=${theirs.toFixed(1)} vs_baseline=${(ours / theirs).toFixed(3)} rounds=${rounds}\n`,
    );
  } else measureAll();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function measureAll() {
  process.stderr.write(`store-throughput: ${trials} random trials on nb201:cifar10 into SQLite...\n`);
  const search = phase('search', join(dir, 'search.db'), String(trials));

  let optuna = { trials_per_s: Number.NaN };
  try {
    process.stderr.write(
      `store-throughput: Optuna, ${optunaTrials} trials, RandomSampler, SQLite storage...\n`,
    );
    const csv = join(here, '../../../shared/bench/nb201.csv');
    optuna = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [join(here, 'optuna_random.py'), join(dir, 'optuna.db'), String(optunaTrials), csv],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      )
        .trim()
        .split('\n')
        .at(-1),
    );
  } catch (err) {
    process.stderr.write(
      `store-throughput: Optuna comparison skipped (${String(err.message).split('\n')[0]}); install it with 'apt-get install -y python3-optuna'\n`,
    );
  }

  process.stderr.write(`store-throughput: writing a ${replayTrials}-trial run to replay...\n`);
  phase('search', join(dir, 'replay.db'), String(replayTrials));
  process.stderr.write('store-throughput: replay --verify of it...\n');
  const replay = phase('replay', join(dir, 'replay.db'));

  const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'nan');
  process.stdout.write(
    `search ${trials} trials: ${fmt(search.seconds, 2)} s, peak ${fmt(search.peak_mb)} MB\n` +
      `replay ${replayTrials} trials (${replay.events} events, hash chain + proposals + re-evaluation): ${fmt(replay.seconds, 2)} s, peak ${fmt(replay.peak_mb)} MB\n`,
  );
  process.stdout.write(
    `bench store-throughput trials_per_s=${fmt(search.trials_per_s)} optuna_trials_per_s=${fmt(optuna.trials_per_s)} ratio=${fmt(search.trials_per_s / optuna.trials_per_s)} replay_100k_s=${fmt(replay.seconds, 2)} peak_mb=${fmt(Math.max(search.peak_mb, replay.peak_mb))}\n`,
  );
}
