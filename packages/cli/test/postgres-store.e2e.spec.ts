import { setTimeout as sleep } from 'node:timers/promises';
import { describeWith } from '@archlab/core/testing';
import {
  type PrivatePostgres,
  postgresRequirement,
  startPrivatePostgres,
} from '@archlab/storage-postgres/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  archlab,
  archlabAsync,
  archlabJson,
  exited,
  runStarted,
  serve,
  tempDir,
  trialsCsv,
} from './cli-harness.js';

const SEARCH = ['--space', 'nb201', '--estimator', 'nb201:cifar10', '--strategy', 'random', '--seed', '7'];
/** The run every test compares with the reference: 400 trials, run id `r`. */
const RUN = [...SEARCH, '--trials', '400', '--run-id', 'r'];

describeWith(postgresRequirement(), 'the log on PostgreSQL, through the CLI', () => {
  let server: PrivatePostgres;
  let dir: string;
  let url: string;
  let expected: string;
  let expectedBest: unknown;
  /** `--db URL --store-option schema=NAME`: each test writes a log of its own in the one database. */
  const at = (schema: string) => ['--db', url, '--store-option', `schema=${schema}`];
  const trialsCsvAt = (schema: string) => trialsCsv(dir, url, 'r', '--store-option', `schema=${schema}`);

  beforeAll(async () => {
    server = await startPrivatePostgres();
    url = server.url();
    dir = tempDir();
    // The reference: the same seeded search in a local SQLite file.
    expectedBest = archlabJson<{ best: unknown }>(dir, 'search', ...RUN, '--db', 'ref.db').best;
    expected = trialsCsv(dir, 'ref.db', 'r');
  }, 120_000);
  afterAll(() => server?.stop());

  it('searches into the server, then shows, exports and verifies the run as from SQLite', () => {
    // No --store: a postgres:// URL picks the postgres store.
    const out = archlab(dir, 'search', ...RUN, ...at('plain'), '--json');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout + out.stderr).not.toContain(server.password);
    expect((JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { best: unknown }).best).toEqual(
      expectedBest,
    );

    expect(trialsCsvAt('plain')).toBe(expected);
    const show = archlab(dir, 'show', 'r', ...at('plain'));
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('trials     400 (400 completed, 0 failed)');
    const verify = archlab(dir, 'replay', 'r', '--verify', ...at('plain'));
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/^verified: run r, \d+ events, 400 trials; hash chain intact/);
  });

  it('after kill -9 mid-run, resume ends with the same trials as the uninterrupted run', async () => {
    const child = archlabAsync(dir, 'search', ...RUN, ...at('killed'));
    const done = exited(child);
    await runStarted(child, 'r');
    await sleep(300);
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stderr).toContain(
      `run r started in postgres://archlab:***@127.0.0.1:${server.port}/archlab`,
    );
    expect(killed.stderr).not.toContain(server.password);
    const resumed = archlab(dir, 'resume', 'r', ...at('killed'));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(trialsCsvAt('killed')).toBe(expected);
    expect(archlab(dir, 'replay', 'r', '--verify', ...at('killed')).code).toBe(0);
  });

  it('lets other processes show and export the run while it writes', async () => {
    const child = archlabAsync(dir, 'search', ...SEARCH, '--trials', '3000', '--run-id', 'w', ...at('busy'));
    const done = exited(child);
    await runStarted(child, 'w');
    const seen: number[] = [];
    while (child.exitCode === null && seen.length < 5) {
      const show = archlab(dir, 'show', 'w', ...at('busy'), '--json');
      expect(show.code, show.stderr).toBe(0);
      seen.push((JSON.parse(show.stdout) as { trials: number }).trials);
      expect(archlab(dir, 'export', 'w', ...at('busy')).code).toBe(0);
    }
    const end = await done;
    expect(end.code, end.stderr).toBe(0);
    // The readers saw the run grow while the writer went on, and never stopped it.
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.some((n) => n > 0 && n < 3000)).toBe(true);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('says in one line, exit 2, what is wrong with a bad URL, a wrong password or a missing database', () => {
    const cases: [string, RegExp][] = [
      [
        server.url('archlab', 'wrong-password'),
        /^archlab: error: the PostgreSQL server at .* refused the login/,
      ],
      [server.url('nope'), /database "nope" does not exist; create it first/],
      [
        'postgres://archlab:secret@[127.0.0.1/archlab',
        /^archlab: error: cannot use postgres:\/\/\(unparseable URL\) as a PostgreSQL URL/,
      ],
      [
        `postgres://archlab:secret@127.0.0.1:1/archlab`,
        /^archlab: error: cannot reach the PostgreSQL server at postgres:\/\/archlab:\*\*\*@127\.0\.0\.1:1\/archlab/,
      ],
    ];
    for (const [db, message] of cases) {
      for (const args of [
        ['search', ...SEARCH, '--trials', '5'],
        ['show', 'r'],
      ]) {
        const r = archlab(dir, ...args, '--db', db);
        expect(r.code, `${args[0]} ${db}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).not.toContain('secret');
        expect(r.stderr).not.toContain('wrong-password');
      }
    }
    const sqlite = archlab(dir, 'show', 'r', '--store', 'sqlite', '--db', url);
    expect(sqlite.code).toBe(2);
    expect(sqlite.stderr).toBe(
      "archlab: error: store 'sqlite' does not take 'postgres://' URLs as --db; use --store postgres\n",
    );
  });

  it('serves the run from the server, read-only, printing the URL without its password', async () => {
    const served = await serve(dir, ...at('plain'));
    try {
      const index = await fetch(served.url);
      expect(index.status).toBe(200);
      const page = await fetch(`${served.url}runs/r`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('nb201');
    } finally {
      const { code, stderr } = await served.stop();
      expect(code).toBe(130);
      expect(stderr).toContain(`serving postgres://archlab:***@127.0.0.1:${server.port}/archlab`);
      expect(stderr).not.toContain(server.password);
    }
  });

  // Last: it takes the server down.
  it('a server gone mid-run stops the run in one line, exit 2; once it is back, resume finishes it exactly', async () => {
    const child = archlabAsync(dir, 'search', ...RUN, ...at('down'));
    const done = exited(child);
    await runStarted(child, 'r');
    await sleep(200);
    await server.shutdown();
    const end = await done;
    expect(end.code, end.stderr).toBe(2);
    const errors = end.stderr.split('\n').filter((l) => l.startsWith('archlab: error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^archlab: error: cannot reach the PostgreSQL server at postgres:\/\/archlab:\*\*\*@/,
    );
    expect(end.stderr).not.toContain(server.password);
    const down = archlab(dir, 'show', 'r', ...at('down'));
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/^archlab: error: cannot reach the PostgreSQL server/);

    await server.restart();
    const resumed = archlab(dir, 'resume', 'r', ...at('down'));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(trialsCsvAt('down')).toBe(expected);
    expect(archlab(dir, 'replay', 'r', '--verify', ...at('down')).code).toBe(0);
  });
});
