import { ConfigError, type TrialRunnerFactory } from '@archlab/core';
import { bullmqRunner } from './bullmq-runner.js';
import { redisOptions } from './redis-connection.js';

export const DEFAULT_QUEUE = 'archlab-trials';

const spec = {
  redis: {
    type: 'string',
    default: '',
    description: 'the Redis server: redis://[:PASSWORD@]HOST:PORT[/DB], or rediss://… for TLS (--redis URL)',
  },
  queue: { type: 'string', default: DEFAULT_QUEUE, description: 'the BullMQ queue the workers serve' },
  'tls-ca': {
    type: 'string',
    default: '',
    description: "a PEM file with the CA of the server's certificate",
  },
  'lost-after-ms': {
    type: 'int',
    default: 10_000,
    min: 1,
    description: 'how long Redis may be unreachable before the run stops cleanly (resume later)',
  },
} as const;

/** `--runner bullmq` (or `--redis URL`): trials are jobs on a BullMQ queue that `archlab worker`s serve. */
export const bullmqRunnerFactory: TrialRunnerFactory = {
  name: 'bullmq',
  description: 'runs trials on `archlab worker` processes on any machine, through a BullMQ queue on Redis',
  options: spec,
  create(options, ctx) {
    const url = String(options.redis ?? '');
    if (!url)
      throw new ConfigError(
        'the bullmq runner needs a Redis server: --redis URL (or --runner-option redis=URL)',
      );
    const queue = String(options.queue);
    if (!/^[\w.-]{1,100}$/.test(queue)) {
      throw new ConfigError(`queue name '${queue}' must be letters, digits, '.', '_' or '-'`);
    }
    const tlsCa = String(options['tls-ca'] ?? '');
    return bullmqRunner({
      connection: redisOptions(url, tlsCa ? { tlsCa } : {}),
      queue,
      runId: ctx.runId,
      concurrency: ctx.config.concurrency,
      space: ctx.space,
      recipe: {
        space: ctx.config.space,
        spaceOptions: { ...ctx.config.spaceOptions },
        estimator: ctx.config.estimator,
        estimatorOptions: { ...ctx.config.estimatorOptions },
      },
      versions: ctx.packages,
      lostAfterMs: Number(options['lost-after-ms']),
    });
  },
};
