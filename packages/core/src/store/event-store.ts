import type { StoredEvent } from '../events/upcast.js';
import type { OptionSpec, OptionsSpec } from '../options/options.js';

export interface RunListing {
  readonly runId: string;
  readonly createdAt: number;
  readonly lastTs: number;
  readonly lastSeq: number;
}

/**
 * Where runs are kept. Small on purpose: append at an expected position, read from a position,
 * content-addressed blobs. Replay, validation and hashing live in the core, so every backend
 * behaves the same.
 *
 * Contract:
 * - `append` writes all of `events` or none. It succeeds only if the run's last seq equals
 *   `expectedSeq` (-1 for a new run) and the events carry seqs `expectedSeq + 1, +2, …`;
 *   otherwise it throws ConcurrencyConflictError and writes nothing. Once it resolves, the events
 *   survive a crash of the process.
 * - `read` yields a run's events in seq order from `fromSeq`; the objects it yields are fresh and
 *   the caller may keep them. Reading a run that does not exist yields nothing.
 * - Blobs are immutable and addressed by the sha256 (hex) of their bytes; putting the same bytes twice is a no-op.
 * - Safe for one writer per run at a time; concurrent writers are detected by the conflict check.
 */
export interface EventStore {
  append(runId: string, expectedSeq: number, events: readonly StoredEvent[]): Promise<void>;
  read(runId: string, fromSeq?: number): AsyncIterable<StoredEvent>;
  lastSeq(runId: string): Promise<number>;
  listRuns(): Promise<RunListing[]>;
  putBlob(bytes: Uint8Array): Promise<string>;
  getBlob(sha256: string): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

/**
 * The `mode` option of a store that can be opened for reading only (`archlab serve` asks for
 * `mode=read-only` where a store's options have it): no migration, appends and blobs refused.
 */
export const STORE_MODE_OPTION = {
  type: 'enum',
  default: 'read-write',
  values: ['read-write', 'read-only'],
  description:
    "'read-only': read the log without ever writing to it (no migration; appends fail), as 'archlab serve' does",
} as const satisfies OptionSpec;

export interface EventStoreFactory {
  readonly name: string;
  readonly description: string;
  /** The options `create` accepts (it validates them itself, e.g. with `parseOptions`). */
  readonly options?: OptionsSpec;
  /**
   * URL schemes (lower case, e.g. `postgres`) whose locations are this store's: the CLI passes a
   * `--db` with one of them as it is (not as a file path) and picks this store when no `--store`
   * is given. A store whose locations are file paths has none.
   */
  readonly urlSchemes?: readonly string[];
  /**
   * `location` is backend-specific: a file path for sqlite, a URL for postgres, ignored by memory.
   * With `opening.mustExist` (commands that read a log: show, export, replay, resume) a location
   * that holds no log yet is an error, never a new empty one.
   */
  create(
    location: string,
    options?: Readonly<Record<string, unknown>>,
    opening?: StoreOpening,
  ): EventStore | Promise<EventStore>;
}

/** How a command opens a store. */
export interface StoreOpening {
  /** The location must hold a log already (a mistyped name is an error, not a new log). */
  readonly mustExist?: boolean;
}
// Symbol.for: a plugin built against another copy of @archlab/core still binds the same token.
export const EventStoreFactory: unique symbol = Symbol.for('archlab.EventStoreFactory');
