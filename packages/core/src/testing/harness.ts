import type { PluginRegistry } from '../di/plugin-registry.js';
import type { SearchConfigInput } from '../engine/run-config.js';
import type { RunOutcome } from '../engine/search.js';
import { Search } from '../engine/search.js';
import { eventHash } from '../events/hash-chain.js';
import type { StoredEvent } from '../events/upcast.js';
import type { RunState } from '../projections/run-state.js';
import type { EventStore } from '../store/event-store.js';
import { InMemoryEventStore } from '../store/in-memory-event-store.js';

/** Runs a search (or resumes one) to the end in an in-memory store, with a fake clock so runs compare exactly. */
export async function runSearch(
  registry: PluginRegistry,
  config: SearchConfigInput | { resume: string },
  store: EventStore = new InMemoryEventStore(),
): Promise<RunOutcome & { store: EventStore }> {
  let t = 1_700_000_000_000;
  const deps = { store, plugins: registry, clock: () => (t += 1) };
  const search =
    'resume' in config
      ? await Search.resume(deps, config.resume)
      : await Search.start(deps, config, 'test-run');
  const outcome = await search.run();
  return { ...outcome, store };
}

/** The parts of a run's trials that must survive a crash and resume: ids, architectures, outcomes. */
export function trialsOf(
  state: RunState,
): { trialId: number; arch?: string; status: string; metrics?: unknown }[] {
  return state.trials.map((t) => ({
    trialId: t.trialId,
    ...(t.arch !== undefined && { arch: t.arch }),
    status: t.status,
    ...(t.metrics !== undefined && { metrics: t.metrics }),
  }));
}

/** Copies the first `count` events of a run (and every blob they name) to another store: a crash after event `count`. */
export async function copyLogPrefix(
  from: EventStore,
  to: EventStore,
  runId: string,
  count: number,
): Promise<void> {
  const events = [];
  for await (const e of from.read(runId)) {
    if (e.seq >= count) break;
    events.push(e);
    const named =
      e.type === 'Checkpointed' || e.type === 'StrategyCheckpointed'
        ? [(e.data as { blob: string }).blob]
        : e.type === 'TrialCompleted'
          ? Object.values((e.data as { artifacts?: Record<string, { blob: string }> }).artifacts ?? {}).map(
              (a) => a.blob,
            )
          : [];
    for (const blob of named) {
      const bytes = await from.getBlob(blob);
      if (bytes) await to.putBlob(bytes);
    }
  }
  await to.append(runId, -1, events);
}

/** Every event of a run, from `from`. */
export async function readAll(store: EventStore, runId: string, from = 0): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const e of store.read(runId, from)) out.push(e);
  return out;
}

/**
 * A copy of a run's log in a new in-memory store, with the event at `seq` rewritten by `edit`;
 * `rechain` also recomputes every hash, as a careful forger would (or as a log looks when a
 * plugin now computes something else): then only re-computation can tell.
 */
export async function tamperedCopy(
  store: EventStore,
  runId: string,
  seq: number,
  edit: (e: StoredEvent) => StoredEvent,
  rechain: boolean,
): Promise<InMemoryEventStore> {
  const events = await readAll(store, runId);
  events[seq] = edit(events[seq]!);
  if (rechain) {
    let prev = '';
    for (let i = 0; i < events.length; i++) {
      events[i] = { ...events[i]!, hash: eventHash(prev, events[i]!) };
      prev = events[i]!.hash;
    }
  }
  const out = new InMemoryEventStore();
  await out.append(runId, -1, events);
  return out;
}
