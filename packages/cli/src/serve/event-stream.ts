import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EventStore, upcast } from '@archlab/core';

/** How often a stream looks for new events. */
export const POLL_MS = 250;
/** A comment this often keeps proxies from closing an idle stream, and finds clients that left. */
const KEEP_ALIVE_MS = 15_000;

/** Where a page's stream stands: per run, the last seq it has (-1: none). */
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
 * Streams the events appended to `runs()` after `cursor` as server-sent events, until `signal`
 * aborts (the client left, or the server closes). Each event is one message `event: run-event`
 * whose data is the event in today's schema (`{ type, v, runId, seq, ts, data, hash }`), as
 * `archlab events --upcast --json` prints it; the last message of each batch carries the cursor
 * as its `id`, so a reconnecting EventSource resumes where it was. The store is only read, so
 * a run being written is never held up.
 */
export async function streamEvents(
  store: EventStore,
  res: ServerResponse,
  runs: () => Promise<readonly string[]>,
  cursor: Cursor,
  signal: AbortSignal,
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 1000\n\n');
  let quiet = Date.now();
  try {
    while (!signal.aborted) {
      let sent = 0;
      for (const runId of await runs()) {
        const after = cursor[runId] ?? -1;
        if ((await store.lastSeq(runId)) <= after) continue;
        for await (const stored of store.read(runId, after + 1)) {
          if (signal.aborted) return;
          cursor[runId] = stored.seq;
          sent++;
          if (!res.write(`event: run-event\ndata: ${JSON.stringify(upcast(stored))}\n\n`)) {
            await once(res, 'drain', { signal });
          }
        }
      }
      if (sent > 0) {
        res.write(`id: ${JSON.stringify(cursor)}\n\n`);
        quiet = Date.now();
      } else if (Date.now() - quiet > KEEP_ALIVE_MS) {
        res.write(': keep-alive\n\n');
        quiet = Date.now();
      }
      await sleep(POLL_MS, undefined, { signal });
    }
  } catch (err) {
    if (signal.aborted) return;
    // The log cannot be read on (damaged, or the store went away): say so to the page, and stop.
    res.write(`event: stream-error\ndata: ${JSON.stringify({ message: (err as Error).message })}\n\n`);
  } finally {
    res.end();
  }
}
