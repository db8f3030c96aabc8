import { readFileSync } from 'node:fs';
import { ConfigError, echo } from '@archlab/core';
import type { RedisOptions } from 'bullmq';

/** TLS settings beyond the URL (`--runner-option tls-ca=FILE`, `archlab worker --tls-ca FILE`). */
export interface RedisTlsOptions {
  /** A PEM file with the CA that signed the server's certificate. */
  readonly tlsCa?: string;
}

/**
 * ioredis options from `redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]` or `rediss://…` (TLS). A
 * malformed URL is a ConfigError that never shows the password.
 */
export function redisOptions(url: string, tls: RedisTlsOptions = {}): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not echoed: where the password would be in a malformed URL is anyone's guess.
    throw new ConfigError(
      'the Redis URL given is not a URL; give redis://[:PASSWORD@]HOST:PORT or rediss://… for TLS',
    );
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new ConfigError(
      `Redis URL '${echo(redactedUrl(url))}' must start with redis:// or rediss:// (TLS), not ${echo(u.protocol)}//`,
    );
  }
  const port = u.port === '' ? 6379 : Number(u.port);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) {
    throw new ConfigError(`Redis URL '${echo(redactedUrl(url))}': the database after '/' must be a number`);
  }
  const secure = u.protocol === 'rediss:';
  if (tls.tlsCa && !secure) {
    throw new ConfigError('tls-ca is given but the Redis URL is redis://; use rediss:// for TLS');
  }
  let ca: Buffer | undefined;
  if (tls.tlsCa) {
    try {
      ca = readFileSync(tls.tlsCa);
    } catch (err) {
      throw new ConfigError(`cannot read the TLS CA file '${echo(tls.tlsCa)}': ${(err as Error).message}`);
    }
  }
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    db,
    ...(u.username && { username: decodeURIComponent(u.username) }),
    ...(u.password && { password: decodeURIComponent(u.password) }),
    ...(secure && { tls: { servername: u.hostname, ...(ca && { ca }) } }),
  };
}

/** The URL as it may be printed: its password replaced by `***`. */
export function redactedUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}

/** Where a connection goes, for messages: `HOST:PORT`, never the password. */
export function redisAddress(options: RedisOptions): string {
  return `${options.tls ? 'rediss' : 'redis'}://${options.host}:${options.port}`;
}
