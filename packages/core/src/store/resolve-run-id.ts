import { UnknownRunError } from '../errors.js';
import type { EventStore } from './event-store.js';

/** A run id or a unique prefix of one; an UnknownRunError otherwise (a prefix of several names them). */
export async function resolveRunId(store: EventStore, idOrPrefix: string): Promise<string> {
  const runs = await store.listRuns();
  if (runs.some((r) => r.runId === idOrPrefix)) return idOrPrefix;
  const matches = runs.filter((r) => r.runId.startsWith(idOrPrefix));
  if (matches.length === 1) return matches[0]!.runId;
  if (matches.length > 1) {
    throw new UnknownRunError(
      idOrPrefix,
      `it is a prefix of ${matches.length} runs (${matches
        .map((r) => r.runId)
        .slice(0, 5)
        .join(', ')}); give more of it`,
    );
  }
  throw new UnknownRunError(idOrPrefix);
}
