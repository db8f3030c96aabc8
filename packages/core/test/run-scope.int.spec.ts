import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  Container,
  ContainerModule,
  type EstimatorFactory,
  inProcessRunner,
  instantiate,
  PluginRegistry,
  Rng,
  RunService,
  type RunServices,
  RunStore,
  randomStrategyFactory,
  replayRun,
  resolveConfig,
  type StrategyFactory,
  TrialRunner,
} from '../src/index.js';
import { digitsSpaceFactory, runSearch, syntheticEstimatorFactory } from '../src/testing/index.js';

/** A stand-in for a supernet: shared by the strategy and the estimator of one run. */
class SharedState {
  weights = 0;
  snapshot(): Uint8Array {
    return Uint8Array.of(this.weights);
  }
  restore(bytes: Uint8Array): void {
    this.weights = bytes[0]!;
  }
}
const Shared = Symbol.for('test.Shared');

function registry() {
  const seen = { strategy: [] as SharedState[], estimator: [] as SharedState[], created: 0 };
  const sharedService: RunService<SharedState> = {
    token: Shared,
    name: 'shared',
    create: (scope) => {
      expect(scope.config.space).toBe('digits');
      seen.created++;
      return new SharedState();
    },
  };
  const strategy: StrategyFactory = {
    ...randomStrategyFactory,
    name: 'sharing',
    create(ctx) {
      seen.strategy.push(ctx.services!.get<SharedState>(Shared));
      return randomStrategyFactory.create(ctx);
    },
  };
  const estimator: EstimatorFactory = {
    ...syntheticEstimatorFactory,
    name: 'sharing',
    create(space, options, ctx) {
      if (ctx) seen.estimator.push(ctx.services.get<SharedState>(Shared));
      return syntheticEstimatorFactory.create(space, options);
    },
  };
  const container = new Container();
  // As a plugin package binds it: through its ContainerModule.
  container.load(new ContainerModule((bind) => bind(RunService).toConstantValue(sharedService)));
  const r = new PluginRegistry(container);
  r.register('space', digitsSpaceFactory);
  r.register('estimator', estimator);
  r.register('estimator', syntheticEstimatorFactory);
  r.register('strategy', strategy);
  r.register('strategy', randomStrategyFactory);
  return { r, seen };
}

const input = { space: 'digits', estimator: 'sharing', strategy: 'sharing', seed: 3, budget: { trials: 4 } };

