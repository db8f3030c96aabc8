import type { CommandServices } from '@archlab/core';
import { loadRegistry, openFromFlags, pluginRoots, searchDeps, warn } from './cli-context.js';
import { parseKeyValues } from './flag-parsers.js';
import { metricsText, stepLine } from './progress.js';

/** What the CLI lends every command, its own and contributed ones alike. */
export const cliServices: CommandServices = {
  loadPlugins: async (extra) => (await loadRegistry(extra)).registry,
  pluginRoots: () => pluginRoots(),
  openStore: async (flags, mustExist) => {
    const ctx = await openFromFlags(flags, mustExist);
    return { registry: ctx.registry, store: ctx.store, dbPath: ctx.dbPath, searchDeps: searchDeps(ctx) };
  },
  target: async (flags, store) => (await import('./commands/eval-command.js')).targetOf(flags, store),
  runToEnd: async (search) => (await import('./commands/drive-run.js')).runStoppable(search),
  keyValues: (pairs, flag) => parseKeyValues(pairs ?? [], flag),
  out: (line) => process.stdout.write(`${line}\n`),
  warn,
  progress: (line) => process.stderr.write(`${line}\n`),
  stepLine,
  metricsText,
};
