import type { PluginRegistry } from '../di/plugin-registry.js';
import type { SearchConfigInput } from '../engine/run-config.js';
import type { RunOutcome } from '../engine/search.js';
import { Search } from '../engine/search.js';
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
    if (e.type === 'StrategyCheckpointed') {
      const blob = (e.data as { blob: string }).blob;
      const bytes = await from.getBlob(blob);
      if (bytes) await to.putBlob(bytes);
    }
  }
  await to.append(runId, -1, events);
}
