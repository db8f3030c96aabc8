import { ConfigError } from '../errors.js';

/**
 * How the architectures of one space become networks (layers, a description for counters and
 * latency tables, a tfjs build), contributed by the space's package: `bind(SpaceNetwork)
 * .toConstantValue(...)` next to its SearchSpaceFactory. Plugins that build networks (the train
 * estimator, zero-cost proxies, hardware models) serve exactly the spaces that bound one, and
 * look the network up by space here instead of knowing spaces themselves.
 *
 * Binding one must stay cheap (CLI start-up): the network code, and tfjs with it, is loaded by
 * `load()` (a dynamic import) on first use, or by a worker thread from `module`.
 */
export interface SpaceNetwork<Impl = unknown> {
  /** The registered name of the space it serves. */
  readonly space: string;
  /** URL of the ES module whose `spaceNetwork` export is the implementation; worker threads import it. */
  readonly module: string;
  /** The implementation, imported in this thread. */
  load(): Promise<Impl>;
}
// Symbol.for: a plugin built against another copy of @archlab/core still binds the same token.
export const SpaceNetwork: unique symbol = Symbol.for('archlab.SpaceNetwork');

/**
 * A plugin that builds networks was asked to work on a space whose package binds no
 * SpaceNetwork. A ConfigError: the run's config names a space and a plugin that do not go together.
 */
export class MissingSpaceNetworkError extends ConfigError {
  constructor(
    readonly space: string,
    /** Who needs the network, e.g. `the train estimator`. */
    readonly user: string,
    /** The spaces that bound one. */
    readonly known: readonly string[],
  ) {
    super(
      `${user}: space '${space}' has no network (no loaded plugin binds a SpaceNetwork for it); spaces with one: ${known.length ? known.join(', ') : '(none)'}`,
    );
  }
}
