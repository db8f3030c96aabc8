import { timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArchlabError, type EventStore } from '@archlab/core';
import { type Cursor, catchUp, type LiveView, parseCursor, streamView } from './live-stream.js';

/** What a page shows: one run, or the runs of a `compare` name. */
export type PageTarget = { kind: 'run'; runId: string } | { kind: 'compare'; name: string };

/** The pages' content; the server only routes, authenticates and streams. */
export interface LivePages {
  /** The index of what the database holds: links to `/runs/ID` and `/compare/NAME`. */
  index(): Promise<string>;
  /** The runs a target covers now (a comparison may gain runs while it is watched); none: not found. */
  runsOf(target: PageTarget): Promise<string[]>;
  /** An empty view of `runIds`, which the server fills from the store. */
  view(target: PageTarget, runIds: readonly string[]): LiveView;
  /** The page of a filled view, in live mode: it listens to `eventsUrl`. */
  page(view: LiveView, eventsUrl: string): string;
}

export interface LiveServerOptions {
  readonly store: EventStore;
  readonly pages: LivePages;
  readonly host: string;
  readonly port: number;
  /** When given, every request must carry it: `?token=`, `Authorization: Bearer`, or the cookie the first such request sets. */
  readonly token?: string;
}

export interface LiveServer {
  /** The address it listens on, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  /** Stops accepting, ends every open stream, and resolves once the server is closed. */
  close(): Promise<void>;
}

/** A request the server refuses, with its status. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The port is taken, or the address is not this machine's. */
export class ServeAddressError extends ArchlabError {
  readonly code = 'SERVE_ADDRESS';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Whether `host` is reachable only from this machine. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function sameSecret(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/**
 * An HTTP server of live report pages over `store`: `GET /` the index, `/runs/ID` and
 * `/compare/NAME` the pages, `…/events` their event streams (server-sent events).
 */
export async function startLiveServer(opts: LiveServerOptions): Promise<LiveServer> {
  const streams = new Map<AbortController, Promise<void>>();
  let cookie = '';
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500 && !(err instanceof ArchlabError))
        process.stderr.write(`archlab: serve: ${(err as Error).stack ?? String(err)}\n`);
      if (!res.headersSent) {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`${(err as Error).message}\n`);
      } else res.end();
    });
  });

  /** The token from the query, a bearer header or the cookie; a page opened with `?token=` sets the cookie for its links and stream. */
  function authenticate(req: IncomingMessage, url: URL, res: ServerResponse): void {
    const token = opts.token;
    if (token === undefined) return;
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const query = url.searchParams.get('token') ?? undefined;
    const given = query ?? bearer ?? cookieValue(req, cookie);
    if (given === undefined || !sameSecret(given, token))
      throw new HttpError(401, 'this server needs its token: add ?token=TOKEN to the URL');
    if (query !== undefined)
      res.setHeader(
        'set-cookie',
        `${cookie}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
      );
  }

  /** Without a token the server answers only to its own loopback name (no DNS rebinding from a web page). */
  function checkHost(req: IncomingMessage): void {
    if (opts.token !== undefined) return;
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!isLoopback(host))
      throw new HttpError(403, `refused: Host '${host}' is not this machine's loopback name`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    checkHost(req);
    authenticate(req, url, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'only GET');
    // Browsers ask for it on every page; there is none.
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    const parts = url.pathname
      .split('/')
      .filter(Boolean)
      .map((p) => {
        try {
          return decodeURIComponent(p);
        } catch {
          throw new HttpError(400, `malformed path ${url.pathname}`);
        }
      });
    if (parts.length === 0) return send(res, 'text/html', await opts.pages.index());
    const [kind, name, sub] = parts;
    if ((kind !== 'runs' && kind !== 'compare') || name === undefined || parts.length > 3)
      throw new HttpError(404, `no page at ${url.pathname}`);
    const target: PageTarget = kind === 'runs' ? { kind: 'run', runId: name } : { kind: 'compare', name };
    const runs = await opts.pages.runsOf(target);
    if (runs.length === 0)
      throw new HttpError(404, `${kind === 'runs' ? 'run' : 'comparison'} '${name}' is not in this database`);
    if (sub === undefined) {
      const view = opts.pages.view(target, runs);
      const at: Cursor = {};
      await catchUp(opts.store, view, runs, at);
      // The stream carries on from what the page holds.
      const eventsUrl = `/${kind}/${encodeURIComponent(name)}/events?after=${encodeURIComponent(JSON.stringify(at))}`;
      return send(res, 'text/html', opts.pages.page(view, eventsUrl));
    }
    if (sub !== 'events') throw new HttpError(404, `no page at ${url.pathname}`);
    const since = parseCursor(
      (req.headers['last-event-id'] as string | undefined) ?? url.searchParams.get('after'),
    );
    const stop = new AbortController();
    req.on('close', () => stop.abort());
    const streaming = streamView(opts.store, res, {
      runs: () => opts.pages.runsOf(target),
      open: (ids) => opts.pages.view(target, ids),
      since,
      signal: stop.signal,
    });
    streams.set(stop, streaming);
    try {
      await streaming;
    } finally {
      streams.delete(stop);
    }
  }

  server.listen(opts.port, opts.host);
  try {
    await once(server, 'listening');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ServeAddressError(
      code === 'EADDRINUSE'
        ? `port ${opts.port} is in use; pass another --port (0: any free port)`
        : `cannot listen on ${opts.host}:${opts.port} (${code ?? (err as Error).message}); check --host and --port`,
      { cause: err },
    );
  }
  const { port, address, family } = server.address() as AddressInfo;
  cookie = `archlab_token_${port}`;
  const shown = family === 'IPv6' ? `[${address}]` : address;
  return {
    url: `http://${shown}:${port}/`,
    close: async () => {
      // Each stream ends its response properly, so a client sees the end, not a reset.
      const ending = [...streams.values()];
      for (const stop of streams.keys()) stop.abort();
      await Promise.allSettled(ending);
      server.close();
      server.closeAllConnections();
      await once(server, 'close');
    },
  };
}

function send(res: ServerResponse, type: string, body: string): void {
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  res.end(body);
}
