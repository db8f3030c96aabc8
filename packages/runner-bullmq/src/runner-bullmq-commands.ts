import { CommandContribution, ContainerModule, defineCommand } from '@archlab/core';
import type { WorkerCommandOptions } from './worker-command.js';

// Loaded by the CLI at start-up to mount `archlab worker`: nothing heavy here; the worker's body
// (and bullmq) are imported when it runs.

const worker = defineCommand<WorkerCommandOptions>({
  name: 'worker',
  description:
    'evaluate the trials of runs started with --redis (the bullmq runner), on this machine, until stopped',
  options: [
    {
      flags: '--redis <url>',
      description: 'the Redis server: redis://[:PASSWORD@]HOST:PORT[/DB], or rediss://… for TLS',
      required: true,
    },
    {
      flags: '--concurrency <k>',
      description: 'trials at once, one worker thread each (default: 1)',
      parse: { integer: { min: 1 } },
    },
    { flags: '--queue <name>', description: 'the queue to serve (default: archlab-trials)' },
    { flags: '--tls-ca <file>', description: "a PEM file with the CA of the server's certificate" },
    {
      flags: '--lock-ms <ms>',
      description:
        "how long a dead worker's trial waits before another worker takes it over (default: 30000)",
      parse: { integer: { min: 100 } },
    },
    {
      flags: '--plugin <package>',
      description:
        'a plugin package folder (or name) to run trials with, where it is not installed under this folder (repeatable)',
      repeatable: true,
    },
  ],
  run: async ({ options }, cli) => (await import('./worker-command.js')).workerCommand(options, cli),
});

export const runnerBullmqCommandsModule = new ContainerModule((bind) => {
  bind(CommandContribution).toConstantValue(worker);
});
