import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  DEFAULT_PLUGIN_LOAD_TIMEOUT_MS,
  damageText,
  type EventStore,
  type EventStoreFactory,
  echo,
  foldLog,
  LogChecker,
  type LogFault,
  loadInto,
  loadPlugin,
  loadPlugins,
  locationScheme,
  type PluginKind,
  PluginRegistry,
  type PluginSet,
  pluginPackageDir,
  pluginVersionWarnings,
  type RunEvent,
  type RunState,
  resolveRunId,
  type SearchDeps,
  type StoredEvent,
  type StoreFlags,
  upcast,
} from '@archlab/core';
import { parseKeyValues } from './flag-parsers.js';

export type { StoreFlags };

/** First-party plugin packages the CLI always loads; `--plugin` and the config's `plugins` add more. */
export const DEFAULT_PLUGINS = [
  '@archlab/core',
  '@archlab/storage-sqlite',
  '@archlab/storage-postgres',
  '@archlab/bench-nb201',
  '@archlab/space-fmnist-chain',
  '@archlab/space-mbv3',
  '@archlab/strategy-evolution',
  '@archlab/strategy-pnas',
  '@archlab/strategy-rl',
  '@archlab/oneshot',
  '@archlab/strategy-darts',
  '@archlab/strategy-enas',
  '@archlab/strategy-effnet',
  '@archlab/strategy-ofa',
  '@archlab/trainer-tfjs',
  '@archlab/hardware-latency',
  '@archlab/estimator-zero-cost',
  '@archlab/runner-bullmq',
  '@archlab/model-export',
] as const;

export interface CliContext {
  readonly registry: PluginRegistry;
  readonly packages: Record<string, string>;
  /** The loaded plugin packages; `loadRecordedPlugins` adds to it. */
  readonly plugins: PluginSet;
  readonly store: EventStore;
  readonly dbPath: string;
}

const cliDir = dirname(fileURLToPath(import.meta.url));
/** Where plugin packages are looked up: the user's project first, then the CLI's own. */
export const pluginRoots = () => [process.cwd(), cliDir];

/** Seconds a plugin's module may take to load: ARCHLAB_PLUGIN_TIMEOUT, default 60. */
export function pluginTimeoutMs(): number {
  const raw = process.env.ARCHLAB_PLUGIN_TIMEOUT;
  if (raw === undefined || raw === '') return DEFAULT_PLUGIN_LOAD_TIMEOUT_MS;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0) {
    throw new ConfigError(`ARCHLAB_PLUGIN_TIMEOUT must be a positive number of seconds, got '${raw}'`);
  }
  return s * 1000;
}

/**
 * The default plugin packages and `extraPlugins`, loaded; with `kinds`, only those that may
 * provide a plugin of one of them (a package's package.json may say what it provides).
 */
export async function loadRegistry(
  extraPlugins: readonly string[] = [],
  kinds?: readonly PluginKind[],
): Promise<{ registry: PluginRegistry; packages: Record<string, string>; plugins: PluginSet }> {
  const plugins = await loadPlugins([...DEFAULT_PLUGINS, ...extraPlugins], pluginRoots(), {
    timeoutMs: pluginTimeoutMs(),
    ...(kinds && { kinds }),
  });
  return { registry: new PluginRegistry(plugins.container, plugins), packages: plugins.packages, plugins };
}

/**
 * Before a recorded run is replayed or resumed: loads each plugin package its RunStarted names
 * as a provider that is installed but not loaded (so `resume RUN` needs no --plugin, as it needs
 * no other flag of the run), and warns on stderr for each recorded package loaded at another
 * version. A provider that is not installed is left to the replay, which names it.
 */
export async function loadRecordedPlugins(ctx: CliContext, runId: string): Promise<void> {
  let started: RunEvent | undefined;
  for await (const stored of ctx.store.read(runId)) {
    started = upcast(stored);
    break;
  }
  if (started?.type !== 'RunStarted') return;
  const { packages, providers = [] } = started.data;
  for (const name of new Set(providers.map((p) => p.package))) {
    if (ctx.plugins.packages[name] !== undefined || !pluginPackageDir(name, pluginRoots())) continue;
    const plugin = await loadPlugin(name, pluginRoots(), { timeoutMs: pluginTimeoutMs() });
    loadInto(ctx.plugins, plugin);
    process.stderr.write(
      `archlab: loaded plugin package ${name}@${plugin.version}, which run ${runId} used\n`,
    );
  }
  for (const w of pluginVersionWarnings(runId, packages, ctx.plugins.packages)) warn(w);
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
  /** Load only the plugin packages that may provide these kinds (`loadRegistry`). */
  kinds?: readonly PluginKind[];
}): Promise<CliContext> {
  const dbPath = databasePath(opts.db, opts.mustExist);
  return openStore(await loadRegistry(opts.plugins, opts.kinds), { ...opts, db: dbPath });
}

