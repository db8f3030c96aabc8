import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith } from '@archlab/core/testing';
import {
  type PrivatePostgres,
  postgresRequirement,
  startPrivatePostgres,
} from '@archlab/storage-postgres/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BIN, tempDir } from './cli-harness.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const HEADING = '\n### The log on PostgreSQL\n';
const PASSWORD_LINE = "export PGPASSWORD='the password you chose'";
const DB_LINE = 'DB=postgres://archlab@localhost:5432/archlab';

/** The sh block of the section that a user runs on any machine: the one that sets DB. */
function usageBlock(): string {
  const section = README.slice(README.indexOf(HEADING), README.indexOf('\n## ', README.indexOf(HEADING) + 1));
  const block = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((b) => b.includes(DB_LINE));
  if (!block) throw new Error(`README's "The log on PostgreSQL" has no sh block with '${DB_LINE}'`);
  return block;
}

describeWith(postgresRequirement(), "README's PostgreSQL commands", () => {
  let server: PrivatePostgres;
  beforeAll(async () => {
    server = await startPrivatePostgres();
  }, 60_000);
  afterAll(() => server?.stop());

  it('run as pasted, against a server whose user and database are archlab', () => {
    const block = usageBlock();
    expect(block).toContain(PASSWORD_LINE);
    // The private server is on a random port and has its own password; nothing else changes.
    const script = block
      .replace(PASSWORD_LINE, `export PGPASSWORD='${server.password}'`)
      .replace(DB_LINE, `DB=postgres://archlab@127.0.0.1:${server.port}/archlab`);
    const dir = tempDir();
    const r = spawnSync(
      'bash',
      ['-euo', 'pipefail', '-c', `archlab() { "${process.execPath}" "${BIN}" "$@"; }\n${script}`],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^verified: run pg-demo, \d+ events, 300 trials; hash chain intact/m);
    expect(r.stdout).toMatch(/^pg-demo +\S+ \S+ +random +nb201\/nb201:cifar10 +300\/300 +completed/m);
    expect(readFileSync(join(dir, 'pg-demo.csv'), 'utf8').trim().split('\n')).toHaveLength(301);
  });
});
