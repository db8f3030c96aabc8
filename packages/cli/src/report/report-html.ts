import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cellSvg } from './cell-svg.js';
import type { ReportData } from './report-data.js';
import { PAGE_SCRIPT } from './report-page-script.js';
import { bestSoFarCharts, type ReportChart, runCharts } from './report-specs.js';

/**
 * What the page draws: the data, the Vega-Lite specs of its charts and the drawings of the best
 * cells. A live page (`archlab serve`) gets a new one as each message of its event stream
 * (`data:` a JSON `ReportPayload`) and draws it in place.
 */
export interface ReportPayload {
  readonly data: ReportData;
  /** Charts of all the runs together (best so far). */
  readonly charts: ReportChart[];
  /** Per run: its own charts (Pareto front, hypervolume, learning curves, op heatmap). */
  readonly runCharts: Record<string, ReportChart[]>;
  /** Per run with an encoded best architecture: an SVG drawing of it. */
  readonly cells: Record<string, string>;
}

export function reportPayload(data: ReportData): ReportPayload {
  return {
    data,
    charts: bestSoFarCharts(data),
    runCharts: Object.fromEntries(data.runs.map((r) => [r.runId, runCharts(r)])),
    cells: Object.fromEntries(data.runs.flatMap((r) => (r.bestCell ? [[r.runId, cellSvg(r.bestCell)]] : []))),
  };
}

export interface RenderOptions {
  /** Serve the page live: it listens to this event stream (Server-Sent Events) for new payloads. */
  readonly live?: { readonly eventsUrl: string };
}

/** The browser builds of vega, vega-lite and vega-embed, in load order, read once from node_modules. */
let libraries: string[] | undefined;
function vegaLibraries(): string[] {
  libraries ??= [
    ['vega', 'vega.min.js'],
    ['vega-lite', 'vega-lite.min.js'],
    ['vega-embed', 'vega-embed.min.js'],
  ].map(([pkg, file]) => {
    // Each package's main module lies in its build folder, beside its browser build.
    const dir = dirname(fileURLToPath(import.meta.resolve(pkg!)));
    return readFileSync(join(dir, file!), 'utf8');
  });
  return libraries;
}

/**
 * The report as one HTML page that opens offline: the libraries, the script, the styles and the
 * data are all inlined; nothing is fetched (a live page connects to `live.eventsUrl` only).
 */
export function renderReportHtml(data: ReportData, options: RenderOptions = {}): string {
  const payload = reportPayload(data);
  const scripts = [...vegaLibraries(), PAGE_SCRIPT];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>archlab report: ${escapeHtml(data.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body>',
    '<header><h1 id="title"></h1></header>',
    '<section><h2>Best so far</h2><div id="charts"></div></section>',
    '<section><h2>Runs</h2><div id="runs"></div></section>',
    '<section id="run-detail"><h2 id="run-title"></h2>',
    '<label hidden>run <select id="run-select"></select></label>',
    '<details><summary>configuration</summary><pre id="config"></pre></details>',
    '<div id="run-charts"></div>',
    '<div hidden><h3>best architecture</h3><code id="best-arch"></code><div id="cell" data-chart="cell"></div></div>',
    '<h3>trials</h3><input id="filter" type="search" placeholder="filter trials: arch, status, value…" size="40">',
    '<div id="trials"></div>',
    '</section>',
    `<script type="application/json" id="report-data">${jsonInHtml(payload)}</script>`,
    `<script type="application/json" id="report-live">${jsonInHtml(options.live ?? null)}</script>`,
    ...scripts.map((s) => `<script>${s.replaceAll('</script', '<\\/script')}</script>`),
    '</body></html>',
    '',
  ].join('\n');
}

/** JSON that cannot end the script element it sits in. */
function jsonInHtml(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 1.5em 2em; color: #222; max-width: 1400px; }
h1 { font-size: 1.4em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ddd; padding-bottom: .2em; margin-top: 1.6em; }
h3 { font-size: 1em; margin: 1em 0 .3em; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; }
th.sortable { cursor: pointer; background: #f4f6f8; user-select: none; }
table.runs td.c-head { font-family: monospace; font-size: 11px; word-break: break-all; max-width: 24em; }
tr.diverged { background: #fde8e8; }
td.c-arch { font-family: monospace; }
#charts, #run-charts { display: flex; flex-wrap: wrap; gap: 1em 2em; }
.pager { margin: .5em 0; display: flex; gap: 1em; align-items: center; font-size: 12px; }
pre { background: #f6f8fa; padding: .6em; font-size: 12px; overflow: auto; }
`;
