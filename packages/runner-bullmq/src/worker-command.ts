import type { CommandServices } from '@archlab/core';
import { DEFAULT_QUEUE } from './bullmq-runner-factory.js';
import { redisAddress, redisOptions } from './redis-connection.js';
import { startTrialWorker } from './trial-worker.js';

export interface WorkerCommandOptions {
  redis: string;
  concurrency?: number;
  queue?: string;
  tlsCa?: string;
  lockMs?: number;
  plugin?: string[];
}

/**
 * `archlab worker`: serves the queue until SIGINT or SIGTERM, then finishes the trials it holds
 * and exits 0 (a second signal exits at once; BullMQ hands its trials to another worker).
 */
export async function workerCommand(o: WorkerCommandOptions, cli: CommandServices): Promise<number> {
  const connection = redisOptions(o.redis, o.tlsCa ? { tlsCa: o.tlsCa } : {});
  const queue = o.queue ?? DEFAULT_QUEUE;
  const concurrency = o.concurrency ?? 1;
  const log = (line: string) => cli.progress(`archlab worker: ${line}`);
  const worker = await startTrialWorker({
    connection,
    queue,
    concurrency,
    lockMs: o.lockMs ?? 30_000,
    roots: cli.pluginRoots(),
    ...(o.plugin && { plugins: o.plugin }),
    log,
  });
  await worker.ready;
  log(`serving queue '${queue}' on ${redisAddress(connection)}, ${concurrency} trial(s) at once`);
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1) process.exit(130);
      log('stopping after the trials in hand (again to quit now)');
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await worker.close();
  return 0;
}
