import {
  activeMs,
  bestSoFar,
  dominates,
  type EventStore,
  foldStoredEvent,
  hypervolume,
  initialRunState,
  type Metrics,
  meanWithError,
  type Objective,
  objectiveVector,
  paretoFront,
  type RunConfig,
  type RunEvent,
  type RunState,
  runObjectives,
  runScore,
  type SearchSpace,
  upcast,
} from '@archlab/core';

// What a report shows, as plain JSON, apart from how it is drawn (report-html.ts). A run's events
// go one by one into a `ReportBuilder` (`apply`), so a live view (`archlab serve`) keeps one,
// applies each new event and asks for `data()` again; `reportData` does the same from a store.

/** At most this many points per plotted series (grids of trials or seconds); exact step series are not cut. */
export const MAX_SERIES_POINTS = 400;
/** Architectures counted in the op-per-decision heatmap: the best this many distinct ones. */
export const DEFAULT_TOP_K = 20;
/** Learning curves kept per run: those of the best trials that reported progress. */
export const MAX_LEARNING_CURVES = 30;
/** A 95% confidence band around a mean: ± this many standard errors. */
export const CONFIDENCE_Z = 1.96;

/** What `replay --verify` found of a run, as the report states it. */
export interface VerifyStatus {
  /** 'full': decisions and deterministic results re-made; 'decisions': results taken as recorded; 'off': not checked. */
  readonly mode: 'full' | 'decisions' | 'off';
  /** true: verified; false: diverges at `divergence.seq`; null: not checked. */
  readonly ok: boolean | null;
  /** The head a verify printed (`--expect-head` pins it). */
  readonly head?: { readonly seq: number; readonly hash: string };
  readonly reevaluated?: number;
  readonly divergence?: { readonly seq: number; readonly reason: string };
}

/**
 * Every trial of a run, as columns (one entry per trial id, in order), with architectures and
 * statuses as indices into small dictionaries: a 100,000-trial table stays a few MB.
 */
export interface TrialColumns {
  readonly id: number[];
  /** Index into `archs`; -1 when the strategy proposed none. */
  readonly arch: number[];
  readonly archs: string[];
  /** Index into `statuses`. */
  readonly status: number[];
  readonly statuses: string[];
  /** Active seconds since the run started when the trial ended; null while it runs. */
  readonly seconds: (number | null)[];
  /** Per metric, the trial's value (null when it has none). */
  readonly metrics: Record<string, (number | null)[]>;
  /** false for a completed trial that breaks a constraint. */
  readonly feasible: boolean[];
}

/** A step series: `value[i]` holds from `x[i]` until the next entry. */
export interface StepSeries {
  readonly x: number[];
  readonly value: number[];
}

export interface ParetoReport {
  readonly objectives: readonly Objective[];
  /** The final front, in trial order; `values` in the order of `objectives`, as recorded. */
  readonly front: { readonly trialId: number; readonly arch: string; readonly values: number[] }[];
  /**
   * The hypervolume reference point in the objectives' units: the worst value of each objective
   * over the run's feasible completed trials.
   */
  readonly reference: number[];
  /** Hypervolume of the front of trials 0..trial-1, on a grid of trials. */
  readonly hypervolume: { readonly trial: number[]; readonly value: number[] };
}

export interface LearningCurve {
  readonly trialId: number;
  readonly metric: string;
  readonly step: number[];
  readonly value: number[];
}

/** How often each choice of each decision of the space's encoding appears among the best architectures. */
export interface OpCounts {
  readonly top: number;
  readonly decisions: {
    readonly name: string;
    readonly choices: readonly string[];
    readonly counts: number[];
  }[];
}

/** The best architecture, spelled by the space's encoding: one chosen label per decision. */
export interface CellReport {
  readonly arch: string;
  readonly decisions: { readonly name: string; readonly choice: string }[];
}

/**
 * One-shot (supernet) series: α of each choice on each decision per epoch, and the supernet's
 * loss. No event records them yet; when one does, `RunReportBuilder.apply` folds it here and the
 * page draws them (report-html.ts shows the section only when present).
 */
export interface OneShotReport {
  readonly alpha: {
    readonly epoch: number;
    readonly decision: string;
    readonly choice: string;
    readonly value: number;
  }[];
  readonly loss: { readonly epoch: number; readonly value: number }[];
}

