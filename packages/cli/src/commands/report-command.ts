import {
  ConfigError,
  DamagedLogError,
  ReplayDivergenceError,
  type RunConfig,
  type RunEvent,
  replayRun,
  type SearchSpace,
  UnknownRunError,
} from '@archlab/core';
import {
  type CliContext,
  loadRecordedPlugins,
  openFromFlags,
  readStored,
  resolveRunId,
  type StoreFlags,
} from '../cli-context.js';
import { refuseDatabase, withOutput } from '../output-file.js';
import { compareRunIds } from '../report/compare-runs.js';
import { reportData, type VerifyStatus } from '../report/report-data.js';
import { renderReportHtml } from '../report/report-html.js';

export interface ReportFlags extends StoreFlags {
  compare?: string;
  out?: string;
  top?: number;
  verify?: 'full' | 'decisions' | 'off';
  quiet?: boolean;
}

/**
 * `report RUN... | --compare NAME`: one self-contained HTML page of the runs (see
 * report/report-data.ts for what it holds). Each run is verified first, as `replay --verify`
 * does, and the page states the verdict with the log's head.
 */
export async function reportCommand(runs: readonly string[], flags: ReportFlags): Promise<number> {
  if (runs.length === 0 && !flags.compare) throw new ConfigError('give one or more runs, or --compare NAME');
  if (runs.length > 0 && flags.compare) throw new ConfigError('give runs or --compare NAME, not both');
  const out = flags.out ?? 'report.html';
  const ctx = await openFromFlags(flags, true);
  try {
    refuseDatabase('--out', out, ctx.dbPath);
    const runIds = flags.compare ? await compareRuns(ctx, flags.compare) : await resolveAll(ctx, runs);
    const mode = flags.verify ?? 'full';
    const t0 = performance.now();
    const data = await reportData(ctx.store, runIds, {
      events: (runId) => readStored(ctx.store, runId, { upcast: true }) as AsyncIterable<RunEvent>,
      ...(mode !== 'off' && { verify: (runId) => verifyRun(ctx, runId, mode) }),
      spaceFor: (config) => spaceOf(ctx, config),
      ...(flags.top !== undefined && { topK: flags.top }),
      ...(flags.compare && { compare: flags.compare }),
    });
    const html = renderReportHtml(data);
    await withOutput('--out', out, (sink) => sink.write(html));
    if (!flags.quiet) {
      const bad = data.runs.filter((r) => r.verify.ok === false).length;
      process.stderr.write(
        `report: ${runIds.length} run${runIds.length === 1 ? '' : 's'}, ${data.runs.reduce((n, r) => n + r.trials.id.length, 0)} trials${bad ? `, ${bad} DIVERGING` : ''}; wrote ${out} (${(Buffer.byteLength(html) / 1e6).toFixed(2)} MB) in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`,
      );
    }
    return 0;
  } finally {
    await ctx.store.close();
  }
}

async function resolveAll(ctx: CliContext, runs: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const r of runs) {
    const id = await resolveRunId(ctx.store, r);
    if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** The runs of `compare --name NAME`: NAME.STRATEGY.sSEED. */
async function compareRuns(ctx: CliContext, name: string): Promise<string[]> {
  const ids = compareRunIds(
    (await ctx.store.listRuns()).map((r) => r.runId),
    name,
  );
  if (ids.length === 0)
    throw new UnknownRunError(`${name}.*`, `no run of a compare named '${name}' is in the database`);
  return ids;
}

/** `replay --verify` of one run, as the report states it; a divergence is a verdict, not an error. */
async function verifyRun(ctx: CliContext, runId: string, mode: 'full' | 'decisions'): Promise<VerifyStatus> {
  await loadRecordedPlugins(ctx, runId);
  try {
    const r = await replayRun(ctx.store, ctx.registry, runId, {
      mode: 'verify',
      reevaluate: mode === 'full',
    });
    return { mode, ok: true, head: r.head, reevaluated: r.reevaluated };
  } catch (err) {
    if (!(err instanceof ReplayDivergenceError || err instanceof DamagedLogError)) throw err;
    return { mode, ok: false, divergence: { seq: err.seq, reason: err.reason } };
  }
}

/** The run's space, made as the run made it; undefined when it cannot be (a plugin not loaded). */
export function spaceOf(ctx: CliContext, config: RunConfig): SearchSpace | undefined {
  try {
    return ctx.registry.get('space', config.space).create(config.spaceOptions ?? {});
  } catch {
    return undefined;
  }
}
