import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  type EventStore,
  echo,
  loadPlugins,
  PluginRegistry,
  parseKeyValues,
  type RunEvent,
  type SearchDeps,
  type StoredEvent,
  UnknownRunError,
  upcast,
} from '@archlab/core';

/** First-party plugin packages the CLI always loads; `--plugin` and the config's `plugins` add more. */
export const DEFAULT_PLUGINS = [
  '@archlab/core',
  '@archlab/storage-sqlite',
  '@archlab/bench-nb201',
  '@archlab/strategy-evolution',
  '@archlab/strategy-pnas',
  '@archlab/strategy-rl',
  '@archlab/trainer-tfjs',
  '@archlab/hardware-latency',
  '@archlab/estimator-zero-cost',
] as const;

export interface CliContext {
  readonly registry: PluginRegistry;
  readonly packages: Record<string, string>;
  readonly store: EventStore;
  readonly dbPath: string;
}

const cliDir = dirname(fileURLToPath(import.meta.url));

export async function loadRegistry(
  extraPlugins: readonly string[] = [],
): Promise<{ registry: PluginRegistry; packages: Record<string, string> }> {
  const { container, packages } = await loadPlugins(
    [...DEFAULT_PLUGINS, ...extraPlugins],
    [process.cwd(), cliDir],
  );
  return { registry: new PluginRegistry(container), packages };
}

/**
 * Loads the plugins and opens the store. Read commands pass `mustExist`, so a mistyped path is an
 * error rather than a new empty database.
 */
export async function openContext(opts: {
  db: string | undefined;
  store?: string;
  storeOption?: readonly string[];
  plugins?: readonly string[];
  mustExist: boolean;
}): Promise<CliContext> {
  const dbPath = databasePath(opts.db, opts.mustExist);
  return openStore(await loadRegistry(opts.plugins), { ...opts, db: dbPath });
}

/** The absolute path of `--db`; a ConfigError if none is given, or if `mustExist` and there is no such file. */
export function databasePath(db: string | undefined, mustExist: boolean): string {
  if (!db) throw new ConfigError('no database given: pass --db FILE (or "db" in the config file)');
  if (mustExist && !existsSync(resolve(db))) {
    throw new ConfigError(
      `database '${echo(db)}' does not exist; check the path, or create it with 'archlab search --db FILE ...'`,
    );
  }
  return resolve(db);
}

/** Opens (or creates) the store at `db`, an absolute path, with plugins already loaded. */
export async function openStore(
  { registry, packages }: { registry: PluginRegistry; packages: Record<string, string> },
  opts: { db: string; store?: string; storeOption?: readonly string[] },
): Promise<CliContext> {
  const store = await registry
    .get('store', opts.store ?? 'sqlite')
    .create(opts.db, parseKeyValues(opts.storeOption ?? [], '--store-option'));
  return { registry, packages, store, dbPath: opts.db };
}

/** What the engine needs from the CLI's plugins and store. */
export function searchDeps(ctx: CliContext): SearchDeps {
  return {
    store: ctx.store,
    plugins: ctx.registry,
    packages: ctx.packages,
    reactions: ctx.registry.reactions(),
  };
}

/** The flags every command that opens a database takes. */
export interface StoreFlags {
  db?: string;
  store?: string;
  storeOption?: string[];
  plugin?: string[];
}

export function openFromFlags(flags: StoreFlags, mustExist: boolean): Promise<CliContext> {
  return openContext({
    db: flags.db,
    store: flags.store,
    storeOption: flags.storeOption,
    plugins: flags.plugin,
    mustExist,
  });
}

/** A run id or a unique prefix of one. */
export async function resolveRunId(store: EventStore, idOrPrefix: string): Promise<string> {
  const runs = await store.listRuns();
  if (runs.some((r) => r.runId === idOrPrefix)) return idOrPrefix;
  const matches = runs.filter((r) => r.runId.startsWith(idOrPrefix));
  if (matches.length === 1) return matches[0]!.runId;
  if (matches.length > 1) {
    throw new UnknownRunError(
      idOrPrefix,
      `it is a prefix of ${matches.length} runs (${matches
        .map((r) => r.runId)
        .slice(0, 5)
        .join(', ')}); give more of it`,
    );
  }
  throw new UnknownRunError(idOrPrefix);
}

export async function* readEvents(
  store: EventStore,
  runId: string,
): AsyncGenerator<{ stored: StoredEvent; event: RunEvent }> {
  for await (const stored of store.read(runId)) yield { stored, event: upcast(stored) };
}