export interface RunReport {
  readonly runId: string;
  readonly status: RunState['status'];
  readonly config?: RunConfig;
  readonly packages: Readonly<Record<string, string>>;
  readonly createdAt?: string;
  readonly activeSeconds: number;
  readonly counts: RunState['counts'];
  readonly completion?: { readonly reason: string; readonly trials: number };
  readonly best?: { readonly trialId: number; readonly arch: string; readonly metrics: Metrics };
  /** The log's last event as folded here (what `replay --verify` prints as its head). */
  readonly head: { readonly seq: number; readonly hash: string };
  readonly verify: VerifyStatus;
  readonly trials: TrialColumns;
  /** Best-so-far of the primary objective, at each trial (1-based count) that improved it. */
  readonly bestByTrial: StepSeries;
  /** The same against active seconds: the best over the trials ended by then. */
  readonly bestBySeconds: StepSeries;
  readonly pareto?: ParetoReport;
  readonly learningCurves: LearningCurve[];
  readonly ops?: OpCounts;
  readonly bestCell?: CellReport;
  readonly oneShot?: OneShotReport;
}

/**
 * Mean best-so-far of a group of runs (one strategy of a comparison) with a 95% confidence band:
 * on a grid of trials, and of active seconds from the first moment at which every run has a best.
 */
export interface GroupSeries {
  readonly name: string;
  readonly runs: string[];
  readonly byTrial: BandPoint[];
  readonly bySeconds: BandPoint[];
}

export interface BandPoint {
  readonly x: number;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
}

export interface ReportData {
  readonly title: string;
  /** The `compare` name, when the report is of one. */
  readonly compare?: string;
  readonly objective?: Objective;
  readonly runs: RunReport[];
  /** Runs grouped by strategy; present when some group has two runs or more. */
  readonly groups?: GroupSeries[];
}

export interface ReportOptions {
  /** The space a run was made in (its encoding spells the op counts and the best cell); undefined when unknown. */
  readonly spaceFor?: (config: RunConfig) => SearchSpace | undefined;
  readonly topK?: number;
  readonly title?: string;
  readonly compare?: string;
}

const NOT_VERIFIED: VerifyStatus = { mode: 'off', ok: null };

/** Folds one run's events into what its report needs; `apply` in log order, `report` at any time. */
export class RunReportBuilder {
  readonly state: RunState;
  private readonly ended: number[] = [];
  private readonly progress = new Map<number, Map<string, { step: number[]; value: number[] }>>();
  verify: VerifyStatus = NOT_VERIFIED;
  /** The run's space, made once (a live view asks for `report` after every event). */
  private space?: { readonly of: RunConfig; readonly space: SearchSpace | undefined };

  constructor(runId: string) {
    this.state = initialRunState(runId);
  }

  /** Throws DamagedLogError for an event that does not fit the run (as `show` does). */
  apply(e: RunEvent): void {
    foldStoredEvent(this.state, e);
    switch (e.type) {
      case 'TrialCompleted':
      case 'TrialFailed':
      case 'TrialPruned':
        this.ended[e.data.trialId] = activeMs(this.state, e.ts) / 1000;
        break;
      case 'TrialProgressed': {
        const curves = this.progress.get(e.data.trialId) ?? new Map();
        this.progress.set(e.data.trialId, curves);
        for (const [metric, v] of Object.entries(e.data.metrics)) {
          if (typeof v !== 'number' || !Number.isFinite(v)) continue;
          const c = curves.get(metric) ?? { step: [], value: [] };
          curves.set(metric, c);
          c.step.push(e.data.step);
          c.value.push(v);
        }
        break;
      }
      case 'TrialStarted':
        // A trial started again after a resume ends anew; its old curve is of the lost attempt.
        this.progress.delete(e.data.trialId);
        delete this.ended[e.data.trialId];
        break;
      default:
        // Progressed (a one-shot run's supernet training, α) has no panel yet; `show` prints
        // each owner's latest step, and `events --type Progressed` every report.
        break;
    }
  }

