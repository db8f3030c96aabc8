import { fileURLToPath } from 'node:url';
import { nb201Cifar10Factory, nb201SpaceFactory } from '@archlab/bench-nb201';
import { inProcessRunner, MalformedArchitectureError, Rng, threadRunner } from '@archlab/core';
import { describe, expect, it } from 'vitest';

// threadRunner is core's; it is tested here because the CLI's package sees real plugin packages.
const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));

describe('threadRunner with a plugin package estimator', () => {
  it('gives the metrics the estimator gives in process, on `size` workers, and errors of their class', async () => {
    const space = nb201SpaceFactory.create({});
    const runner = threadRunner({
      size: 2,
      space,
      recipe: {
        packages: ['@archlab/bench-nb201'],
        from: [CLI_DIR],
        space: 'nb201',
        spaceOptions: {},
        estimator: 'nb201:cifar10',
        estimatorOptions: {},
      },
    });
    try {
      expect(runner.concurrency).toBe(2);
      const local = inProcessRunner(nb201Cifar10Factory.create(space, {}), 1);
      const rng = Rng.fromSeed('thread-runner');
      const signal = new AbortController().signal;
      const jobs = [0, 1, 2, 3].map((trialId) => ({
        arch: space.sample(rng),
        trialId,
        seed: trialId,
        signal,
        report: () => {},
      }));
      const remote = await Promise.all(jobs.map((j) => runner.run(j)));
      expect(remote).toEqual(await Promise.all(jobs.map((j) => local.run(j))));
      expect(runner.stats().started).toBe(2);
      const bad = { ...jobs[0]!, arch: [9, 9, 9, 9, 9, 9] };
      const err = await runner.run(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MalformedArchitectureError);
    } finally {
      await runner.dispose();
    }
  });
});
