import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EventStore, type RunEvent, upcast } from '@archlab/core';

/** How often a stream looks for new events. */
export const POLL_MS = 250;
/** At most one new view per this long: a fast run appends thousands of events a second. */
export const MIN_SEND_MS = 1000;
/** A comment this often keeps proxies from closing an idle stream, and finds clients that left. */
const KEEP_ALIVE_MS = 15_000;

/** What a live page shows, folded from its runs' events as they come. */
export interface LiveView {
  apply(e: RunEvent): void;
  /** What the page draws now, as one line of JSON (a message of its event stream). */
  message(): string;
}

/** Where a view stands: per run, the last seq folded into it (a run not named: none yet). */
export type Cursor = Record<string, number>;

/** A cursor from the client (`?after=` or `Last-Event-ID`): a JSON object of run id → seq; anything else is no cursor. */
export function parseCursor(text: string | null | undefined): Cursor {
  if (!text) return {};
  try {
    const raw: unknown = JSON.parse(text);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
    return Object.fromEntries(
      Object.entries(raw).filter((e): e is [string, number] => Number.isSafeInteger(e[1]) && e[1] >= -1),
    );
  } catch {
    return {};
  }
}

/**
 * Folds into `view` the events of `runIds` after `at` (updated as it goes); returns how many. The
 * store is only read, by seq, so a run being written is never held up.
 */
export async function catchUp(
  store: EventStore,
  view: LiveView,
  runIds: readonly string[],
  at: Cursor,
  signal?: AbortSignal,
): Promise<number> {
  let n = 0;
  for (const runId of runIds) {
    const after = at[runId] ?? -1;
    if ((await store.lastSeq(runId)) <= after) continue;
    for await (const stored of store.read(runId, after + 1)) {
      if (signal?.aborted) return n;
      view.apply(upcast(stored));
      at[runId] = stored.seq;
      n++;
    }
  }
  return n;
}

const sameRuns = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id, i) => id === b[i]);
const isAhead = (at: Cursor, of: Cursor) => Object.entries(at).some(([id, seq]) => seq > (of[id] ?? -1));

/**
 * Serves a live view as server-sent events until `signal` aborts (the client left, or the server
 * closes). Each message's data is the view (`LiveView.message`) and its id the cursor it was
 * folded to, so a page opened at a cursor (`since`: `?after=`, or a reconnecting EventSource's
 * `Last-Event-ID`) gets a message only once there is something newer. The runs are asked again
 * at each poll (a comparison may gain runs), and a new set starts a new view.
 */
export async function streamView(
  store: EventStore,
  res: ServerResponse,
  opts: {
    runs: () => Promise<readonly string[]>;
    open: (runIds: readonly string[]) => LiveView;
    since: Cursor;
    signal: AbortSignal;
  },
): Promise<void> {
  const { signal } = opts;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 1000\n\n');
  let runIds = await opts.runs();
  let view = opts.open(runIds);
  let at: Cursor = {};
  await catchUp(store, view, runIds, at, signal);
  let pending = isAhead(at, opts.since);
  let sent = 0;
  let quiet = Date.now();
  try {
    while (!signal.aborted) {
      if (pending && Date.now() - sent >= MIN_SEND_MS) {
        if (!res.write(`id: ${JSON.stringify(at)}\ndata: ${view.message()}\n\n`))
          await once(res, 'drain', { signal });
        pending = false;
        sent = quiet = Date.now();
      } else if (Date.now() - quiet > KEEP_ALIVE_MS) {
        res.write(': keep-alive\n\n');
        quiet = Date.now();
      }
      await sleep(POLL_MS, undefined, { signal });
      const now = await opts.runs();
      if (!sameRuns(now, runIds)) {
        runIds = now;
        view = opts.open(runIds);
        at = {};
      }
      if ((await catchUp(store, view, runIds, at, signal)) > 0) pending = true;
    }
  } catch (err) {
    if (signal.aborted) return;
    // The log cannot be read on (damaged, or the store went away): say so to the page, and stop.
    res.write(`event: stream-error\ndata: ${JSON.stringify({ message: (err as Error).message })}\n\n`);
  } finally {
    res.end();
  }
}
