import { CommandContribution, ContainerModule, defineCommand } from '@archlab/core';
import type { ProxyFlags } from './proxy-command.js';

// Loaded by the CLI at start-up to mount its commands: nothing heavy here (no tfjs); the
// command's body is imported when it runs.

const proxy = defineCommand<ProxyFlags>({
  name: 'proxy',
  description:
    'score architectures with zero-cost proxies; on a space with a tabular benchmark (nb201), print Spearman ρ and Kendall τ against it',
  options: [
    { flags: '--space <name>', description: 'search space, e.g. nb201', required: true },
    { flags: '--space-option <k=v>', description: 'search space option (repeatable)', repeatable: true },
    {
      flags: '--proxy <list>',
      description: 'comma-separated proxies, e.g. synflow,jacob_cov,params',
      required: true,
    },
    {
      flags: '--sample <n>',
      description: 'architectures to draw at random (distinct)',
      parse: { integer: { min: 1 } },
      default: 100,
    },
    { flags: '--seed <n>', description: 'seed of the sample', parse: { integer: { min: 0 } }, default: 0 },
    { flags: '--archs <file>', description: 'score the architectures in FILE instead, one key per line' },
    {
      flags: '--proxy-option <k=v>',
      description: 'proxy option, e.g. batch-size=64 or backend=cpu (repeatable)',
      repeatable: true,
    },
    { flags: '--plugin <package>', description: 'load a plugin package (repeatable)', repeatable: true },
    { flags: '--json', description: 'one JSON object: correlations, and every score' },
    { flags: '-q, --quiet', description: 'no progress output' },
  ],
  run: async ({ options }, cli) => (await import('./proxy-command.js')).proxyCommand(options, cli),
});

/** The package's CLI contributions (package.json `archlab.commands`). */
export const zeroCostCommandsModule = new ContainerModule((bind) => {
  bind(CommandContribution).toConstantValue(proxy);
});
