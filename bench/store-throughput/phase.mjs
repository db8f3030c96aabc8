// One measured phase of store-throughput, in a process of its own; prints one JSON line.
import { replayRun } from '../../packages/core/dist/index.js';
import { SqliteEventStore } from '../../packages/storage-sqlite/dist/index.js';
import { nb201Plugins, timedSearch } from './timed-search.mjs';

const [what, db, n] = process.argv.slice(2);
const plugins = await nb201Plugins();
const store = SqliteEventStore.open(db);
const peakMb = () => process.resourceUsage().maxRSS / 1024;

if (what === 'search') {
  const out = await timedSearch(store, plugins, Number(n));
  console.log(JSON.stringify({ ...out, peak_mb: peakMb() }));
} else {
  const t0 = performance.now();
  const r = await replayRun(store, plugins, 'bench', { mode: 'verify' });
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({ seconds, events: r.events, trials: r.state.trials.length, peak_mb: peakMb() }),
  );
}
await store.close();
