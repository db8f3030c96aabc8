import { Search } from '@archlab/core';
import {
  loadRecordedPlugins,
  openFromFlags,
  resolveRunId,
  type StoreFlags,
  searchDeps,
} from '../cli-context.js';
import { parseRunnerFlags, type RunnerFlags } from '../flag-parsers.js';
import { driveRun, type OutputOptions } from './drive-run.js';

export interface ResumeFlags extends OutputOptions, StoreFlags, RunnerFlags {
  /** Raise the run's trial budget to this many (only upward). */
  trials?: number;
}

export async function resumeCommand(run: string, flags: ResumeFlags): Promise<number> {
  const runner = parseRunnerFlags(flags);
  const ctx = await openFromFlags(flags, true);
  try {
    const runId = await resolveRunId(ctx.store, run);
    await loadRecordedPlugins(ctx, runId);
    const search = await Search.resume(searchDeps(ctx), runId, {
      trials: flags.trials,
      ...(runner && { runner }),
    });
    if (!flags.quiet && !flags.json) {
      const s = search.state;
      const msg =
        search.extendedFrom !== undefined
          ? `extending ${runId} from ${search.extendedFrom} to ${s.config!.budget.trials} trials`
          : s.status === 'completed'
            ? `run ${runId} is already complete; nothing to do`
            : `resuming ${runId}: ${s.counts.completed + s.counts.failed + s.counts.pruned} trials done, ${s.trials.length - (s.counts.completed + s.counts.failed + s.counts.pruned)} to run again`;
      process.stderr.write(`archlab: ${msg}\n`);
    }
    return await driveRun(search, flags.db!, flags);
  } finally {
    await ctx.store.close();
  }
}
