import type { BandPoint, OpCounts, ReportData, RunReport, StepSeries } from './report-data.js';

// The report's charts as Vega-Lite specs: plain JSON, drawn by vega-embed in the page and by
// `vega` in Node (vega-svg.ts, for compare's figure). Each builder takes the report's data and
// returns one spec with its data inline.

/** A Vega-Lite spec (top level), as JSON. */
export type VlSpec = Record<string, unknown>;

/** A chart of the page: `id` names its container (`data-chart`), which a browser test finds. */
export interface ReportChart {
  readonly id: string;
  readonly title: string;
  readonly spec: VlSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 440;
const HEIGHT = 300;
/** Trials drawn in the Pareto scatter besides the front: every k-th, at most this many. */
export const MAX_SCATTER_POINTS = 5000;

/** The top of every chart's spec: its title and size, and its data inline. */
function chartBase(title: string, values: readonly unknown[], height = HEIGHT): VlSpec {
  return { $schema: SCHEMA, title, width: WIDTH, height, data: { values } };
}

export interface BandSeries {
  readonly name: string;
  readonly points: readonly BandPoint[];
}

/**
 * Mean lines with a band each (`lo`..`hi`) and, optionally, a dashed reference line (e.g. the
 * known optimum): the figure of `compare` and of a report of several seeds.
 */
export function bandChartSpec(chart: {
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly series: readonly BandSeries[];
  readonly reference?: { readonly y: number; readonly label: string };
}): VlSpec {
  const values = chart.series.flatMap((s) =>
    s.points
      .filter((p) => Number.isFinite(p.mean))
      .map((p) => ({ series: s.name, x: p.x, mean: p.mean, lo: p.lo, hi: p.hi, n: p.n })),
  );
  const x = { field: 'x', type: 'quantitative', title: chart.xTitle };
  const color = { field: 'series', type: 'nominal', title: null };
  const layer: VlSpec[] = [
    {
      mark: { type: 'area', opacity: 0.2 },
      encoding: {
        x,
        y: { field: 'lo', type: 'quantitative', title: chart.yTitle, scale: { zero: false } },
        y2: { field: 'hi' },
        color,
      },
    },
    {
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x,
        y: { field: 'mean', type: 'quantitative' },
        color,
        tooltip: [
          { field: 'series', title: 'series' },
          { field: 'x', title: chart.xTitle },
          { field: 'mean', format: '.4~f' },
          { field: 'lo', format: '.4~f' },
          { field: 'hi', format: '.4~f' },
          { field: 'n', title: 'runs' },
        ],
      },
    },
  ];
  if (chart.reference) {
    layer.push({
      data: { values: [{ y: chart.reference.y, label: chart.reference.label }] },
      mark: { type: 'rule', strokeDash: [6, 4], color: '#555' },
      encoding: { y: { field: 'y', type: 'quantitative' } },
    });
    layer.push({
      data: { values: [{ y: chart.reference.y, label: chart.reference.label }] },
      mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#555' },
      encoding: { y: { field: 'y', type: 'quantitative' }, x: { value: 0 }, text: { field: 'label' } },
    });
  }
  return {
    ...chartBase(chart.title, values),
    layer,
    // The legend shows each series as its line, not as its faint band.
    config: { legend: { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 3 } },
  };
}

/** One step line per run (best-so-far), by trial or by active seconds. */
export function stepChartSpec(chart: {
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly series: readonly { readonly name: string; readonly steps: StepSeries; readonly end: number }[];
}): VlSpec {
  const values = chart.series.flatMap((s) => {
    const points = s.steps.x.map((x, i) => ({ run: s.name, x, best: s.steps.value[i]! }));
    // The last value holds to the run's end.
    const last = points.at(-1);
    if (last && s.end > last.x) points.push({ ...last, x: s.end });
    return points;
  });
  return {
    ...chartBase(chart.title, values),
    mark: { type: 'line', interpolate: 'step-after', point: values.length <= 500 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: chart.xTitle },
      y: { field: 'best', type: 'quantitative', title: chart.yTitle, scale: { zero: false } },
      color: { field: 'run', type: 'nominal', title: null },
      tooltip: [{ field: 'run' }, { field: 'x', title: chart.xTitle }, { field: 'best', format: '.4~f' }],
    },
  };
}

