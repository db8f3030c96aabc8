import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  ConfigError,
  type Container,
  MissingSpaceNetworkError,
  type PluginRegistry,
  type SearchSpace,
  SpaceNetwork,
} from '@archlab/core';
// Types only: this module is what a space package's ContainerModule imports, so it must not load tfjs.
import type { LayerInfo, Network, NetworkDescription } from '../network/network.js';
import type { ImageShape } from '../network/network-builder.js';

/** The data a network is built for: its images' shape and its classes. */
export interface NetworkShape {
  /** `[height, width, channels]`. */
  readonly inputShape: ImageShape;
  readonly numClasses: number;
}

export interface NetworkBuildContext extends NetworkShape {
  /** Seeds the initial weights. */
  readonly seed: number;
}

/**
 * What a space's SpaceNetwork loads: how the space's architectures become tfjs networks. Every
 * method is synchronous and deterministic; a malformed architecture is a MalformedArchitectureError.
 * The shape `describe` and `build` get is the data's: a space whose architectures choose their
 * input resolution (mbv3) makes networks of that resolution, and whoever feeds them resizes the
 * images to the built network's `inputShape` (trainer-tfjs's `resizeDataset`).
 */
export interface SpaceNetworkModule<A = unknown> {
  /** The image shape the space's networks take by default, from the space's options. */
  inputShape(space: SearchSpace<A>): ImageShape;
  /** The layers and dataflow `build` gives, from the architecture alone: no weights, no backend. */
  describe(space: SearchSpace<A>, arch: A, shape: NetworkShape): NetworkDescription;
  /**
   * The network of the architecture keyed `archKey` in the space made with `spaceOptions`: plain
   * data, so a worker thread can build it. The caller disposes it.
   */
  build(
    archKey: string,
    spaceOptions: Readonly<Record<string, unknown>>,
    context: NetworkBuildContext,
  ): Network;
  /** Architectures whose networks hold every distinct operation the space can produce (what a latency table times). */
  coveringArchitectures(space: SearchSpace<A>): A[];
  /**
   * The architecture whose network's layers cost least in total under `cost` (at least 0 per
   * layer, as a latency table's entries), exactly; absent when the space cannot say (then no
   * bound on a constraint is known before a run).
   */
  cheapest?(space: SearchSpace<A>, cost: (layer: LayerInfo) => number, shape: NetworkShape): A;
}

/** A SpaceNetwork of a tfjs network: what `@archlab/nn`'s consumers load. */
export type TfjsSpaceNetwork = SpaceNetwork<SpaceNetworkModule>;

/**
 * The SpaceNetwork of space `space` whose implementation is the `spaceNetwork` export of the
 * module at `module` (`new URL('./x-network.js', import.meta.url)`), loaded by `load` (`() =>
 * import('./x-network.js')`, a dynamic import, so that binding it loads no tfjs).
 */
export function defineSpaceNetwork<A>(
  space: string,
  module: URL,
  load: () => Promise<{ readonly spaceNetwork: SpaceNetworkModule<A> }>,
): TfjsSpaceNetwork {
  return {
    space,
    module: module.href,
    load: async () => (await load()).spaceNetwork as SpaceNetworkModule,
  };
}

/**
 * The SpaceNetworks of a container, by space: what plugins that build networks ask instead of
 * testing a space's name. A later binding for a space shadows an earlier one.
 */
export class SpaceNetworks {
  private readonly bySpace: ReadonlyMap<string, TfjsSpaceNetwork>;

  constructor(bindings: readonly SpaceNetwork[]) {
    this.bySpace = new Map(bindings.map((b) => [b.space, b as TfjsSpaceNetwork]));
  }

  /** Those bound in `container` (none when nothing is): a plugin set's, or the one a dynamic binding resolves in. */
  static in(container: Pick<Container, 'isBound' | 'getAll'>): SpaceNetworks {
    return new SpaceNetworks(
      container.isBound(SpaceNetwork) ? container.getAll<SpaceNetwork>(SpaceNetwork) : [],
    );
  }

  /** Those a plugin registry's packages bound. */
  static of(registry: Pick<PluginRegistry, 'contributions'>): SpaceNetworks {
    return new SpaceNetworks(registry.contributions<SpaceNetwork>(SpaceNetwork));
  }

  /** The spaces with a network, sorted. */
  spaces(): string[] {
    return [...this.bySpace.keys()].sort();
  }

  /** The SpaceNetwork of `space`; a MissingSpaceNetworkError saying that `user` needs one otherwise. */
  get(space: string, user: string): TfjsSpaceNetwork {
    const found = this.bySpace.get(space);
    if (!found) throw new MissingSpaceNetworkError(space, user, this.spaces());
    return found;
  }

  /** The network implementation of `space`, loaded in this thread (see `get`). */
  load(space: string, user: string): Promise<SpaceNetworkModule> {
    return this.get(space, user).load();
  }
}

/**
 * Imports the network implementation at `url` (a SpaceNetwork's `module`): how a worker thread,
 * which has no container, builds a space's networks. From a package's TypeScript sources (under
 * vitest, `module` names a `.js` file next to its `.ts` source), it imports the source when this
 * module runs from source too, else the built file in the package's `dist/`.
 */
export async function importSpaceNetwork(url: string): Promise<SpaceNetworkModule> {
  const mod = (await import(runnableUrl(url))) as { spaceNetwork?: SpaceNetworkModule };
  if (!mod.spaceNetwork) {
    throw new ConfigError(`the network module ${url} has no 'spaceNetwork' export`);
  }
  return mod.spaceNetwork;
}

function runnableUrl(url: string): string {
  if (!url.startsWith('file:')) return url;
  const path = fileURLToPath(url);
  if (existsSync(path)) return url;
  const source = path.replace(/\.js$/, '.ts');
  if (import.meta.url.endsWith('.ts') && existsSync(source)) return pathToFileURL(source).href;
  const built = path.replace(/\/src\/(?!.*\/src\/)/, '/dist/');
  if (existsSync(built)) return pathToFileURL(built).href;
  throw new ConfigError(`the network module ${path} does not exist; build its package ('npx tsc -b')`);
}
