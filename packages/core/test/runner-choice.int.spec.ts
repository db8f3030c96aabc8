import { describe, expect, it } from 'vitest';
import {
  InMemoryEventStore,
  InvalidOptionError,
  inProcessRunner,
  inProcessRunnerFactory,
  PluginRegistry,
  type RunConfig,
  RunnerUnavailableError,
  randomStrategyFactory,
  replayRun,
  Search,
  type TrialRunnerFactory,
  UnknownPluginError,
} from '../src/index.js';
import {
  digitsSpaceFactory,
  readAll,
  runSearch,
  syntheticEstimatorFactory,
  trialRunnerContract,
  trialsOf,
} from '../src/testing/index.js';

/** A runner that evaluates in process until trial `loseAt`, where it loses its (pretend) queue. */
const losingFactory: TrialRunnerFactory = {
  name: 'losing',
  description: 'test runner: loses its queue at one trial',
  options: { 'lose-at': { type: 'int', default: 3, min: 0, description: 'trial that finds the queue gone' } },
  create: (options, { estimator, config, runId, packages }) => {
    expect(runId).toBe('test-run');
    expect(packages['@archlab/core']).toMatch(/^\d+\.\d+\.\d+/);
    const inner = inProcessRunner(estimator, config.concurrency);
    return {
      concurrency: config.concurrency,
      run: async (job) => {
        if (job.trialId === options['lose-at']) throw new RunnerUnavailableError('the queue is gone');
        return inner.run(job);
      },
    };
  },
};

function registry(): PluginRegistry {
  const r = new PluginRegistry();
  r.register('space', digitsSpaceFactory);
  r.register('estimator', syntheticEstimatorFactory);
  r.register('strategy', randomStrategyFactory);
  r.register('runner', losingFactory);
  return r;
}

const input = { space: 'digits', estimator: 'synthetic', seed: 3, budget: { trials: 12 } };

describe('a runner chosen by name', () => {
  it('is not recorded: a run stopped by a lost queue resumes in process to the same trials', async () => {
    const reg = registry();
    const whole = await runSearch(reg, input);
    const store = new InMemoryEventStore();
    const deps = { store, plugins: reg };
    const search = await Search.start(deps, input, 'test-run', {
      runner: { name: 'losing', options: { 'lose-at': '3' } },
    });
    await expect(search.run()).rejects.toThrow(RunnerUnavailableError);
    const events = await readAll(store, 'test-run');
    expect(JSON.stringify(events[0]!.data)).not.toContain('losing');
    // Trial 3 is left started, neither failed nor completed: resume runs it again.
    expect(events.filter((e) => e.type === 'TrialFailed')).toHaveLength(0);
    expect(
      events.some((e) => e.type === 'TrialStarted' && (e.data as { trialId: number }).trialId === 3),
    ).toBe(true);
    expect(
      events.some((e) => e.type === 'TrialCompleted' && (e.data as { trialId: number }).trialId === 3),
    ).toBe(false);
    expect((await replayRun(store, reg, 'test-run', { mode: 'verify' })).state.status).toBe('running');
    const resumed = await (await Search.resume(deps, 'test-run')).run();
    expect(resumed.status).toBe('completed');
    expect(trialsOf(resumed.state)).toEqual(trialsOf(whole.state));
  });

  it('unknown names and bad options are refused before anything is stored', async () => {
    const reg = registry();
    await expect(Search.prepare(reg, input, 'r', { runner: { name: 'nope' } })).rejects.toThrow(
      UnknownPluginError,
    );
    await expect(
      Search.prepare(reg, input, 'r', { runner: { name: 'losing', options: { 'lose-at': 'x' } } }),
    ).rejects.toThrow(InvalidOptionError);
  });
});

trialRunnerContract('inprocess', async () => {
  const space = digitsSpaceFactory.create({});
  const estimator = syntheticEstimatorFactory.create(space, {});
  return {
    runner: inProcessRunnerFactory.create(
      {},
      { runId: 'r', config: { concurrency: 2 } as RunConfig, space, estimator, packages: {} },
    ),
    estimator,
    space,
  };
});