  report(options: ReportOptions = {}): RunReport {
    const s = this.state;
    if (s.config && options.spaceFor && this.space?.of !== s.config)
      this.space = { of: s.config, space: options.spaceFor(s.config) };
    const space = this.space?.space;
    const ranked = s.config ? rankedTrials(s) : [];
    const best = s.best && s.trials[s.best.trialId];
    const cell = best?.arch !== undefined && space ? spell(space, best.arch) : undefined;
    return {
      runId: s.runId,
      status: s.status,
      ...(s.config && { config: s.config }),
      packages: s.packages,
      ...(s.createdAt !== undefined && { createdAt: new Date(s.createdAt).toISOString() }),
      activeSeconds: activeMs(s) / 1000,
      counts: { ...s.counts },
      ...(s.completion && { completion: s.completion }),
      ...(best?.arch !== undefined && {
        best: { trialId: best.trialId, arch: best.arch, metrics: best.metrics ?? {} },
      }),
      head: { seq: s.lastSeq, hash: s.lastHash },
      verify: this.verify,
      trials: this.columns(),
      bestByTrial: s.config ? this.byTrial() : { x: [], value: [] },
      bestBySeconds: s.config ? this.bySeconds() : { x: [], value: [] },
      ...(s.config && runObjectives(s.config).length >= 2 && { pareto: this.pareto() }),
      learningCurves: this.curves(ranked),
      ...(space?.encoding && { ops: opCounts(space, s.trials, ranked, options.topK ?? DEFAULT_TOP_K) }),
      ...(cell && { bestCell: { arch: best!.arch!, decisions: cell } }),
    };
  }

  private columns(): TrialColumns {
    const archIndex = new Map<string, number>();
    const statusIndex = new Map<string, number>();
    const cols: TrialColumns = {
      id: [],
      arch: [],
      archs: [],
      status: [],
      statuses: [],
      seconds: [],
      metrics: {},
      feasible: [],
    };
    const trials = this.state.trials;
    const names = new Set<string>();
    for (const t of trials) for (const k of Object.keys(t?.metrics ?? {})) names.add(k);
    for (const name of names) cols.metrics[name] = [];
    const intern = (map: Map<string, number>, list: string[], key: string) => {
      let i = map.get(key);
      if (i === undefined) {
        i = list.length;
        map.set(key, i);
        list.push(key);
      }
      return i;
    };
    for (let id = 0; id < trials.length; id++) {
      const t = trials[id];
      if (!t) continue;
      cols.id.push(id);
      cols.arch.push(t.arch === undefined ? -1 : intern(archIndex, cols.archs, t.arch));
      cols.status.push(intern(statusIndex, cols.statuses, t.status));
      const end = this.ended[id];
      cols.seconds.push(end === undefined ? null : round(end, 3));
      for (const name of names) {
        const v = t.metrics?.[name];
        cols.metrics[name]!.push(typeof v === 'number' && Number.isFinite(v) ? v : null);
      }
      cols.feasible.push(!t.violations);
    }
    return cols;
  }

  private byTrial(): StepSeries {
    return steps(bestSoFar(this.state).map((v, i) => [i + 1, v]));
  }

  /** Best-so-far over the trials ended by each moment (with concurrency, not in trial order). */
  bySeconds(): StepSeries {
    const { metric, direction } = this.state.config!.objective;
    const ended = this.state.trials
      .filter((t) => t?.status === 'completed' && !t.violations && this.ended[t.trialId] !== undefined)
      .map((t) => ({ at: this.ended[t.trialId]!, v: t.metrics?.[metric] }))
      .filter((p): p is { at: number; v: number } => typeof p.v === 'number' && Number.isFinite(p.v))
      .sort((a, b) => a.at - b.at);
    let best: number | undefined;
    return steps(
      ended.map(({ at, v }) => {
        if (best === undefined || (direction === 'max' ? v > best : v < best)) best = v;
        return [round(at, 3), best];
      }),
    );
  }

  private pareto(): ParetoReport {
    const s = this.state;
    const objectives = runObjectives(s.config!);
    const vectors = s.trials.map((t) =>
      t?.status === 'completed' && !t.violations ? objectiveVector(t.metrics, objectives) : undefined,
    );
    const present = vectors.filter((v): v is number[] => v !== undefined);
    const ref = objectives.map((_, k) => Math.min(...present.map((v) => v[k]!)));
    const unsign = (v: readonly number[]) => v.map((x, k) => (objectives[k]!.direction === 'max' ? x : -x));
    const grid = gridOf(s.trials.length);
    const hv = { trial: [] as number[], value: [] as number[] };
    let front: number[][] = [];
    let value = 0;
    let changed = false;
    let g = 0;
    for (let i = 0; i < vectors.length && g < grid.length; i++) {
      const p = vectors[i];
      if (p && !front.some((q) => dominates(q, p) || q.every((x, k) => x === p[k]))) {
        front = front.filter((q) => !dominates(p, q));
        front.push(p);
        changed = true;
      }
      if (i + 1 === grid[g]) {
        if (changed) value = hypervolume(front, ref);
        changed = false;
        hv.trial.push(i + 1);
        hv.value.push(value);
        g++;
      }
    }
    return {
      objectives,
      front: paretoFront(s, objectives).map((t) => ({
        trialId: t.trialId,
        arch: t.arch ?? '',
        values: objectives.map((o) => t.metrics![o.metric]!),
      })),
      reference: present.length ? unsign(ref) : [],
      hypervolume: hv,
    };
  }