/** Best-so-far against trials and against seconds: bands per strategy when there are groups, else a line per run. */
export function bestSoFarCharts(data: ReportData): ReportChart[] {
  const metric = data.objective?.metric ?? 'objective';
  const yTitle = `best ${metric} so far`;
  if (data.groups) {
    const what = 'mean, 95% band over runs';
    return [
      {
        id: 'best-trials',
        title: 'best so far against trials',
        spec: bandChartSpec({
          title: `best-so-far ${metric} (${what})`,
          xTitle: 'trials',
          yTitle,
          series: data.groups.map((g) => ({ name: g.name, points: g.byTrial })),
        }),
      },
      {
        id: 'best-seconds',
        title: 'best so far against time',
        spec: bandChartSpec({
          title: `best-so-far ${metric} against active seconds (${what})`,
          xTitle: 'seconds',
          yTitle,
          series: data.groups.map((g) => ({ name: g.name, points: g.bySeconds })),
        }),
      },
    ];
  }
  return [
    {
      id: 'best-trials',
      title: 'best so far against trials',
      spec: stepChartSpec({
        title: `best-so-far ${metric}`,
        xTitle: 'trials',
        yTitle,
        series: data.runs.map((r) => ({ name: r.runId, steps: r.bestByTrial, end: r.trials.id.length })),
      }),
    },
    {
      id: 'best-seconds',
      title: 'best so far against time',
      spec: stepChartSpec({
        title: `best-so-far ${metric} against active seconds`,
        xTitle: 'seconds',
        yTitle,
        series: data.runs.map((r) => ({ name: r.runId, steps: r.bestBySeconds, end: r.activeSeconds })),
      }),
    },
  ];
}

/** The trials of a multi-objective run on its first two objectives, its front highlighted. */
export function paretoSpec(run: RunReport): VlSpec | undefined {
  const p = run.pareto;
  if (!p || p.objectives.length < 2) return undefined;
  const a = p.objectives[0]!;
  const b = p.objectives[1]!;
  const cols = run.trials;
  const xs = cols.metrics[a.metric] ?? [];
  const ys = cols.metrics[b.metric] ?? [];
  const candidates: number[] = [];
  for (let i = 0; i < cols.id.length; i++) {
    if (cols.statuses[cols.status[i]!] === 'completed' && cols.feasible[i] && xs[i] != null && ys[i] != null)
      candidates.push(i);
  }
  const every = Math.max(1, Math.ceil(candidates.length / MAX_SCATTER_POINTS));
  const others = candidates
    .filter((_, k) => k % every === 0)
    .map((i) => ({ trial: cols.id[i], x: xs[i], y: ys[i], set: 'trial' }));
  const front = p.front
    .map((f) => ({ trial: f.trialId, x: f.values[0], y: f.values[1], set: 'Pareto front', arch: f.arch }))
    .sort((u, v) => u.x! - v.x!);
  const enc = {
    x: { field: 'x', type: 'quantitative', title: `${a.metric}`, scale: { zero: false } },
    y: { field: 'y', type: 'quantitative', title: `${b.metric}`, scale: { zero: false } },
  };
  return {
    $schema: SCHEMA,
    title: `Pareto front: ${p.front.length} of ${candidates.length} feasible trials${every > 1 ? ` (every ${every}th drawn)` : ''}`,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: others },
        mark: { type: 'point', filled: true, size: 14, opacity: 0.35, color: '#999' },
        encoding: {
          ...enc,
          tooltip: [{ field: 'trial' }, { field: 'x', title: a.metric }, { field: 'y', title: b.metric }],
        },
      },
      {
        data: { values: front },
        mark: {
          type: 'line',
          interpolate: 'step-after',
          color: '#d62728',
          point: { filled: true, size: 50 },
        },
        encoding: {
          ...enc,
          tooltip: [
            { field: 'trial' },
            { field: 'x', title: a.metric },
            { field: 'y', title: b.metric },
            { field: 'arch' },
          ],
        },
      },
    ],
  };
}

