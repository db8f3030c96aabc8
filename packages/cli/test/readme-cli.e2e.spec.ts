import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { archlab, tempDir } from './cli-harness.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
/** The README's CLI reference: its opening paragraph and the table of commands. */
const REFERENCE = README.slice(
  README.indexOf('\n## CLI reference\n'),
  README.indexOf('A `<run>` may be any unique prefix of a run id.'),
);

describe("the README's CLI reference", () => {
  const dir = tempDir();
  const commands = [...archlab(dir, '--help').stdout.matchAll(/^ {2}([a-z-]+) \[options\]/gm)].map(
    (m) => m[1]!,
  );
  const help = (command: string) => archlab(dir, command, '--help').stdout;

  it('has a row for every command', () => {
    expect(commands.length).toBeGreaterThanOrEqual(12);
    const rows = [...REFERENCE.matchAll(/^\| `([a-z][a-z-]*)[ `]/gm)].map((m) => m[1]!);
    expect(rows.sort()).toEqual([...commands].sort());
  });

  it('says truly which commands take --db, --store and --json, and that every one takes --plugin', () => {
    const said = (list: string) => [...list.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!).sort();
    const storeCommands = said(/\(`search`, .*?\) take `--db FILE`/s.exec(REFERENCE)?.[0] ?? '');
    const alsoDb = said(
      /`eval`,? [^.]*? take\s+`--db FILE` too/s.exec(REFERENCE)?.[0].replace('`--db FILE`', '') ?? '',
    );
    const noJson = said(
      /Every command but .*? takes `--json`/s.exec(REFERENCE)?.[0].replace('`--json`', '') ?? '',
    );
    expect(storeCommands.length).toBeGreaterThan(0);
    for (const c of commands) {
      const h = help(c);
      expect(h, c).toMatch(/--plugin <package>/);
      expect(/--store <name>/.test(h), `${c} --store`).toBe(storeCommands.includes(c));
      expect(/--db <file>/.test(h), `${c} --db`).toBe(storeCommands.includes(c) || alsoDb.includes(c));
      expect(/--json/.test(h), `${c} --json`).toBe(!noJson.includes(c));
    }
  }, 120_000);
});
