import {
  ConfigError,
  InvalidOptionError,
  parseOptions,
  Rng,
  RunHaltedError,
  type SearchSpace,
  type StrategyContext,
  type TrialResult,
} from '@archlab/core';
import { digitsSpace } from '@archlab/core/testing';
import { describe, expect, it } from 'vitest';
import { COMPOUND_SCALING, COMPOUND_SCALING_OPTIONS, CompoundScaling } from './compound-scaling.js';
import { compoundMultipliers } from './scaling.js';
import { type ToyScaledArch, toyFlops, toyScaledSpace } from './test-fixtures.js';

const space = toyScaledSpace();

let reports: [number, Record<string, number>][] = [];

function strategy(options: Record<string, unknown> = {}, on: SearchSpace = space) {
  reports = [];
  const ctx = {
    progress: {
      report: async (step: number, metrics: Record<string, number>) => {
        reports.push([step, metrics]);
      },
    },
    space: on,
    rng: Rng.fromSeed(1),
    options: parseOptions(COMPOUND_SCALING, COMPOUND_SCALING_OPTIONS, options),
    objective: { metric: 'val_accuracy', direction: 'max' },
    budget: { trials: 100 },
    concurrency: 1,
  } as StrategyContext<ToyScaledArch, never>;
  return new CompoundScaling<ToyScaledArch>(ctx);
}

let nextId = 0;
function result(
  arch: ToyScaledArch,
  score: number,
  extra: Partial<TrialResult> = {},
): TrialResult<ToyScaledArch> {
  return {
    trialId: nextId++,
    arch,
    key: space.key(arch),
    status: Number.isNaN(score) ? 'failed' : 'completed',
    score,
    ...extra,
  };
}

/** Asks until the strategy waits, returning the keys proposed. */
async function drain(s: CompoundScaling<ToyScaledArch>): Promise<ToyScaledArch[]> {
  const out: ToyScaledArch[] = [];
  for (let a = await s.ask(); a !== undefined; a = await s.ask()) out.push(a);
  return out;
}

async function tellAll(
  s: CompoundScaling<ToyScaledArch>,
  archs: readonly ToyScaledArch[],
  score: (i: number) => number,
) {
  for (const [i, a] of archs.entries()) await s.tell(result(a, score(i)));
}

const m = (a: ToyScaledArch) => [a.m.depth, a.m.width, a.m.resolution];

