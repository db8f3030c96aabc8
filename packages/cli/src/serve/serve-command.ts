import { ConfigError, echo } from '@archlab/core';
import { databasePath, foldRun, loadRegistry, openStore, type StoreFlags } from '../cli-context.js';
import { onStopSignals } from '../commands/drive-run.js';
import { isLoopback, startLiveServer } from './live-server.js';
import { escapeHtml, servePages } from './serve-pages.js';

export interface ServeFlags extends StoreFlags {
  host?: string;
  port?: number;
  token?: string;
}

/** The port `serve` listens on unless told: a fixed one, so a bookmark keeps working. */
export const DEFAULT_PORT = 8201;
/** A token shorter than this is too easy to guess for a server others can reach. */
const MIN_TOKEN_CHARS = 16;

/** The store option that opens a store for reading only, where the store has one (sqlite's `mode`). */
function readOnlyOption(
  options: Readonly<Record<string, { type: string; values?: readonly string[] }>> | undefined,
) {
  return options?.mode?.type === 'enum' && options.mode.values?.includes('read-only')
    ? ['mode=read-only']
    : [];
}

/**
 * `archlab serve`: the database's runs as live report pages, until SIGINT or SIGTERM (exit 130).
 * Prints one line on stdout, the URL it listens on.
 */
export async function serveCommand(flags: ServeFlags): Promise<number> {
  const host = flags.host ?? '127.0.0.1';
  const token = flags.token;
  if (token !== undefined && token.length < MIN_TOKEN_CHARS)
    throw new ConfigError(
      `--token must be at least ${MIN_TOKEN_CHARS} characters (e.g. the output of 'openssl rand -hex 16')`,
    );
  if (!isLoopback(host) && token === undefined)
    throw new ConfigError(
      `--host '${echo(host)}' lets other machines connect: give --token TOKEN too (at least ${MIN_TOKEN_CHARS} characters), which every request must then carry`,
    );
  const dbPath = databasePath(flags.db, true);
  const loaded = await loadRegistry(flags.plugin);
  const storeName = flags.store ?? 'sqlite';
  const readOnly = (flags.storeOption ?? []).some((o) => o.startsWith('mode='))
    ? []
    : readOnlyOption(loaded.registry.get('store', storeName).options);
  const ctx = await openStore(loaded, {
    db: dbPath,
    store: storeName,
    storeOption: [...(flags.storeOption ?? []), ...readOnly],
  });
  try {
    const pages = servePages(ctx.store, `archlab: ${dbPath}`, async (_target, runIds, eventsPath) => {
      const states = await Promise.all(runIds.map((id) => foldRun(ctx.store, id)));
      const after = Object.fromEntries(states.map((s) => [s.runId, s.lastSeq]));
      return placeholderPage(
        runIds.join(', '),
        `${eventsPath}?after=${encodeURIComponent(JSON.stringify(after))}`,
        states.flatMap((s) =>
          s.trials.filter((t) => t?.status === 'completed').map((t) => `${s.runId}#${t.trialId}`),
        ),
      );
    });
    const server = await startLiveServer({
      store: ctx.store,
      pages,
      host,
      port: flags.port ?? DEFAULT_PORT,
      token,
    });
    const shown = token === undefined ? server.url : `${server.url}?token=${encodeURIComponent(token)}`;
    process.stdout.write(`${shown}\n`);
    process.stderr.write(`archlab: serving ${dbPath}; Ctrl-C stops\n`);
    await new Promise<void>((resolve) => {
      const release = onStopSignals(() => {
        release();
        resolve();
      });
    });
    await server.close();
    return 130;
  } finally {
    await ctx.store.close();
  }
}

/** Stands in for the report page until the report module is merged: one row and one mark per completed trial. */
function placeholderPage(title: string, eventsUrl: string, trials: string[]): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>
<h1>${escapeHtml(title)}</h1>
<svg id="marks" width="600" height="40"></svg>
<table id="trials"><tbody></tbody></table>
<script>
const ns = 'http://www.w3.org/2000/svg';
const add = (name) => {
  const row = document.createElement('tr'); row.textContent = name;
  document.querySelector('#trials tbody').append(row);
  const c = document.createElementNS(ns, 'circle');
  c.setAttribute('r', '2'); c.setAttribute('cx', String(document.querySelectorAll('#marks circle').length * 5)); c.setAttribute('cy', '20');
  document.getElementById('marks').append(c);
};
${JSON.stringify(trials)}.forEach(add);
const source = new EventSource(${JSON.stringify(eventsUrl)});
source.addEventListener('run-event', (m) => {
  const e = JSON.parse(m.data);
  if (e.type === 'TrialCompleted') add(e.runId + '#' + e.data.trialId);
});
</script></body></html>`;
}
