import { fileURLToPath } from 'node:url';
import { DataError } from '@archlab/core';
import { readGzipText, scanCsv } from './csv-gz.js';
import {
  enumerateNb201,
  isNb201Arch,
  NB201_SIZE,
  type Nb201Arch,
  nb201Index,
  nb201Key,
} from './nb201-arch.js';
import { scanNb201Rows } from './nb201-rows.js';

/** One architecture's row: test accuracy (%) after 200 epochs on each data set, and its isomorphism class. */
export interface Nb201Record {
  readonly cifar10: number;
  readonly cifar100: number;
  readonly imagenet16_120: number;
  /** The table's UniqueString: equal for cells that compute the same function. */
  readonly isoKey: string;
}

export type Nb201Dataset = 'cifar10' | 'cifar100' | 'imagenet16_120';

/** A vendored NAS-Bench-201 table (accuracies, or device latencies) is missing or damaged. */
export class Nb201DataError extends DataError {
  override readonly code = 'NB201_DATA';
  constructor(
    readonly file: string,
    readonly problem: string,
    options?: { cause?: unknown; table?: string },
  ) {
    super(
      `the ${options?.table ?? 'NAS-Bench-201 table'} ${file} ${problem}; reinstall @archlab/bench-nb201 to restore it (it ships in the package's data/ folder)`,
      options,
    );
  }
}

/**
 * The whole benchmark, immutable: every one of the 15,625 architectures has exactly one
 * record (the loader refuses a file where that is not so).
 */
export class Nb201Table {
  /** Canonical architecture string → record, in `enumerateNb201()` order. */
  readonly rows: ReadonlyMap<string, Nb201Record>;

  /**
   * @param byIndex one record per architecture, indexed by `nb201Index`
   * @param keys the canonical string of each index (the parser passes the file's own strings, which are cheaper to hash than built ones)
   */
  constructor(
    private readonly byIndex: readonly Nb201Record[],
    keys: readonly string[] = enumerateNb201().map(nb201Key),
  ) {
    if (byIndex.length !== NB201_SIZE || keys.length !== NB201_SIZE) {
      throw new RangeError(`an Nb201Table needs ${NB201_SIZE} records and keys`);
    }
    const rows = new Map<string, Nb201Record>();
    for (let i = 0; i < NB201_SIZE; i++) rows.set(keys[i]!, byIndex[i]!);
    this.rows = rows;
  }

  get size(): number {
    return this.rows.size;
  }

  /** The highest test accuracy on `dataset` over the whole table. */
  best(dataset: Nb201Dataset): number {
    let best = Number.NEGATIVE_INFINITY;
    for (const r of this.byIndex) if (r[dataset] > best) best = r[dataset];
    return best;
  }

  /** The record of an architecture by its canonical string. */
  get(key: string): Nb201Record | undefined {
    return this.rows.get(key);
  }

  /**
   * The record of an architecture, or undefined when `arch` is not 6 op indices in [0, 5)
   * (checked, since an out-of-range op would otherwise index some other cell's row). No string
   * is built: this is the estimator's hot path.
   */
  record(arch: Nb201Arch): Nb201Record | undefined {
    return isNb201Arch(arch) ? this.byIndex[nb201Index(arch)] : undefined;
  }
}

const COLUMNS = {
  cifar10: 'CIFAR10TestAccuracy200Epochs',
  cifar100: 'CIFAR100TestAccuracy200Epochs',
  imagenet16_120: 'ImageNetTestAccuracy200Epochs',
  isoKey: 'UniqueString',
} as const;

/** Where the package keeps the table; the same relative path from src/ and dist/. */
export const NB201_TABLE_FILE = fileURLToPath(new URL('../data/nb201.csv.gz', import.meta.url));

let cached: Nb201Table | undefined;

/** The package's table, read on first use and kept for the life of the process. */
export function nb201Table(): Nb201Table {
  cached ??= readNb201Table(NB201_TABLE_FILE);
  return cached;
}

/** Reads and checks a gzipped table (not cached); Nb201DataError when it is missing or damaged. */
export function readNb201Table(file: string): Nb201Table {
  return parseNb201Csv(
    readGzipText(file, (problem, cause) => new Nb201DataError(file, problem, { cause })),
    file,
  );
}

/**
 * Parses the CSV text of the table. Columns are found by header name, so their order does not
 * matter; CRLF line ends, a BOM and blank lines are tolerated. Anything else that is off (a
 * missing column, a short row, a non-numeric or out-of-range accuracy, an unknown or repeated
 * architecture, a row count other than 15,625) is an Nb201DataError naming the line.
 */
export function parseNb201Csv(csv: string, file = '(csv text)'): Nb201Table {
  const damaged = (problem: string): never => {
    throw new Nb201DataError(file, `is damaged: ${problem}`);
  };
  const csvScan = scanCsv(csv, damaged);
  const { header } = csvScan;
  const cifar10 = csvScan.column(COLUMNS.cifar10);
  const cifar100 = csvScan.column(COLUMNS.cifar100);
  const imagenet = csvScan.column(COLUMNS.imagenet16_120);
  const iso = csvScan.column(COLUMNS.isoKey);
  const byIndex: (Nb201Record | undefined)[] = new Array(NB201_SIZE).fill(undefined);
  const keys: string[] = new Array(NB201_SIZE).fill('');
  const rows = scanNb201Rows(csvScan, damaged, (index, row, arch) => {
    const accuracy = (k: number): number => {
      const v = row.end(k) > row.start(k) ? Number(row.field(k)) : Number.NaN;
      return Number.isFinite(v) && v >= 0 && v <= 100
        ? v
        : damaged(`line ${row.line}: ${header[k]} '${row.field(k)}' is not an accuracy in [0, 100]`);
    };
    if (row.end(iso) === row.start(iso)) damaged(`line ${row.line} has an empty ${COLUMNS.isoKey}`);
    byIndex[index] = {
      cifar10: accuracy(cifar10),
      cifar100: accuracy(cifar100),
      imagenet16_120: accuracy(imagenet),
      isoKey: row.field(iso),
    };
    keys[index] = row.field(arch);
  });
  // With no repeats and only valid strings, the full count means every architecture is present.
  if (rows !== NB201_SIZE) damaged(`it has ${rows} rows, expected ${NB201_SIZE}`);
  return new Nb201Table(byIndex as Nb201Record[], keys);
}