  private curves(ranked: readonly number[]): LearningCurve[] {
    if (this.progress.size === 0) return [];
    const withCurves = ranked.filter((id) => this.progress.has(id));
    // The best trials first; trials still running (not ranked yet) after them.
    const running = [...this.progress.keys()].filter((id) => this.state.trials[id]?.status === 'running');
    const chosen = [...withCurves, ...running].slice(0, MAX_LEARNING_CURVES);
    return chosen.flatMap((trialId) =>
      [...this.progress.get(trialId)!].map(([metric, c]) => ({ trialId, metric, ...c })),
    );
  }
}

/** The points of a running best where it changes. */
function steps(points: readonly (readonly [number, number | undefined])[]): StepSeries {
  const out: StepSeries = { x: [], value: [] };
  for (const [x, v] of points) {
    if (v === undefined || v === out.value.at(-1)) continue;
    out.x.push(x);
    out.value.push(v);
  }
  return out;
}

/** Ids of the feasible completed trials by the run's score, best first (ties: earlier first). */
function rankedTrials(state: RunState): number[] {
  const config = state.config!;
  const scored = state.trials
    .filter((t) => t?.status === 'completed' && !t.violations)
    .map((t) => ({ id: t.trialId, score: runScore(config, t.metrics) }))
    .filter((t) => !Number.isNaN(t.score));
  scored.sort((a, b) => b.score - a.score || a.id - b.id);
  return scored.map((t) => t.id);
}

/** Counts of each choice over the best `topK` distinct architectures (by `ranked` order) the encoding spells. */
function opCounts(
  space: SearchSpace,
  trials: RunState['trials'],
  ranked: readonly number[],
  topK: number,
): OpCounts | undefined {
  const encoding = space.encoding;
  if (!encoding) return undefined;
  const decisions = encoding.decisions.map((d) => ({
    name: d.name,
    choices: d.choices,
    counts: d.choices.map(() => 0),
  }));
  const seen = new Set<string>();
  for (const id of ranked) {
    if (seen.size >= topK) break;
    const key = trials[id]?.arch;
    if (key === undefined || seen.has(key)) continue;
    const choices = encodeOrUndefined(space, key);
    if (!choices) continue;
    seen.add(key);
    choices.forEach((c, i) => {
      const d = decisions[i];
      if (d && d.counts[c] !== undefined) d.counts[c]++;
    });
  }
  return { top: seen.size, decisions };
}

/** The decisions' chosen labels for the architecture `key`; undefined when the space has no encoding or the key no longer parses. */
function spell(space: SearchSpace, key: string): CellReport['decisions'] | undefined {
  const choices = encodeOrUndefined(space, key);
  return (
    choices &&
    space.encoding!.decisions.map((d, i) => ({ name: d.name, choice: d.choices[choices[i]!] ?? '?' }))
  );
}

/**
 * The encoding of `key`; undefined when the space has none or the key does not parse (a log of
 * another version of the space): the report leaves such an architecture out rather than fail.
 */
function encodeOrUndefined(space: SearchSpace, key: string): number[] | undefined {
  if (!space.encoding) return undefined;
  try {
    return space.encoding.encode(space.parse(key));
  } catch {
    return undefined;
  }
}

