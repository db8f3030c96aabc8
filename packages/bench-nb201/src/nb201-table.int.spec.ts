import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { enumerateNb201, nb201Key } from './nb201-arch.js';
import { nb201Space } from './nb201-space.js';
import {
  NB201_TABLE_FILE,
  Nb201DataError,
  nb201Table,
  parseNb201Csv,
  readNb201Table,
} from './nb201-table.js';

const EXAMPLE =
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
const round2 = (x: number) => Math.round(x * 100) / 100;

describe('the vendored NAS-Bench-201 table', () => {
  it('loads quickly and once per process', () => {
    const t0 = performance.now();
    const fresh = readNb201Table(NB201_TABLE_FILE);
    const ms = performance.now() - t0;
    console.info(`nb201 table: read and checked in ${ms.toFixed(0)} ms`);
    expect(fresh.size).toBe(15_625);
    // The target is < 300 ms on a developer machine; the bound leaves room for a loaded CI runner.
    expect(ms).toBeLessThan(1500);
    expect(nb201Table()).toBe(nb201Table());
  });

  it('has 15,625 distinct architectures and 6,466 isomorphism classes', () => {
    const table = nb201Table();
    expect(table.rows.size).toBe(15_625);
    expect(new Set([...table.rows.values()].map((r) => r.isoKey)).size).toBe(6_466);
  });

  it('has a row for every architecture of the space, under its key', () => {
    const table = nb201Table();
    const missing = enumerateNb201().filter(
      (arch) => table.get(nb201Key(arch)) !== table.record(arch) || !table.record(arch),
    );
    expect(missing).toEqual([]);
    // an out-of-range op must not alias another cell's row
    expect(table.record([0, 0, 0, 0, 0, 7])).toBeUndefined();
    expect(table.record([0, 0, 0, 0, 0, 0.5])).toBeUndefined();
    expect([...table.rows.keys()].slice(0, 2)).toEqual(enumerateNb201().slice(0, 2).map(nb201Key));
  });

  it('has the known best accuracies', () => {
    const rows = [...nb201Table().rows.values()];
    const best = (f: (r: (typeof rows)[number]) => number) => round2(Math.max(...rows.map(f)));
    expect(best((r) => r.cifar10)).toBe(94.37);
    expect(best((r) => r.cifar100)).toBe(73.51);
    expect(best((r) => r.imagenet16_120)).toBe(47.31);
  });

  it('has the figures of a known row, exactly', () => {
    const r = nb201Table().get(EXAMPLE)!;
    expect(r.cifar10).toBe(93.66000000000001);
    expect(r.cifar100).toBe(70.29333326822916);
    expect(r.imagenet16_120).toBe(44.03333332316081);
    expect(r.isoKey).toBe(
      '((0)@nor_conv_3x3)@avg_pool_3x3+(0)@nor_conv_3x3+((0)@nor_conv_3x3)@nor_conv_3x3+0',
    );
  });

  it('backs the space isomorphism key: equal classes, and a cell with dead edges shares one', () => {
    const keys = new Set(enumerateNb201().map((a) => nb201Space.isomorphismKey!(a)));
    expect(keys.size).toBe(6_466);
    // node 3 fed only by a skip from the input: everything else is dead, so the ops elsewhere do not matter
    expect(nb201Space.isomorphismKey!([3, 3, 3, 1, 0, 0])).toBe(
      nb201Space.isomorphismKey!([4, 2, 1, 1, 0, 0]),
    );
  });
});

describe('a missing or damaged table', () => {
  const csv = gunzipSync(readFileSync(NB201_TABLE_FILE)).toString('utf8');
  const dir = mkdtempSync(join(tmpdir(), 'nb201-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, bytes: Uint8Array) => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return file;
  };
  const lines = csv.split('\n');

  it('says the file is missing and how to fix it', () => {
    const file = join(dir, 'nope.csv.gz');
    expect(() => readNb201Table(file)).toThrow(Nb201DataError);
    expect(() => readNb201Table(file)).toThrow(/nope\.csv\.gz is missing; reinstall @archlab\/bench-nb201/);
  });

  it('says a truncated or corrupt gzip is not valid', () => {
    const gz = readFileSync(NB201_TABLE_FILE);
    expect(() => readNb201Table(write('cut.csv.gz', gz.subarray(0, gz.length >> 1)))).toThrow(
      /is not a valid gzip file/,
    );
    const flipped = Buffer.from(gz);
    flipped[flipped.length >> 1]! ^= 0xff;
    expect(() => readNb201Table(write('flip.csv.gz', flipped))).toThrow(Nb201DataError);
  });

  it('counts the rows', () => {
    const short = lines
      .filter((l) => l !== '')
      .slice(0, -100)
      .join('\n');
    expect(() => readNb201Table(write('short.csv.gz', gzipSync(short)))).toThrow(
      /has 15525 rows, expected 15625/,
    );
  });

  it('names the line of a bad row', () => {
    const damaged = (edit: (ls: string[]) => void) => {
      const ls = [...lines];
      edit(ls);
      return () => parseNb201Csv(ls.join('\n'), 'x.csv');
    };
    expect(damaged((ls) => (ls[5] = ls[5]!.replace(/^[^,]*/, 'abc')))).toThrow(
      /line 6: CIFAR10TestAccuracy200Epochs 'abc' is not an accuracy/,
    );
    expect(damaged((ls) => (ls[5] = ls[5]!.replace(/^[^,]*/, '')))).toThrow(
      /line 6: .* '' is not an accuracy/,
    );
    expect(damaged((ls) => (ls[5] = ls[5]!.replace(/^[^,]*/, '101')))).toThrow(
      /not an accuracy in \[0, 100\]/,
    );
    expect(damaged((ls) => (ls[7] = ls[7]!.replace('~0|', '~1|')))).toThrow(
      /line 8: .*must come from node 0/,
    );
    expect(damaged((ls) => (ls[9] = ls[3]!))).toThrow(/line 10 repeats .* of line 4/);
    expect(damaged((ls) => (ls[2] = ls[2]!.split(',').slice(0, 4).join(',')))).toThrow(
      /line 3 has 4 fields, expected 5/,
    );
    expect(damaged((ls) => (ls[2] = `${ls[2]},extra`))).toThrow(/line 3 has 6 fields, expected 5/);
    expect(damaged((ls) => (ls[0] = ls[0]!.replace('UniqueString', 'Iso')))).toThrow(
      /no 'UniqueString' column/,
    );
    expect(damaged((ls) => (ls[4] = ls[4]!.replace(/,[^,]*$/, ',')))).toThrow(
      /line 5 has an empty UniqueString/,
    );
    expect(() => parseNb201Csv('', 'x.csv')).toThrow(/no 'CIFAR10TestAccuracy200Epochs' column/);
  });

  it('reads a file with CRLF line ends, a BOM, blank lines and its columns in another order', () => {
    const rows = lines.filter((l) => l !== '').map((l) => l.split(','));
    const swapped = rows.map((f) => [f[3], f[4], f[2], f[0], f[1]].join(','));
    const text = `\uFEFF${swapped[0]}\r\n\r\n${swapped.slice(1).join('\r\n')}\r\n\r\n`;
    const table = parseNb201Csv(text);
    expect(table.get(EXAMPLE)?.cifar10).toBe(93.66000000000001);
    expect(table.get(EXAMPLE)?.imagenet16_120).toBe(44.03333332316081);
  });

  it('is an ArchlabError with a code, for the CLI to print', () => {
    const err = new Nb201DataError('f', 'is missing');
    expect(err.code).toBe('NB201_DATA');
    expect(err.message).not.toContain('\n');
  });
});
