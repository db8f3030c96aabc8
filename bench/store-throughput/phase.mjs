// One measured phase of store-throughput, in a process of its own; prints one JSON line.
import { loadPlugins, PluginRegistry, replayRun, Search } from '../../packages/core/dist/index.js';
import { SqliteEventStore } from '../../packages/storage-sqlite/dist/index.js';

const [what, db, n] = process.argv.slice(2);
const root = new URL('../../packages/cli/', import.meta.url).pathname;
const { container } = await loadPlugins(['@archlab/core', '@archlab/bench-nb201'], [root]);
const plugins = new PluginRegistry(container);
const store = SqliteEventStore.open(db);
const peakMb = () => process.resourceUsage().maxRSS / 1024;

if (what === 'search') {
  const t0 = performance.now();
  const search = await Search.start(
    { store, plugins },
    {
      space: 'nb201',
      estimator: 'nb201:cifar10',
      strategy: 'random',
      strategyOptions: { dedupe: false },
      seed: 1,
      budget: { trials: Number(n) },
    },
    'bench',
  );
  const out = await search.run();
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({ seconds, trials: out.trials, trials_per_s: out.trials / seconds, peak_mb: peakMb() }),
  );
} else {
  const t0 = performance.now();
  const r = await replayRun(store, plugins, 'bench', { mode: 'verify' });
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({ seconds, events: r.events, trials: r.state.trials.length, peak_mb: peakMb() }),
  );
}
await store.close();
