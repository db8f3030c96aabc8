import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { SearchSpace } from '@archlab/core';
import type { SpaceNetworks } from '@archlab/nn';
import { type ProxyName, parseProxies } from './proxies.js';
import { ProxyScorer } from './proxy-scorer.js';
import type { ZeroCostOptions } from './zero-cost-options.js';

/** One architecture's proxy values, as `scoreArchitectures` returns them. */
export interface ScoredArchitecture {
  /** The key as given. */
  readonly key: string;
  /** Every proxy asked for, finite (UNDEFINED_SCORE where the proxy was not). */
  readonly values: Readonly<Partial<Record<ProxyName, number>>>;
  /** One line per value replaced by UNDEFINED_SCORE. */
  readonly warnings: readonly string[];
  /** Wall time of this architecture: network build and every proxy. */
  readonly ms: number;
}

/**
 * Scores the architectures `keys` of `space` (whose network `networks` has) with `proxies` (names or a comma-separated list),
 * one after another, from scratch each (see ProxyScorer), and returns them in the order of
 * `keys`. Every key is parsed before any is scored, so a malformed one
 * (MalformedArchitectureError) or an unknown proxy (InvalidOptionError) fails fast. A proxy
 * that is not finite for some architecture does not stop the batch: it scores UNDEFINED_SCORE
 * and a warning is attached. `options` are those of the `zc:*` estimators (kebab-case, values
 * as numbers or strings). `onProgress` is called after each architecture; the event loop gets
 * a turn between architectures.
 */
export async function scoreArchitectures(
  networks: SpaceNetworks,
  space: SearchSpace,
  keys: readonly string[],
  proxies: string | readonly string[],
  options: Readonly<Partial<ZeroCostOptions>> | Readonly<Record<string, unknown>> = {},
  onProgress?: (done: number, total: number, last: ScoredArchitecture) => void,
): Promise<ScoredArchitecture[]> {
  const names = parseProxies(proxies);
  const archs = keys.map((k) => space.parse(k));
  const scorer = await ProxyScorer.create(networks, space, names, options);
  try {
    const out: ScoredArchitecture[] = [];
    for (let i = 0; i < archs.length; i++) {
      const started = performance.now();
      const { values, warnings } = scorer.score(archs[i]);
      const scored = { key: keys[i]!, values, warnings, ms: performance.now() - started };
      out.push(scored);
      onProgress?.(out.length, archs.length, scored);
      await yieldToEventLoop();
    }
    return out;
  } finally {
    scorer.dispose();
  }
}
