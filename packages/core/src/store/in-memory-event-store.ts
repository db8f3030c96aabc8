import { ConcurrencyConflictError, StoreError } from '../errors.js';
import { sha256Hex } from '../events/hash-chain.js';
import type { StoredEvent } from '../events/upcast.js';
import type { EventStore, RunListing } from './event-store.js';

/** An EventStore in memory: for tests, and for searches whose log need not outlive the process. */
export class InMemoryEventStore implements EventStore {
  private readonly runs = new Map<string, StoredEvent[]>();
  private readonly blobs = new Map<string, Uint8Array>();

  async append(runId: string, expectedSeq: number, events: readonly StoredEvent[]): Promise<void> {
    const log = this.runs.get(runId) ?? [];
    const actual = log.length - 1;
    if (actual !== expectedSeq) throw new ConcurrencyConflictError(runId, expectedSeq, actual);
    events.forEach((e, i) => {
      if (e.runId !== runId || e.seq !== expectedSeq + 1 + i) {
        throw new StoreError(`event ${e.runId}#${e.seq} does not belong at ${runId}#${expectedSeq + 1 + i}`);
      }
    });
    for (const e of events) log.push(structuredClone(e));
    this.runs.set(runId, log);
  }

  async *read(runId: string, fromSeq = 0): AsyncIterable<StoredEvent> {
    const log = this.runs.get(runId) ?? [];
    for (let i = Math.max(0, fromSeq); i < log.length; i++) yield structuredClone(log[i]!);
  }

  async lastSeq(runId: string): Promise<number> {
    return (this.runs.get(runId)?.length ?? 0) - 1;
  }

  async listRuns(): Promise<RunListing[]> {
    return [...this.runs.entries()]
      .filter(([, log]) => log.length > 0)
      .map(([runId, log]) => ({
        runId,
        createdAt: log[0]!.ts,
        lastTs: log.at(-1)!.ts,
        lastSeq: log.length - 1,
      }))
      .sort((a, b) => a.createdAt - b.createdAt || a.runId.localeCompare(b.runId));
  }

  async putBlob(bytes: Uint8Array): Promise<string> {
    const sha = sha256Hex(bytes);
    if (!this.blobs.has(sha)) this.blobs.set(sha, new Uint8Array(bytes));
    return sha;
  }

  async getBlob(sha256: string): Promise<Uint8Array | undefined> {
    const b = this.blobs.get(sha256);
    return b && new Uint8Array(b);
  }

  async close(): Promise<void> {}
}
