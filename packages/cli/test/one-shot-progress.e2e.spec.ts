import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  archlab,
  archlabJson,
  installPlugin,
  killAtRandomPoints,
  runDurationMs,
  tempDir,
  trialsCsv,
} from './cli-harness.js';

/**
 * A one-shot plugin as a third party writes one: a run service (a toy supernet, checkpointed
 * with the strategy) that each `ask` trains for one epoch of two chunks, each chunk reported as
 * progress, a short wait between them so that a kill lands in the middle of an epoch; the
 * strategy reports its own progress with a vector (`alpha`) and proposes an architecture.
 */
const PLUGIN = `
import { ContainerModule, Rng, RunService, StrategyFactory } from '@archlab/core';
const SUPERNET = Symbol.for('toy.Supernet');
const encode = (x) => new TextEncoder().encode(JSON.stringify(x));
const decode = (b) => JSON.parse(new TextDecoder().decode(b));
class Supernet {
  constructor(progress) { this.progress = progress; this.state = { w: 0, step: 0, rng: Rng.fromSeed('toy').state() }; }
  async epoch() {
    const rng = Rng.fromState(this.state.rng);
    for (let chunk = 0; chunk < 2; chunk++) {
      const w = 0.9 * this.state.w + rng.float();
      this.state = { w, step: this.state.step + 1, rng: rng.state() };
      await this.progress.report(this.state.step, { loss: 1 / (1 + w), images: 64 * this.state.step });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
  snapshot() { return encode(this.state); }
  restore(bytes) { this.state = decode(bytes); }
}
export const toyOneShotModule = new ContainerModule((bind) => {
  bind(RunService).toConstantValue({
    token: SUPERNET,
    name: 'toy-supernet',
    create: (scope) => new Supernet(scope.progress('toy-supernet')),
  });
  bind(StrategyFactory).toConstantValue({
    name: 'toy-oneshot',
    description: 'test: one supernet epoch per proposal',
    options: {},
    create(ctx) {
      const net = ctx.services.get(SUPERNET);
      let rng = ctx.rng;
      let epoch = 0;
      return {
        async ask() {
          await net.epoch();
          epoch++;
          const w = net.state.w;
          await ctx.progress.report(epoch, { epoch }, { alpha: [w / (1 + w), 1 / (1 + w)] });
          return ctx.space.sample(rng);
        },
        tell() {},
        snapshot: () => encode({ rng: rng.state(), epoch }),
        restore(bytes) {
          const s = decode(bytes);
          rng = Rng.fromState(s.rng);
          epoch = s.epoch;
        },
      };
    },
  });
});
`;

const ARGS = [
  '--space',
  'nb201',
  '--estimator',
  'nb201:cifar10',
  '--plugin',
  'archlab-toy-oneshot',
  '--strategy',
  'toy-oneshot',
  '--trials',
  '40',
  '--checkpoint-every',
  '3',
  '--seed',
  '9',
  '--run-id',
  'one',
];

/** The Progressed events of run `one` in `db`, as recorded (data only). */
function progressOf(dir: string, db: string): unknown[] {
  const r = archlab(dir, 'events', 'one', '--db', db, '--type', 'Progressed', '--json');
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as { data: unknown }[]).map((e) => e.data);
}

describe('a one-shot run reports its supernet training as progress in the log', () => {
  let dir: string;
  let runMs: number;
  let progress: unknown[];
  let trials: string;

  beforeAll(() => {
    dir = tempDir();
    installPlugin(dir, 'archlab-toy-oneshot', 'toyOneShotModule', PLUGIN);
    archlabJson(dir, 'search', ...ARGS, '--db', 'full.db');
    runMs = runDurationMs(dir, 'one', 'full.db');
    progress = progressOf(dir, 'full.db');
    trials = trialsCsv(dir, 'full.db', 'one');
  });

  it('is recorded per chunk and per epoch, and show, runs, report, export and replay --verify read it', () => {
    expect(progress).toHaveLength(40 * 3);
    expect(progress.slice(0, 3)).toMatchObject([
      { owner: 'toy-supernet', step: 1 },
      { owner: 'toy-supernet', step: 2 },
      { owner: 'strategy', step: 1, values: { alpha: [expect.any(Number), expect.any(Number)] } },
    ]);
    const show = archlab(dir, 'show', 'one', '--db', 'full.db');
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(
      /\nprogress {3}toy-supernet step 80 \(loss=[\d.]+ images=5120\); strategy step 40 \(epoch=40\)\n/,
    );
    const json = archlabJson<{ progress: Record<string, { step: number }> }>(
      dir,
      'show',
      'one',
      '--db',
      'full.db',
    );
    expect(json.progress).toMatchObject({ 'toy-supernet': { step: 80 }, strategy: { step: 40 } });
    expect(archlab(dir, 'runs', '--db', 'full.db').code).toBe(0);
    const report = archlab(dir, 'report', 'one', '--db', 'full.db', '--out', 'r.html');
    expect(report.code, report.stderr).toBe(0);
    expect(existsSync(join(dir, 'r.html'))).toBe(true);
    expect(trials.split('\n')).toHaveLength(41);
    const verify = archlab(dir, 'replay', 'one', '--db', 'full.db', '--verify');
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('120 progress reports made again and equal');
  });

  it('resumes after kill -9 at random points (mid-epoch included) to the same trials and progress', async () => {
    await killAtRandomPoints(
      dir,
      'one',
      (db) => [...ARGS, '--db', db],
      { runMs, runs: 5, seed: 20261203, minMidRun: 3, minFraction: 0.05 },
      (db) => {
        expect(trialsCsv(dir, db, 'one')).toBe(trials);
        expect(progressOf(dir, db)).toEqual(progress);
        expect(archlab(dir, 'replay', 'one', '--db', db, '--verify').code).toBe(0);
      },
    );
  }, 300_000);
});
