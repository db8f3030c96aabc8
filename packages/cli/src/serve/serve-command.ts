import { ConfigError, echo, redactLocation } from '@archlab/core';
import { databasePath, loadRegistry, openStore, type StoreFlags, storeFactory } from '../cli-context.js';
import { onStopSignals } from '../commands/drive-run.js';
import { spaceOf } from '../commands/report-command.js';
import { isLoopback, startLiveServer } from './live-server.js';
import { servePages } from './serve-pages.js';

export interface ServeFlags extends StoreFlags {
  host?: string;
  port?: number;
  token?: string;
}

/** The port `serve` listens on unless told: a fixed one, so a bookmark keeps working. */
export const DEFAULT_PORT = 8201;
/** A token shorter than this is too easy to guess for a server others can reach. */
const MIN_TOKEN_CHARS = 16;

/** The store option that opens a store for reading only, where the store has one (sqlite's and postgres's `mode`). */
function readOnlyOption(
  options: Readonly<Record<string, { type: string; values?: readonly string[] }>> | undefined,
) {
  return options?.mode?.type === 'enum' && options.mode.values?.includes('read-only')
    ? ['mode=read-only']
    : [];
}

/**
 * `archlab serve`: the database's runs as live report pages, until SIGINT or SIGTERM (exit 130).
 * Prints one line on stdout, the URL it listens on.
 */
export async function serveCommand(flags: ServeFlags): Promise<number> {
  const host = flags.host ?? '127.0.0.1';
  const token = flags.token;
  if (token !== undefined && token.length < MIN_TOKEN_CHARS)
    throw new ConfigError(
      `--token must be at least ${MIN_TOKEN_CHARS} characters (e.g. the output of 'openssl rand -hex 16')`,
    );
  if (!isLoopback(host) && token === undefined)
    throw new ConfigError(
      `--host '${echo(host)}' lets other machines connect: give --token TOKEN too (at least ${MIN_TOKEN_CHARS} characters), which every request must then carry`,
    );
  const dbPath = databasePath(flags.db, true);
  const loaded = await loadRegistry(flags.plugin);
  const factory = storeFactory(loaded.registry, flags.store, dbPath);
  const storeName = factory.name;
  const readOnly = (flags.storeOption ?? []).some((o) => o.startsWith('mode='))
    ? []
    : readOnlyOption(factory.options);
  const ctx = await openStore(loaded, {
    db: dbPath,
    store: storeName,
    storeOption: [...(flags.storeOption ?? []), ...readOnly],
    mustExist: true,
  });
  try {
    // Each report builder makes its run's space once.
    const pages = servePages(ctx.store, `archlab serve ${redactLocation(dbPath)}`, (config) =>
      spaceOf(ctx, config),
    );
    const server = await startLiveServer({
      store: ctx.store,
      pages,
      host,
      port: flags.port ?? DEFAULT_PORT,
      token,
    });
    const shown = token === undefined ? server.url : `${server.url}?token=${encodeURIComponent(token)}`;
    process.stdout.write(`${shown}\n`);
    process.stderr.write(`archlab: serving ${redactLocation(dbPath)}; Ctrl-C stops\n`);
    // A second signal while closing exits at once (130), as a second one stops a run.
    let release = () => {};
    await new Promise<void>((resolve) => {
      release = onStopSignals(resolve);
    });
    await server.close();
    release();
    return 130;
  } finally {
    await ctx.store.close();
  }
}
