import { fileURLToPath } from 'node:url';
import { nb201Cifar10Factory, nb201SpaceFactory } from '@archlab/bench-nb201';
import { coreVersion, type RunConfig } from '@archlab/core';
import { describeWith, trialRunnerContract } from '@archlab/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { bullmqRunnerFactory } from './bullmq-runner-factory.js';
import { redisOptions } from './redis-connection.js';
import { type PrivateRedis, redisServerRequirement, startRedisServer } from './testing/redis-server.js';
import { startTrialWorker, type TrialWorker } from './trial-worker.js';

// The bullmq runner against a private redis-server, with a worker in this process that loads
// @archlab/bench-nb201 by name from this package's folder.
const HERE = fileURLToPath(new URL('..', import.meta.url));

describeWith(redisServerRequirement(), 'the bullmq runner on a private Redis', () => {
  let redis: PrivateRedis;
  let worker: TrialWorker;
  beforeAll(async () => {
    redis = await startRedisServer({ password: 'int-pw' });
    worker = await startTrialWorker({
      connection: redisOptions(redis.url),
      queue: 'contract',
      concurrency: 2,
      lockMs: 1000,
      roots: [HERE],
      log: () => {},
    });
    await worker.ready;
  });
  afterAll(async () => {
    await worker?.close();
    await redis?.stop();
  });

  let run = 0;
  trialRunnerContract('bullmq', async () => {
    const space = nb201SpaceFactory.create({});
    const estimator = nb201Cifar10Factory.create(space, {});
    const config = {
      space: 'nb201',
      spaceOptions: {},
      estimator: 'nb201:cifar10',
      estimatorOptions: {},
      concurrency: 3,
    };
    const runner = bullmqRunnerFactory.create(
      { redis: redis.url, queue: 'contract', 'tls-ca': '', 'lost-after-ms': 5000 },
      {
        runId: `contract-${++run}`,
        config: config as unknown as RunConfig,
        space,
        estimator,
        packages: { '@archlab/core': coreVersion(), '@archlab/bench-nb201': '0.1.0' },
      },
    );
    return { runner, estimator, space };
  });
});