/**
 * The absolute path of `--db`; a ConfigError if none is given, or if `mustExist` and there is no
 * such file. A server's URL (`postgres://…`) is returned as it is: its store checks it.
 */
export function databasePath(db: string | undefined, mustExist: boolean): string {
  if (!db) throw new ConfigError('no database given: pass --db FILE (or "db" in the config file)');
  if (locationScheme(db) !== undefined) return db;
  if (mustExist && !existsSync(resolve(db))) {
    throw new ConfigError(
      `database '${echo(db)}' does not exist; check the path, or create it with 'archlab search --db FILE ...'`,
    );
  }
  return resolve(db);
}

/** Opens (or creates) the store at `db`, an absolute path or a URL, with plugins already loaded. */
export async function openStore(
  {
    registry,
    packages,
    plugins,
  }: { registry: PluginRegistry; packages: Record<string, string>; plugins: PluginSet },
  opts: { db: string; store?: string; storeOption?: readonly string[]; mustExist?: boolean },
): Promise<CliContext> {
  const store = await storeFactory(registry, opts.store, opts.db).create(
    opts.db,
    parseKeyValues(opts.storeOption ?? [], '--store-option'),
    { mustExist: opts.mustExist ?? false },
  );
  return { registry, packages, plugins, store, dbPath: opts.db };
}

/**
 * The store `--store` names; without it, the one whose URL schemes include `db`'s (a
 * `postgres://` URL needs no `--store postgres`), else sqlite. A URL given to a store that takes
 * file paths is a ConfigError, not a strangely named file.
 */
export function storeFactory(
  registry: PluginRegistry,
  name: string | undefined,
  db: string,
): EventStoreFactory {
  const scheme = locationScheme(db);
  const takes = (f: EventStoreFactory) => scheme !== undefined && (f.urlSchemes ?? []).includes(scheme);
  const factory =
    name !== undefined
      ? registry.get('store', name)
      : (registry.all('store').find(takes) ?? registry.get('store', 'sqlite'));
  if (scheme !== undefined && !takes(factory)) {
    const fitting = registry.all('store').filter(takes);
    throw new ConfigError(
      `store '${factory.name}' does not take '${scheme}://' URLs as --db${fitting.length ? `; use --store ${fitting[0]!.name}` : `; no loaded store does (stores: ${registry.names('store').join(', ')})`}`,
    );
  }
  return factory;
}

/** What the engine needs from the CLI's plugins and store. */
export function searchDeps(ctx: CliContext): SearchDeps {
  return {
    store: ctx.store,
    plugins: ctx.registry,
    packages: ctx.packages,
    reactions: ctx.registry.reactions(),
    warn,
  };
}

/** `archlab: warning: …` on stderr: something the user should know that does not stop the command. */
export function warn(message: string): void {
  process.stderr.write(`archlab: warning: ${message}\n`);
}

export function openFromFlags(
  flags: StoreFlags,
  mustExist: boolean,
  kinds?: readonly PluginKind[],
): Promise<CliContext> {
  return openContext({
    db: flags.db,
    store: flags.store,
    storeOption: flags.storeOption,
    plugins: flags.plugin,
    mustExist,
    ...(kinds && { kinds }),
  });
}

/** A run id or a unique prefix of one (core's, kept here for the CLI's commands). */
export { resolveRunId };

/**
 * A run's state, folded from its log. A log that cannot be read as a run throws DamagedLogError;
 * one whose hash chain does not verify, or that ends before the store's index says, is still
 * folded, with a warning.
 */
export async function foldRun(store: EventStore, runId: string): Promise<RunState> {
  const { state, faults } = await foldLog(store, runId);
  for (const f of faults) warn(faultWarning(runId, f));
  return state;
}

function faultWarning(runId: string, f: LogFault): string {
  if (f.kind === 'gap' || f.kind === 'start') return damageText(runId, f.seq, f.reason);
  const what = f.kind === 'hash' ? `the hash chain does not verify at seq ${f.seq}` : f.reason;
  return `${what}; run 'archlab replay ${runId} --verify'`;
}

/**
 * A run's events as stored (or upcast to today's schema), whatever the damage: what can be read
 * is yielded, so a damaged log can still be looked at; its first fault is a warning.
 */
export async function* readStored(
  store: EventStore,
  runId: string,
  opts: { upcast?: boolean } = {},
): AsyncGenerator<StoredEvent | RunEvent> {
  const checker = new LogChecker();
  let first: LogFault | undefined;
  const indexed = await store.lastSeq(runId);
  for await (const stored of store.read(runId)) {
    first ??= checker.check(stored);
    yield opts.upcast ? upcast(stored) : stored;
  }
  first ??= checker.checkEnd(indexed);
  if (first) warn(faultWarning(runId, first));
}
