import { ConfigError } from '@archlab/core';
import type { Network } from '@archlab/nn';

export interface NetworkBuildContext {
  /** [height, width, channels] of the data set's images. */
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  /** Seeds the initial weights. */
  readonly seed: number;
}

/**
 * Builds the network for one architecture of a space, from its key (so a worker thread needs
 * only plain data). A malformed key is a MalformedArchitectureError.
 */
export type SpaceNetworkBuilder = (
  archKey: string,
  spaceOptions: Readonly<Record<string, unknown>>,
  context: NetworkBuildContext,
) => Network;

const builders = new Map<string, SpaceNetworkBuilder>();

/** Lets the `train` estimator train architectures of `space`; returns a function that removes the builder again. */
export function registerNetworkBuilder(space: string, builder: SpaceNetworkBuilder): () => void {
  builders.set(space, builder);
  return () => {
    if (builders.get(space) === builder) builders.delete(space);
  };
}

/** Spaces with a builder, sorted. */
export function networkBuilderSpaces(): string[] {
  return [...builders.keys()].sort();
}

export function networkBuilder(space: string): SpaceNetworkBuilder {
  const builder = builders.get(space);
  if (!builder) {
    const known = networkBuilderSpaces();
    throw new ConfigError(
      `the train estimator cannot build networks for space '${space}'; it can for: ${known.length ? known.join(', ') : '(none registered)'}`,
    );
  }
  return builder;
}