/** Up to MAX_SERIES_POINTS trial counts from 1 to n, evenly spread, n included. */
export function gridOf(n: number): number[] {
  if (n <= 0) return [];
  const k = Math.min(n, MAX_SERIES_POINTS);
  return Array.from({ length: k }, (_, i) => Math.max(1, Math.round(((i + 1) * n) / k)));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The report of several runs at once; events of any of them go to `apply`, in each run's log order. */
export class ReportBuilder {
  private readonly runs = new Map<string, RunReportBuilder>();

  constructor(runIds: readonly string[]) {
    for (const id of runIds) this.runs.set(id, new RunReportBuilder(id));
  }

  /** Folds `e` into its run's report; events of other runs are ignored. */
  apply(e: RunEvent): void {
    this.runs.get(e.runId)?.apply(e);
  }

  run(runId: string): RunReportBuilder | undefined {
    return this.runs.get(runId);
  }

  data(options: ReportOptions = {}): ReportData {
    const builders = [...this.runs.values()];
    const runs = builders.map((b) => b.report(options));
    const groups = groupSeries(builders);
    const objective = runs.find((r) => r.config)?.config?.objective;
    return {
      title:
        options.title ??
        (options.compare ? `compare ${options.compare}` : runs.map((r) => r.runId).join(', ')),
      ...(options.compare && { compare: options.compare }),
      ...(objective && { objective }),
      runs,
      ...(groups && { groups }),
    };
  }
}

/** Mean best-so-far per strategy (and problem) with a 95% band; undefined unless some group has two runs or more. */
function groupSeries(builders: readonly RunReportBuilder[]): GroupSeries[] | undefined {
  // Runs are averaged only with runs of the same problem: space, estimator and objective.
  const problem = (c: RunConfig) =>
    `${c.space} / ${c.estimator}, ${c.objective.metric}:${c.objective.direction}`;
  const configs = builders.flatMap((b) => (b.state.config ? [b.state.config] : []));
  const oneProblem = new Set(configs.map(problem)).size <= 1;
  const groups = new Map<string, RunReportBuilder[]>();
  for (const b of builders) {
    const c = b.state.config;
    if (!c) continue;
    const name = oneProblem ? c.strategy : `${c.strategy} (${problem(c)})`;
    groups.set(name, [...(groups.get(name) ?? []), b]);
  }
  if (![...groups.values()].some((list) => list.length >= 2)) return undefined;
  return [...groups].map(([name, list]) => {
    const curves = list.map((b) => bestSoFar(b.state));
    const trials = gridOf(Math.max(...curves.map((c) => c.length)));
    const timed = list.map((b) => b.bySeconds());
    const end = Math.max(0, ...list.map((b) => activeMs(b.state) / 1000));
    const seconds = gridOf(MAX_SERIES_POINTS).map((k) => round((k / MAX_SERIES_POINTS) * end, 3));
    return {
      name,
      runs: list.map((b) => b.state.runId),
      byTrial: trials.map((x) =>
        band(
          x,
          curves.map((c) => c[Math.min(x, c.length) - 1]),
        ),
      ),
      // From the moment every run has a best: a mean over those that have one would jump as runs join.
      bySeconds: seconds
        .map((x) =>
          band(
            x,
            timed.map((s) => valueAt(s, x)),
          ),
        )
        .filter((p) => p.n === list.length),
    };
  });
}

/** The value a step series holds at `x`; undefined before its first point. */
export function valueAt(s: StepSeries, x: number): number | undefined {
  let lo = 0;
  let hi = s.x.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.x[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : s.value[lo - 1];
}

function band(x: number, values: readonly (number | undefined)[]): BandPoint {
  const m = meanWithError(values.filter((v): v is number => v !== undefined));
  const half = CONFIDENCE_Z * (m.se || 0);
  return { x, mean: m.mean, lo: m.mean - half, hi: m.mean + half, n: m.n };
}

/**
 * Reads `runIds` from `store` and builds their report (`verify`, when given, checks each run and
 * says how it went). Events are upcast and folded as they are read; a damaged log is folded as far
 * as it reads, as `show` does.
 */
export async function reportData(
  store: EventStore,
  runIds: readonly string[],
  options: ReportOptions & {
    readonly events?: (runId: string) => AsyncIterable<RunEvent>;
    readonly verify?: (runId: string) => Promise<VerifyStatus>;
  } = {},
): Promise<ReportData> {
  const builder = new ReportBuilder(runIds);
  for (const runId of runIds) {
    const b = builder.run(runId)!;
    for await (const e of options.events?.(runId) ?? readUpcast(store, runId)) b.apply(e);
    if (options.verify) b.verify = await options.verify(runId);
  }
  return builder.data(options);
}

async function* readUpcast(store: EventStore, runId: string): AsyncIterable<RunEvent> {
  for await (const stored of store.read(runId)) yield upcast(stored);
}
