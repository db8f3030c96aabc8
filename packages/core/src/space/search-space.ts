import { MalformedArchitectureError } from '../errors.js';
import type { OptionsSpec } from '../options/options.js';
import type { Rng } from '../rng/rng.js';

/**
 * A search space: what architectures exist and how to move between them. Architectures are
 * opaque values of type `A`; the log stores their canonical `key`, and `parse(key(a))` must give
 * back an architecture with the same key. Every method is deterministic given its arguments
 * (randomness only through the `rng` passed in), so a strategy replays exactly.
 */
export interface SearchSpace<A = unknown> {
  readonly name: string;
  /** Draws an architecture; the only randomness is `rng`. */
  sample(rng: Rng): A;
  /** The canonical string of an architecture: equal keys mean the same architecture. */
  key(arch: A): string;
  /** Inverse of `key`. Throws MalformedArchitectureError with the reason when `key` is not one. */
  parse(key: string): A;
  /** A random neighbour (one local change). Needed by evolution-style strategies. */
  mutate?(arch: A, rng: Rng): A;
  /** All architectures one local change away, in a fixed order. Needed by local search. */
  neighbours?(arch: A): A[];
  /** Equal for architectures that compute the same function (graph isomorphism, dead edges). */
  isomorphismKey?(arch: A): string;
  /** A fixed sequence of categorical decisions that spells every architecture (RL controllers, surrogates). */
  readonly encoding?: SpaceEncoding<A>;
  /** Number of architectures, when finite and known. */
  readonly size?: number;
  /** The options it was made with, so another thread can make the same space (`factory.create(options)`). */
  readonly options?: Readonly<Record<string, unknown>>;
}

export interface SpaceEncoding<A> {
  /** One entry per decision, with the labels of its choices. */
  readonly decisions: readonly { readonly name: string; readonly choices: readonly string[] }[];
  encode(arch: A): number[];
  decode(choices: readonly number[]): A;
}

/**
 * Throws a MalformedArchitectureError of space `space` unless `choices` holds one index into
 * each decision's choices, in order: what an encoding's `decode` checks first.
 */
export function checkChoices(
  space: string,
  decisions: SpaceEncoding<unknown>['decisions'],
  choices: readonly number[],
): void {
  const bad =
    choices.length !== decisions.length ||
    choices.some((c, i) => !Number.isInteger(c) || c < 0 || c >= decisions[i]!.choices.length);
  if (bad) {
    throw new MalformedArchitectureError(
      space,
      `[${choices.join(',')}]`,
      `an encoding is ${decisions.length} choices, each an index into its decision's choices`,
    );
  }
}

export type SpaceCapability = 'mutate' | 'neighbours' | 'isomorphismKey' | 'encoding';

/** Registered under a name (`--space NAME`). */
export interface SearchSpaceFactory {
  readonly name: string;
  readonly description: string;
  /** When given, the core validates options against it and `create` gets them with defaults filled in. */
  readonly options?: OptionsSpec;
  create(options: Readonly<Record<string, unknown>>): SearchSpace;
}
// Symbol.for: a plugin built against another copy of @archlab/core still binds the same token.
export const SearchSpaceFactory: unique symbol = Symbol.for('archlab.SearchSpaceFactory');
