import type { EventStore, RunConfig, SearchSpace } from '@archlab/core';
import { compareNameOf, compareRunIds } from '../report/compare-runs.js';
import { ReportBuilder } from '../report/report-data.js';
import { renderReportHtml, reportPayload } from '../report/report-html.js';
import type { LivePages, PageTarget } from './live-server.js';
import type { LiveView } from './live-stream.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const link = (path: string, text: string) => `<a href="${escapeHtml(path)}">${escapeHtml(text)}</a>`;
const utc = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** A report (report/report-data.ts) kept up to date event by event; its message is the page's payload. */
class ReportView implements LiveView {
  private readonly builder: ReportBuilder;

  constructor(
    runIds: readonly string[],
    private readonly options: { compare?: string; spaceFor: (config: RunConfig) => SearchSpace | undefined },
  ) {
    this.builder = new ReportBuilder(runIds);
  }

  apply: LiveView['apply'] = (e) => this.builder.apply(e);

  data() {
    return this.builder.data(this.options);
  }

  message(): string {
    return JSON.stringify(reportPayload(this.data()));
  }
}

/**
 * The pages of `archlab serve` over `store`: an index of its runs and comparisons, and each
 * one's report page (the one `archlab report` writes) in live mode. Verifying is left to
 * `archlab report` and `replay --verify`: a log being written would be stale verified.
 */
export function servePages(
  store: EventStore,
  title: string,
  spaceFor: (config: RunConfig) => SearchSpace | undefined,
): LivePages {
  return {
    async index() {
      const runs = await store.listRuns();
      const compares = [...new Set(runs.flatMap((r) => compareNameOf(r.runId) ?? []))].map(
        (n) =>
          `<li>${link(`/compare/${encodeURIComponent(n)}`, n)} (${
            compareRunIds(
              runs.map((r) => r.runId),
              n,
            ).length
          } runs)</li>`,
      );
      const rows = runs.map(
        (r) =>
          `<tr><td>${link(`/runs/${encodeURIComponent(r.runId)}`, r.runId)}</td><td>${utc(r.createdAt)}</td><td>${utc(r.lastTs)}</td><td>${r.lastSeq + 1}</td></tr>`,
      );
      return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5em 2em}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}</style></head><body>
<h1>${escapeHtml(title)}</h1>
${compares.length ? `<h2>Comparisons</h2><ul id="compares">${compares.join('')}</ul>` : ''}
<h2>Runs</h2>
${runs.length ? `<table id="runs"><thead><tr><th>run</th><th>created (UTC)</th><th>last event (UTC)</th><th>events</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : '<p>no runs yet</p>'}
</body></html>`;
    },
    async runsOf(target: PageTarget) {
      const ids = (await store.listRuns()).map((r) => r.runId);
      if (target.kind === 'compare') return compareRunIds(ids, target.name);
      return ids.includes(target.runId) ? [target.runId] : [];
    },
    view(target, runIds) {
      return new ReportView(runIds, { spaceFor, ...(target.kind === 'compare' && { compare: target.name }) });
    },
    page(view, eventsUrl) {
      return renderReportHtml((view as ReportView).data(), { live: { eventsUrl } });
    },
  };
}
