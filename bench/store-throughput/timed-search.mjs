// The measured search of store-throughput, shared with scale-out's store figure: N random trials
// on the NB201 table written through a given store, timed from start to RunCompleted.
import { loadPlugins, PluginRegistry, Search } from '../../packages/core/dist/index.js';

/** The plugins the search needs: core's random strategy and the NB201 space and table. */
export async function nb201Plugins() {
  const root = new URL('../../packages/cli/', import.meta.url).pathname;
  const { container } = await loadPlugins(['@archlab/core', '@archlab/bench-nb201'], [root]);
  return new PluginRegistry(container);
}

/** Runs `trials` random trials (seed 1, run id `runId`) into `store`; returns seconds and trials/s. */
export async function timedSearch(store, plugins, trials, runId = 'bench') {
  const t0 = performance.now();
  const search = await Search.start(
    { store, plugins },
    {
      space: 'nb201',
      estimator: 'nb201:cifar10',
      strategy: 'random',
      strategyOptions: { dedupe: false },
      seed: 1,
      budget: { trials },
    },
    runId,
  );
  const out = await search.run();
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, trials: out.trials, trials_per_s: out.trials / seconds };
}