describe('compound-scaling', async () => {
  it('trains the grid at φ=1, waits for it, then scales the best to φ = 2 … phi-max', async () => {
    const s = strategy();
    const grid = await drain(s);
    // The default grid (see scaling.unit.spec.ts) at φ=1, in grid order.
    expect(grid.map(m)).toEqual([
      [1, 1.1, 1.3],
      [1, 1.2, 1.2],
      [1.1, 1.1, 1.2],
      [1.1, 1.2, 1.1],
      [1.2, 1, 1.3],
      [1.2, 1.1, 1.2],
      [1.2, 1.2, 1.1],
      [1.3, 1.1, 1.1],
    ]);
    expect(grid.every((a) => a.base === '2.3')).toBe(true);
    // Told all but one: still waiting.
    await tellAll(s, grid.slice(0, -1), (i) => (i === 4 ? 0.9 : 0.5));
    expect(await s.ask()).toBeUndefined();
    expect(s.coefficients).toBeUndefined();
    await s.tell(result(grid.at(-1)!, 0.7));
    expect(s.coefficients).toEqual({ alpha: 1.2, beta: 1, gamma: 1.3 });
    // The coefficients found are reported once, as the strategy's progress.
    expect(reports).toEqual([
      [1, { alpha: 1.2, beta: 1, gamma: 1.3, flops_factor: 1.2 * 1.3 ** 2, best_score: 0.9 }],
    ]);
    // φ=1 of the best is its grid trial: not proposed again.
    const scaled = await drain(s);
    expect(scaled.map(m)).toEqual([
      [1.44, 1, 1.69],
      [1.728, 1, 2.197],
    ]);
    await tellAll(s, scaled, () => 0.95);
    expect(await s.ask()).toBeUndefined();
  });

  it('breaks a tie by grid order and never picks a failed or pruned point', async () => {
    const s = strategy();
    const grid = await drain(s);
    for (const [i, a] of grid.entries()) {
      if (i < 2) await s.tell(result(a, Number.NaN, i === 1 ? { status: 'pruned', feasible: false } : {}));
      else await s.tell(result(a, i === 3 || i === 6 ? 0.8 : 0.6));
    }
    expect(s.coefficients).toEqual({ alpha: 1.1, beta: 1.2, gamma: 1.1 });
  });

  it('stops the run when every grid point failed', async () => {
    const s = strategy({ alphas: '1.2', betas: '1.1', gammas: '1.2' });
    const [only] = await drain(s);
    await s.tell(result(only!, Number.NaN));
    await expect(s.ask()).rejects.toThrow(RunHaltedError);
    await expect(s.ask()).rejects.toThrow(/every trial of the grid failed/);
  });

  it('skips the grid when given coefficients, and proposes φ=1 too', async () => {
    const s = strategy({ coefficients: '1.2,1.1,1.15', 'phi-max': 2 });
    expect(s.coefficients).toEqual({ alpha: 1.2, beta: 1.1, gamma: 1.15 });
    expect((await drain(s)).map(m)).toEqual([
      [1.2, 1.1, 1.15],
      [1.44, 1.21, 1.323],
    ]);
  });

  it.each(['depth', 'width', 'resolution'] as const)(
    'only=%s scales that dimension alone to the FLOPs of compound φ',
    async (dim) => {
      const c = { alpha: 1.2, beta: 1.1, gamma: 1.15 };
      const s = strategy({ coefficients: '1.2,1.1,1.15', only: dim });
      const archs = await drain(s);
      expect(archs).toHaveLength(3);
      archs.forEach((a, i) => {
        for (const other of ['depth', 'width', 'resolution'] as const)
          if (other !== dim) expect(a.m[other]).toBe(1);
        const phi = i + 1;
        const target = toyFlops(space.scale('2.3', compoundMultipliers(c, phi)));
        // No multiplier of this dimension (to a thousandth) comes closer in ratio.
        const err = (x: number) =>
          Math.abs(Math.log(toyFlops(space.scale('2.3', { ...a.m, [dim]: x })) / target));
        for (let t = 1000; t <= 16000; t += 1)
          expect(err(a.m[dim])).toBeLessThanOrEqual(err(t / 1000) + 1e-12);
      });
    },
  );

  it('uses a result it was told for a key it would propose (a warm-up trial) instead of proposing it', async () => {
    // The grid: (1, 1.1, 1.2), (1.2, 1.1, 1.2), (1.2, 1.1, 1.15).
    const s = strategy({ alphas: '1,1.2', betas: '1.1', gammas: '1.2,1.15', tolerance: 0.3 });
    const first = space.scale('2.3', { depth: 1, width: 1.1, resolution: 1.2 });
    await s.tell(result(first, 0.99, { seeded: true }));
    await s.tell(result(space.scale('3.2', { depth: 1, width: 1, resolution: 1 }), 0.2, { seeded: true }));
    const grid = await drain(s);
    expect(grid.map(m)).toEqual([
      [1.2, 1.1, 1.2],
      [1.2, 1.1, 1.15],
    ]);
    await tellAll(s, grid, () => 0.5);
    expect(s.coefficients).toEqual({ alpha: 1, beta: 1.1, gamma: 1.2 });
  });

  it('continues from a snapshot as the original does', async () => {
    const a = strategy({ only: 'width' });
    const grid = await drain(a);
    await tellAll(a, grid.slice(0, 5), (i) => i / 10);
    const b = strategy({ only: 'width' });
    await b.restore(a.snapshot());
    for (const s of [a, b]) await tellAll(s, grid.slice(5), () => 0.1);
    expect(b.coefficients).toEqual(a.coefficients);
    expect((await drain(b)).map(m)).toEqual((await drain(a)).map(m));
    expect(new TextDecoder().decode(b.snapshot())).toBe(new TextDecoder().decode(a.snapshot()));
  });

  it('refuses a space that does not scale, a malformed base and malformed options', async () => {
    expect(() => strategy({}, digitsSpace())).toThrow(ConfigError);
    expect(() => strategy({}, digitsSpace())).toThrow(
      /does not scale a base architecture.*--space mbv3-scaled/,
    );
    expect(() => strategy({ base: '2.x' })).toThrow(/base '2\.x' is not two repeats/);
    expect(() => strategy({ coefficients: '1.2,1.1' })).toThrow(InvalidOptionError);
    expect(() => strategy({ coefficients: '1.2,1.1,0.5' })).toThrow(/option 'coefficients'/);
    expect(() => strategy({ gammas: '1.1,1.1' })).toThrow(/lists a value twice/);
    expect(() => strategy({ tolerance: 0 })).toThrow(/no \(alpha, beta, gamma\)/);
    expect(() => strategy({ 'phi-max': 8, alphas: '1.2,1.5', tolerance: 1 })).toThrow(
      /φ=8 would scale by 1\.5\^8 = 25\.629, beyond ×16/,
    );
  });

  it('stops the run when one dimension alone cannot reach the FLOPs of compound φ', async () => {
    const s = strategy({ coefficients: '2,2,2', 'phi-max': 4, only: 'depth' });
    await expect(s.ask()).rejects.toThrow(RunHaltedError);
    await expect(s.ask()).rejects.toThrow(
      /scaling depth alone up to ×16 does not reach the \d+ FLOPs of compound φ=1 /,
    );
  });
});
