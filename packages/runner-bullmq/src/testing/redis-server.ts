import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLocalPort, type Requirement } from '@archlab/core/testing';

/** Debian's `redis-server`, which the Redis tests start privately (scripts/install-test-deps.sh installs it). */
export function redisServerRequirement(): Requirement {
  const present = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  return {
    what: 'redis-server (Debian package redis-server)',
    present,
    howTo: 'apt-get install -y redis-server (or run scripts/install-test-deps.sh as root)',
  };
}

/** A private Redis: its own folder, a random 127.0.0.1 port, nothing saved to disk. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Kills the server (SIGKILL: as a crash would) and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` on a free port bound to 127.0.0.1 only, in a temp folder, without
 * persistence (`--save '' --appendonly no`), and resolves once it answers. Stop it when done.
 */
export async function startRedisServer(opts: { password?: string } = {}): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'archlab-redis-'));
  const port = await freeLocalPort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  if (opts.password) args.push('--requirepass', opts.password);
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, child);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`redis-server did not start: ${(err as Error).message} ${stderr}`);
  }
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
      s.connect(port, '127.0.0.1');
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing answered on 127.0.0.1:${port} within ${timeoutMs} ms`);
}
