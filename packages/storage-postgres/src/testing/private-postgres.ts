import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeLocalPort, type Requirement } from '@archlab/core/testing';

/**
 * The PostgreSQL server binaries of Debian's `postgresql` package (the newest version under
 * /usr/lib/postgresql), or of ARCHLAB_PG_BIN; undefined when there are none.
 */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env.ARCHLAB_PG_BIN
    ? [env.ARCHLAB_PG_BIN]
    : (existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [])
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join('/usr/lib/postgresql', v, 'bin'));
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres')));
}

const isRoot = () => process.getuid?.() === 0;

/** What the tests that start a private server need; `describeWith` fails them on CI without it. */
export function postgresRequirement(): Requirement {
  const bin = postgresBinDir();
  // PostgreSQL refuses to run as root: as root the server runs as the package's `postgres` user.
  const asUser = !isRoot() || uidOf('postgres') !== undefined;
  return {
    what: 'the PostgreSQL server (initdb and postgres under /usr/lib/postgresql/*/bin)',
    present: bin !== undefined && asUser,
    howTo: 'apt-get install -y postgresql (or run scripts/install-test-deps.sh)',
  };
}

/** What the TLS tests need besides the server: `openssl`, which makes their certificates. */
export function postgresTlsRequirement(): Requirement {
  const server = postgresRequirement();
  const openssl = spawnSync('openssl', ['version']).status === 0;
  return {
    what: `${server.what} and openssl`,
    present: server.present && openssl,
    howTo: 'apt-get install -y postgresql openssl (or run scripts/install-test-deps.sh)',
  };
}

export interface PrivatePostgres {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** With `tls`: the PEM file of the certificate authority that signed the server's certificate (for 127.0.0.1). */
  readonly caFile?: string;
  /** `postgres://USER:PASSWORD@127.0.0.1:PORT/DATABASE` (default database `archlab`). */
  url(database?: string, password?: string): string;
  /** Makes a new, empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs SQL as the superuser in `database`: for tests that damage rows or look behind the store. */
  sql(database: string, text: string, values?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Shuts the server down (a fast shutdown, then SIGKILL), keeping its data: the server is down. */
  shutdown(): Promise<void>;
  /** Starts it again on the same port and data, after `shutdown` (or shutting it down first). */
  restart(): Promise<void>;
  /** Stops the server and deletes its folder. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a PostgreSQL server of its own: `initdb` into a temporary folder, then `postgres` on a
 * random port of 127.0.0.1 (and a Unix socket in that folder), with password (SCRAM) logins
 * over TCP. No system service is used. As root, it runs as the `postgres` user in a folder that
 * user owns. The server is its own process group, killed when this process exits, so a crashed
 * test leaves no server behind; call `stop` in `afterAll`.
 */
export async function startPrivatePostgres(options: { tls?: boolean } = {}): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`no PostgreSQL server binaries: ${postgresRequirement().howTo}`);
  const dir = mkdtempSync(join(tmpdir(), 'archlab-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  mkdirSync(sock);
  const user = 'archlab';
  const password = randomBytes(12).toString('hex');
  writeFileSync(join(dir, 'pwfile'), `${password}\n`);
  const postgresUid = isRoot() ? uidOf('postgres') : undefined;
  if (isRoot()) {
    if (postgresUid === undefined)
      throw new Error('running as root, and there is no postgres user to run the server as');
    for (const p of [dir, sock, join(dir, 'pwfile')]) chownSync(p, postgresUid.uid, postgresUid.gid);
  }
  const as = (cmd: string, args: string[]): [string, string[]] =>
    isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];

  try {
    const [initCmd, initArgs] = as(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      user,
      `--pwfile=${join(dir, 'pwfile')}`,
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '--no-sync',
      '--encoding=UTF8',
      '--locale=C',
    ]);
    execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${String((err as { stderr?: Buffer }).stderr ?? err)}`);
  }

  const tlsArgs: string[] = [];
  if (options.tls) {
    try {
      makeCertificates(dir);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `openssl could not make the test certificates: ${String((err as { stderr?: Buffer }).stderr ?? err)}`,
      );
    }
    if (postgresUid) {
      for (const f of ['server.crt', 'server.key']) chownSync(join(dir, f), postgresUid.uid, postgresUid.gid);
    }
    tlsArgs.push(
      '-c',
      'ssl=on',
      '-c',
      `ssl_cert_file=${join(dir, 'server.crt')}`,
      '-c',
      `ssl_key_file=${join(dir, 'server.key')}`,
    );
  }

  /** Starts `postgres` on `fixedPort`, or on a free port (retrying if another process takes it). */
  const launch = async (fixedPort?: number): Promise<{ child: ChildProcess; port: number }> => {
    let log = '';
    for (let attempt = 0; attempt < (fixedPort ? 1 : 5); attempt++) {
      const port = fixedPort ?? (await freeLocalPort());
      const [cmd, args] = as(join(bin, 'postgres'), [
        '-D',
        data,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-k',
        sock,
        '-c',
        'fsync=on',
        '-c',
        'synchronous_commit=on',
        ...tlsArgs,
      ]);
      const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
      log = '';
      child.stderr!.on('data', (d: Buffer) => {
        log += String(d);
      });
      const ready = await new Promise<boolean>((resolve) => {
        const timer = setInterval(() => {
          if (log.includes('ready to accept connections')) done(true);
        }, 25);
        const giveUp = setTimeout(() => done(log.includes('ready to accept connections')), 30_000);
        const done = (ok: boolean) => {
          clearInterval(timer);
          clearTimeout(giveUp);
          resolve(ok);
        };
        child.once('exit', () => done(false));
      });
      if (ready) return { child, port };
      killGroup(child, 'SIGKILL');
    }
    throw new Error(`postgres did not start: ${log.trim().split('\n').slice(-3).join(' | ')}`);
  };

  let server: { child: ChildProcess; port: number };
  try {
    server = await launch();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const { port } = server;
  const onExit = () => {
    killGroup(server.child, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  /** A fast shutdown (SIGINT: clients are disconnected, not waited for), then SIGKILL after 10 s. */
  const shutdown = async () => {
    const { child } = server;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    killGroup(child, 'SIGINT');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const url = (database = 'archlab', pw = password) =>
    `postgres://${user}:${encodeURIComponent(pw)}@127.0.0.1:${port}/${database}`;
  const sql = async (database: string, text: string, values?: unknown[]) => {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  // initdb made the databases postgres, template0 and template1; the default URL names `archlab`.
  await sql('postgres', 'CREATE DATABASE archlab');

  let stopped: Promise<void> | undefined;
  return {
    port,
    user,
    password,
    ...(options.tls && { caFile: join(dir, 'ca.pem') }),
    url,
    createDatabase: async (name) => {
      await sql('postgres', `CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      return url(name);
    },
    sql,
    shutdown,
    restart: async () => {
      await shutdown();
      server = await launch(port);
    },
    stop: () => {
      stopped ??= (async () => {
        await shutdown();
        process.off('exit', onExit);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

/** A certificate authority and a server certificate for 127.0.0.1 it signed, in `dir`; the key readable by its owner only. */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = ['-newkey', 'rsa:2048', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...key,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=archlab test CA',
  );
  openssl('req', ...key, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  chmodSync(join(dir, 'server.key'), 0o600);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // Already gone.
  }
}

function uidOf(name: string): { uid: number; gid: number } | undefined {
  try {
    const [uid, gid] = ['-u', '-g'].map((flag) =>
      Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim()),
    );
    return { uid: uid!, gid: gid! };
  } catch {
    return undefined;
  }
}
