import { StoreError } from '../errors.js';
import { DamagedLogError } from '../events/log-check.js';
import type { StoredEvent } from '../events/upcast.js';

/** A stored event as a SQL store keeps it: `data` is the JSON text written, which the hash chain covers. */
export interface EventRow {
  readonly seq: number;
  readonly type: string;
  readonly v: number;
  readonly ts: number;
  readonly data: string;
  readonly hash: string;
}

/**
 * The rows an append at `expectedSeq` writes, for SQL stores: each event must belong to `runId`
 * at the next seq and have JSON data, or a StoreError says which does not (and nothing is written).
 */
export function eventRows(runId: string, expectedSeq: number, events: readonly StoredEvent[]): EventRow[] {
  return events.map((e, i) => {
    const seq = expectedSeq + 1 + i;
    if (e.runId !== runId || e.seq !== seq) {
      throw new StoreError(
        `event ${e.runId}#${e.seq} does not belong at ${runId}#${seq}; nothing was written`,
      );
    }
    const data = JSON.stringify(e.data);
    if (data === undefined) {
      throw new StoreError(`event ${runId}#${seq} (${e.type}) has no JSON data; nothing was written`);
    }
    return { seq, type: e.type, v: e.v, ts: e.ts, data, hash: e.hash };
  });
}

/** A row read back as a fresh StoredEvent; data that is not JSON is a DamagedLogError (unreadable). */
export function eventFromRow(runId: string, r: EventRow): StoredEvent {
  let data: unknown;
  try {
    data = JSON.parse(r.data);
  } catch (err) {
    throw new DamagedLogError(runId, r.seq, `its data is not JSON (${(err as Error).message})`, {
      cause: err,
      unreadable: true,
    });
  }
  return { type: r.type, v: r.v, runId, seq: r.seq, ts: r.ts, data, hash: r.hash };
}
