import { once } from 'node:events';
import {
  ConfigError,
  DamagedLogError,
  damageText,
  initialRunState,
  isEventType,
  type RunListing,
  type RunState,
} from '@archlab/core';
import {
  type CliContext,
  foldRun,
  openFromFlags,
  readStored,
  resolveRunId,
  type StoreFlags,
  warn,
} from '../cli-context.js';
import { refuseDatabase, withOutput } from '../output-file.js';
import { fmt } from '../progress.js';
import { csvCell, formatTable } from '../report/text-table.js';
import { summarize, summaryText } from '../run-summary.js';

export interface ReadFlags extends StoreFlags {
  json?: boolean;
}

/** Opens the store for a command that only reads logs, so with only the plugin packages that provide stores. */
async function withStore<T>(flags: ReadFlags, fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const ctx = await openFromFlags(flags, true, ['store']);
  try {
    return await fn(ctx);
  } finally {
    await ctx.store.close();
  }
}

/** A run's summary for `runs`; a damaged run is listed as such (with a warning) so the others still are. */
async function runRow(ctx: CliContext, run: RunListing) {
  try {
    return summarize(await foldRun(ctx.store, run.runId));
  } catch (err) {
    if (!(err instanceof DamagedLogError)) throw err;
    warn(damageText(err.runId, err.seq, err.reason));
    return {
      ...summarize(initialRunState(run.runId)),
      status: `damaged at seq ${err.seq}`,
      createdAt: new Date(run.createdAt).toISOString(),
    };
  }
}

export async function runsCommand(flags: ReadFlags): Promise<number> {
  return withStore(flags, async (ctx) => {
    const rows = [];
    for (const r of await ctx.store.listRuns()) rows.push(await runRow(ctx, r));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(rows)}\n`);
      return 0;
    }
    if (rows.length === 0) {
      process.stdout.write('no runs yet\n');
      return 0;
    }
    const table = rows.map((s) => [
      s.runId,
      s.createdAt?.replace('T', ' ').slice(0, 19) ?? '-',
      s.strategy ?? '-',
      s.space ? `${s.space}/${s.estimator}` : '-',
      budgetCell(s.trials, s.counts.pruned, s.budget?.trials),
      s.status,
      s.best && s.objective ? `${s.objective.metric}=${fmt(s.best.metrics[s.objective.metric])}` : '-',
    ]);
    printTable(['run', 'created (UTC)', 'strategy', 'space/estimator', 'trials', 'status', 'best'], table);
    return 0;
  });
}

export async function showCommand(run: string, flags: ReadFlags & { top?: number }): Promise<number> {
  return withStore(flags, async (ctx) => {
    const state = await foldRun(ctx.store, await resolveRunId(ctx.store, run));
    const top = topTrials(state, flags.top ?? 10);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ ...summarize(state), top })}\n`);
      return 0;
    }
    process.stdout.write(`${summaryText(state, flags.db)}\n`);
    if (top.length && state.config) {
      process.stdout.write(
        `\ntop ${top.length} by ${state.config.objective.metric} (${state.config.objective.direction}):\n`,
      );
      printTable(
        ['trial', state.config.objective.metric, 'arch'],
        top.map((t) => [String(t.trialId), fmt(t.metrics[state.config!.objective.metric]), t.arch]),
      );
    }
    return 0;
  });
}

function topTrials(state: RunState, n: number) {
  const o = state.config?.objective;
  if (!o) return [];
  const sign = o.direction === 'max' ? -1 : 1;
  return state.trials
    .filter((t) => t?.status === 'completed' && !t.violations && typeof t.metrics?.[o.metric] === 'number')
    .sort((a, b) => sign * (a.metrics![o.metric]! - b.metrics![o.metric]!) || a.trialId - b.trialId)
    .slice(0, n)
    .map((t) => ({ trialId: t.trialId, arch: t.arch ?? '', metrics: t.metrics! }));
}

/** `events` prints events as stored (as `export` does, so the hashes can be checked); `--upcast` in today's schema. */
export async function eventsCommand(
  run: string,
  flags: ReadFlags & { type?: string[]; upcast?: boolean },
): Promise<number> {
  return withStore(flags, async (ctx) => {
    const runId = await resolveRunId(ctx.store, run);
    const types = flags.type ?? [];
    const bad = types.filter((t) => !isEventType(t));
    if (bad.length)
      throw new ConfigError(
        `unknown event type ${bad.map((t) => `'${t}'`).join(', ')}; see 'archlab events --help'`,
      );
    const out = process.stdout;
    if (flags.json) out.write('[');
    let first = true;
    for await (const event of readStored(ctx.store, runId, { upcast: flags.upcast })) {
      if (types.length && !types.includes(event.type)) continue;
      if (flags.json) {
        out.write(`${first ? '' : ','}${JSON.stringify(event)}`);
      } else {
        const when = new Date(event.ts).toISOString().slice(11, 23);
        if (
          !out.write(
            `${String(event.seq).padStart(6)}  ${when}  ${event.type.padEnd(20)}  ${JSON.stringify(event.data)}\n`,
          )
        ) {
          await once(out, 'drain');
        }
      }
      first = false;
    }
    if (flags.json) out.write(']\n');
    return 0;
  });
}

export async function exportCommand(
  run: string,
  flags: ReadFlags & { format?: string; out?: string },
): Promise<number> {
  const format = flags.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv')
    throw new ConfigError(`--format must be jsonl or csv, got '${format}'`);
  if (flags.out !== undefined && flags.db !== undefined) refuseDatabase('--out', flags.out, flags.db);
  return withStore(flags, async (ctx) => {
    const runId = await resolveRunId(ctx.store, run);
    await withOutput('--out', flags.out, async (out) => {
      if (format === 'jsonl') {
        // One stored event per line, as stored (before upcasting): an export is an archive.
        for await (const stored of readStored(ctx.store, runId))
          await out.write(`${JSON.stringify(stored)}\n`);
      } else {
        const state = await foldRun(ctx.store, runId);
        const metricNames = [...new Set(state.trials.flatMap((t) => Object.keys(t?.metrics ?? {})))].sort();
        await out.write(`${['trial', 'arch', 'status', ...metricNames, 'duration_ms', 'error'].join(',')}\n`);
        for (const t of state.trials) {
          const cells = [
            String(t.trialId),
            t.arch ?? '',
            t.status,
            ...metricNames.map((m) => (t.metrics?.[m] === undefined ? '' : String(t.metrics[m]))),
            t.durationMs === undefined ? '' : String(t.durationMs),
            t.error ? `${t.error.name}: ${t.error.message}` : '',
          ];
          await out.write(`${cells.map(csvCell).join(',')}\n`);
        }
      }
    });
    if (flags.out) process.stderr.write(`archlab: wrote ${format} of run ${runId} to ${flags.out}\n`);
    return 0;
  });
}

/**
 * Trials against the trial budget. Pruned trials use none of it, so they are counted apart: a
 * run of budget 30 with 8 pruned is `30/30 +8 pruned`, not `38/30`.
 */
export function budgetCell(trials: number, pruned: number, budget: number | undefined): string {
  const used = `${trials - pruned}${budget ? `/${budget}` : ''}`;
  return pruned > 0 ? `${used} +${pruned} pruned` : used;
}

function printTable(head: string[], rows: string[][]): void {
  process.stdout.write(formatTable(head, rows));
}
