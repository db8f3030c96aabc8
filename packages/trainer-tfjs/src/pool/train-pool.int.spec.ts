import { ConfigError } from '@archlab/core';
import { describe, expect, it } from 'vitest';
import { WorkerCrashedError } from './pool-errors.js';
import { createTrainPool, trainWorkerScript } from './train-pool.js';

describe('trainWorkerScript', () => {
  it('is the sibling train-worker.js in the build and the built one when running from source', () => {
    expect(
      trainWorkerScript('file:///app/node_modules/@archlab/trainer-tfjs/dist/pool/train-pool.js').href,
    ).toBe('file:///app/node_modules/@archlab/trainer-tfjs/dist/pool/train-worker.js');
    expect(trainWorkerScript(import.meta.url).href).toBe(
      new URL('../../dist/pool/train-worker.js', import.meta.url).href,
    );
  });

  it('says how to build when running from source without a build', () => {
    expect(() => trainWorkerScript('file:///nowhere/src/pool/train-pool.ts')).toThrow(ConfigError);
    expect(() => trainWorkerScript('file:///nowhere/src/pool/train-pool.ts')).toThrow(
      'npx tsc -b packages/trainer-tfjs',
    );
  });
});

describe('createTrainPool', () => {
  it('starts the training worker, which answers a bad request with an error, not a crash', async () => {
    const pool = createTrainPool({ size: 1 });
    try {
      const req = { space: 'no-such-space', spaceOptions: {}, arch: 'x', options: {}, seed: 1 };
      const err = await pool.run(req).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      // A crash here means the worker could not even load (its message says why).
      expect(err instanceof WorkerCrashedError ? err.message : 'no crash').toBe('no crash');
      expect((err as Error).message).not.toBe('');
      expect(pool.stats()).toMatchObject({ started: 1, running: 0 });
    } finally {
      await pool.close();
    }
  });
});