/** The hypervolume of the front found so far, against trials. */
export function hypervolumeSpec(run: RunReport): VlSpec | undefined {
  const hv = run.pareto?.hypervolume;
  if (!hv || hv.trial.length === 0) return undefined;
  return {
    ...chartBase(
      'hypervolume of the front so far (reference: the worst value of each objective)',
      hv.trial.map((t, i) => ({ trial: t, hypervolume: hv.value[i] })),
      HEIGHT / 1.5,
    ),
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'trial', type: 'quantitative', title: 'trials' },
      y: { field: 'hypervolume', type: 'quantitative', scale: { zero: false } },
      tooltip: [{ field: 'trial' }, { field: 'hypervolume', format: '.4~g' }],
    },
  };
}

/** A line per trial and metric from its TrialProgressed events, one panel per metric. */
export function learningCurvesSpec(run: RunReport): VlSpec | undefined {
  if (run.learningCurves.length === 0) return undefined;
  const values = run.learningCurves.flatMap((c) =>
    c.step.map((step, i) => ({ trial: c.trialId, metric: c.metric, step, value: c.value[i] })),
  );
  return {
    $schema: SCHEMA,
    title: `learning curves of the best ${new Set(run.learningCurves.map((c) => c.trialId)).size} trials`,
    data: { values },
    facet: { row: { field: 'metric', type: 'nominal', title: null } },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: WIDTH,
      height: HEIGHT / 2,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step (epoch)' },
        y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: null },
        color: { field: 'trial', type: 'nominal' },
        tooltip: [
          { field: 'trial' },
          { field: 'metric' },
          { field: 'step' },
          { field: 'value', format: '.4~f' },
        ],
      },
    },
  };
}

/** Which choice each decision takes among the best architectures: a heatmap of counts. */
export function opHeatmapSpec(ops: OpCounts): VlSpec | undefined {
  if (ops.top === 0) return undefined;
  const values = ops.decisions.flatMap((d) =>
    d.choices.map((choice, i) => ({ decision: d.name, choice, count: d.counts[i] })),
  );
  const order = ops.decisions.map((d) => d.name);
  const choices = [...new Set(ops.decisions.flatMap((d) => d.choices))];
  const enc = {
    x: { field: 'choice', type: 'nominal', sort: choices, title: 'choice', axis: { labelAngle: -30 } },
    y: { field: 'decision', type: 'nominal', sort: order, title: 'decision' },
  };
  return {
    $schema: SCHEMA,
    title: `choices of the best ${ops.top} architectures`,
    width: { step: 56 },
    height: { step: 26 },
    data: { values },
    layer: [
      {
        mark: 'rect',
        encoding: {
          ...enc,
          color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues' }, title: 'count' },
          tooltip: [{ field: 'decision' }, { field: 'choice' }, { field: 'count' }],
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: { ...enc, text: { field: 'count' } },
      },
    ],
    config: { axis: { grid: false } },
  };
}

/** The charts of one run (those that apply to it), in the page's order. */
export function runCharts(run: RunReport): ReportChart[] {
  const charts: (ReportChart | undefined)[] = [
    chart('pareto', 'Pareto front', paretoSpec(run)),
    chart('hypervolume', 'hypervolume over trials', hypervolumeSpec(run)),
    chart('learning-curves', 'learning curves', learningCurvesSpec(run)),
    chart('ops', 'op per decision of the best architectures', run.ops && opHeatmapSpec(run.ops)),
  ];
  return charts.filter((c): c is ReportChart => c !== undefined);
}

function chart(id: string, title: string, spec: VlSpec | undefined): ReportChart | undefined {
  return spec && { id, title, spec };
}
