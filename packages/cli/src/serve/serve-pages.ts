import type { EventStore, RunListing } from '@archlab/core';
import type { LivePages, PageTarget } from './live-server.js';

/** `compare NAME` names its runs `NAME.STRATEGY.sSEED`. */
const COMPARE_RUN = /^(.+)\.[^.]+\.s\d+$/;

/** The runs of comparison `name` in `runs`, in their order. */
export function compareRuns(runs: readonly RunListing[], name: string): string[] {
  return runs.filter((r) => COMPARE_RUN.exec(r.runId)?.[1] === name).map((r) => r.runId);
}

/** Names of the comparisons `runs` hold, in order of first appearance. */
export function compareNames(runs: readonly RunListing[]): string[] {
  return [...new Set(runs.flatMap((r) => COMPARE_RUN.exec(r.runId)?.[1] ?? []))];
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const link = (path: string, text: string) => `<a href="${escapeHtml(path)}">${escapeHtml(text)}</a>`;

/** The pages of `archlab serve` over `store`: `render` draws a target's report page. */
export function servePages(
  store: EventStore,
  title: string,
  render: (target: PageTarget, runIds: readonly string[], eventsPath: string) => Promise<string>,
): LivePages {
  return {
    async index() {
      const runs = await store.listRuns();
      const rows = runs.map(
        (r) =>
          `<tr><td>${link(`/runs/${encodeURIComponent(r.runId)}`, r.runId)}</td><td>${new Date(r.createdAt).toISOString()}</td><td>${new Date(r.lastTs).toISOString()}</td><td>${r.lastSeq + 1}</td></tr>`,
      );
      const compares = compareNames(runs).map(
        (n) =>
          `<li>${link(`/compare/${encodeURIComponent(n)}`, n)} (${compareRuns(runs, n).length} runs)</li>`,
      );
      return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>
<h1>${escapeHtml(title)}</h1>
${compares.length ? `<h2>Comparisons</h2><ul id="compares">${compares.join('')}</ul>` : ''}
<h2>Runs</h2>
${runs.length ? `<table id="runs"><thead><tr><th>run</th><th>created (UTC)</th><th>last event (UTC)</th><th>events</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : '<p>no runs yet</p>'}
</body></html>`;
    },
    async runsOf(target) {
      const runs = await store.listRuns();
      if (target.kind === 'compare') return compareRuns(runs, target.name);
      return runs.some((r) => r.runId === target.runId) ? [target.runId] : [];
    },
    async page(target, eventsPath) {
      return render(target, await this.runsOf(target), eventsPath);
    },
  };
}
