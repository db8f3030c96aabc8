import { fileURLToPath } from 'node:url';
import { ConfigError, estimatorWorkerScript, Rng, threadRunner, WorkerCrashedError } from '@archlab/core';
import { digitsSpace } from '@archlab/core/testing';
import { describe, expect, it } from 'vitest';

describe('estimatorWorkerScript', () => {
  it('is the sibling estimator-worker.js in the build and the built one when running from source', () => {
    expect(
      estimatorWorkerScript('file:///app/node_modules/@archlab/core/dist/runner/thread-runner.js').href,
    ).toBe('file:///app/node_modules/@archlab/core/dist/runner/estimator-worker.js');
    const source = new URL('../../../core/src/runner/thread-runner.ts', import.meta.url);
    expect(estimatorWorkerScript(source.href).href).toBe(
      new URL('../../../core/dist/runner/estimator-worker.js', import.meta.url).href,
    );
  });

  it('says how to build when running from source without a build', () => {
    expect(() => estimatorWorkerScript('file:///nowhere/src/runner/thread-runner.ts')).toThrow(ConfigError);
    expect(() => estimatorWorkerScript('file:///nowhere/src/runner/thread-runner.ts')).toThrow(
      'npx tsc -b packages/core',
    );
  });
});

describe('threadRunner with the train estimator', () => {
  it('starts the worker, which answers a bad request with an error, not a crash', async () => {
    const dir = fileURLToPath(new URL('../../', import.meta.url));
    // Any space: the worker is asked for one it does not have.
    const space = digitsSpace();
    const runner = threadRunner({
      size: 1,
      space,
      recipe: {
        packages: [dir],
        from: [dir],
        space: 'no-such-space',
        spaceOptions: {},
        estimator: 'train',
        estimatorOptions: {},
      },
    });
    try {
      const arch = space.sample(Rng.fromSeed('x'));
      const signal = new AbortController().signal;
      const err = await runner.run({ arch, trialId: 0, seed: 1, signal, report: () => {} }).catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      // A crash here means the worker could not even load (its message says why).
      expect(err instanceof WorkerCrashedError ? err.message : 'no crash').toBe('no crash');
      expect((err as Error).message).not.toBe('');
      expect(runner.stats()).toMatchObject({ started: 1, running: 0 });
    } finally {
      await runner.dispose();
    }
  });
});