describe('run-scoped services', () => {
  it('two plugins of one run get the same instance, made once; two runs get different ones', () => {
    const { r, seen } = registry();
    const config = resolveConfig(r, input);
    const a = instantiate(r, config);
    const strategyA = a.createStrategy();
    expect(seen.created).toBe(1);
    expect(seen.estimator).toHaveLength(1);
    expect(seen.strategy.at(-1)).toBe(seen.estimator[0]);
    expect(a.services.get(Shared)).toBe(seen.estimator[0]);
    const b = instantiate(r, config);
    expect(seen.created).toBe(2);
    expect(b.services.get(Shared)).not.toBe(a.services.get(Shared));
    expect(seen.strategy.at(-1)).toBe(b.services.get(Shared));
    void strategyA.dispose?.();
  });

  it('a service with snapshot and restore is listed as stateful under its name', async () => {
    const { r } = registry();
    const run = instantiate(r, resolveConfig(r, input));
    expect(run.stateful.map((s) => s.owner)).toEqual(['shared']);
    run.services.get<SharedState>(Shared).weights = 7;
    const bytes = await run.stateful[0]!.snapshot();
    run.services.get<SharedState>(Shared).weights = 0;
    await run.stateful[0]!.restore(bytes);
    expect(run.services.get<SharedState>(Shared).weights).toBe(7);
  });

  it('is made even when no plugin asks for it, so the stateful list is the same on every run', () => {
    const { r, seen } = registry();
    const run = instantiate(r, resolveConfig(r, { ...input, strategy: 'random', estimator: 'synthetic' }));
    expect(seen.created).toBe(1);
    expect(run.stateful.map((s) => s.owner)).toEqual(['shared']);
  });

  it('binds the run runner, and an unknown token is a one-line ConfigError', () => {
    const { r } = registry();
    const run = instantiate(r, resolveConfig(r, input));
    expect(run.services.get(TrialRunner)).toBe(run.runner);
    expect(run.runner.concurrency).toBe(1);
    const services: RunServices = run.services;
    expect(() => services.get(Symbol.for('test.Nothing'))).toThrow(ConfigError);
    expect(() => services.get(Symbol.for('test.Nothing'))).toThrow(
      'no run service test.Nothing is bound in this run; load the plugin package that provides it (--plugin NAME)',
    );
  });

  it('a service that needs itself, or a malformed contribution, is a ConfigError', () => {
    const r = new PluginRegistry();
    r.register('space', digitsSpaceFactory);
    r.register('estimator', syntheticEstimatorFactory);
    r.register('strategy', randomStrategyFactory);
    const Loop = Symbol.for('test.Loop');
    const off = r.registerRunService({ token: Loop, name: 'loop', create: (s) => s.get(Loop) });
    const config = resolveConfig(r, { space: 'digits', estimator: 'synthetic', budget: { trials: 2 } });
    expect(() => instantiate(r, config)).toThrow("run service 'loop' needs itself to be made");
    off.dispose();
    r.registerRunService({ name: 'x' } as unknown as RunService);
    expect(() => instantiate(r, config)).toThrow(/a run service must be \{ token: Symbol, name: string/);
  });

  it('a run searches with its services; a given runner evaluates its trials at its width', async () => {
    const { r, seen } = registry();
    const out = await runSearch(r, { ...input, concurrency: 2 });
    expect(out.state.trials).toHaveLength(4);
    expect(seen.strategy.at(-1)).toBe(seen.estimator.at(-1));
    const ran: number[] = [];
    const config = resolveConfig(r, { ...input, concurrency: 3 });
    const run = instantiate(r, config, {
      runner: (estimator, c) => {
        const inner = inProcessRunner(estimator, c.concurrency);
        return {
          concurrency: c.concurrency,
          inProcess: true,
          run: (t) => {
            ran.push(t.trialId);
            return inner.run(t);
          },
        };
      },
    });
    expect(run.runner.concurrency).toBe(3);
    const arch = run.space.sample(Rng.fromSeed('x'));
    const signal = new AbortController().signal;
    await run.runner.run({ arch, trialId: 0, seed: 1, signal, report: () => {} });
    expect(() => instantiate(r, config, { runner: (estimator) => inProcessRunner(estimator, 2) })).toThrow(
      "the trial runner evaluates 2 trials at once, but the run's concurrency is 3",
    );
    expect(ran).toEqual([0]);
  });

  it('refuses, before the run, a runner that evaluates elsewhere when the estimator shares a run service', async () => {
    const { r } = registry();
    const config = resolveConfig(r, { ...input, concurrency: 2 });
    // A worker makes its own estimator, without the run's services: its supernet would be another one.
    const elsewhere = (_estimator: unknown, c: { concurrency: number }) => ({
      concurrency: c.concurrency,
      run: async () => ({ acc: 0 }),
    });
    expect(() => instantiate(r, config, { runner: elsewhere })).toThrow(ConfigError);
    expect(() => instantiate(r, config, { runner: elsewhere })).toThrow(
      "estimator 'sharing' shares run service 'shared' with the run, so its trials must run in this process",
    );
    // An estimator that uses no run service runs anywhere.
    const plain = resolveConfig(r, { ...input, estimator: 'synthetic', concurrency: 2 });
    expect(instantiate(r, plain, { runner: elsewhere }).runner.concurrency).toBe(2);
  });
});

describe('the run store in the run scope', () => {
  it('is the store a run writes to, for a service that asks during the run, and during its replay', async () => {
    const Keeper = Symbol.for('test.Keeper');
    const seen: unknown[] = [];
    const r = new PluginRegistry();
    r.register('space', digitsSpaceFactory);
    r.register('strategy', randomStrategyFactory);
    // A service that keeps blobs (a supernet's weights) asks for the store when it needs it.
    r.registerRunService({ token: Keeper, name: 'keeper', create: (scope) => ({ scope }) });
    r.register('estimator', {
      ...syntheticEstimatorFactory,
      name: 'keeping',
      create(space, options, ctx) {
        const inner = syntheticEstimatorFactory.create(space, options);
        // resolveConfig makes one outside any run, to learn its defaults.
        if (!ctx) return inner;
        const { scope } = ctx.services.get<{ scope: RunServices }>(Keeper);
        return {
          ...inner,
          evaluate: (arch, c) => {
            seen.push(scope.get(RunStore));
            return inner.evaluate(arch, c);
          },
        };
      },
    });
    const config = { space: 'digits', estimator: 'keeping', seed: 1, budget: { trials: 3 } };
    const run = await runSearch(r, config);
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s === run.store)).toBe(true);
    seen.length = 0;
    await replayRun(run.store, r, run.runId, { mode: 'verify' });
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s === run.store)).toBe(true);
  });
  it("a strategy's checkpointEvery is the run's default; a given one wins", () => {
    const { r } = registry();
    r.register('strategy', { ...randomStrategyFactory, name: 'epochal', checkpointEvery: 1 });
    expect(resolveConfig(r, { ...input, strategy: 'epochal' }).checkpointEvery).toBe(1);
    expect(resolveConfig(r, { ...input, strategy: 'epochal', checkpointEvery: 5 }).checkpointEvery).toBe(5);
    expect(resolveConfig(r, input).checkpointEvery).toBe(50);
  });
});
