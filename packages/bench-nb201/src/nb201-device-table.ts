import { fileURLToPath } from 'node:url';
import {
  type DeviceColumn,
  type DeviceLatencyTable,
  type DeviceLatencyTableSource,
  UnknownDeviceError,
} from '@archlab/core';
import { readGzipText, scanCsv } from './csv-gz.js';
import { enumerateNb201, NB201_SIZE, nb201IndexOfKey, nb201Key } from './nb201-arch.js';
import { scanNb201Rows } from './nb201-rows.js';
import { Nb201DataError } from './nb201-table.js';

const HWNB = 'HW-NAS-Bench (Li et al., ICLR 2021), CIFAR-10 network';
const HELP = 'HELP (Lee et al., NeurIPS 2021)';

/** A device of the file: the column it is read from, and what the user sees. */
interface Nb201DeviceSpec extends DeviceColumn {
  readonly csvColumn: string;
}

const hwnb = (name: string, what: string): Nb201DeviceSpec => ({
  name,
  hardware: name,
  batch: 1,
  description: `${what}, batch 1; ${HWNB}`,
  csvColumn: `hwnb_cifar10_${name}_latency_ms`,
});
const help = (
  hardware: string,
  batch: number,
  what: string,
  name = `${hardware}_${batch}`,
): Nb201DeviceSpec => ({
  name,
  hardware,
  batch,
  description: `${what}, batch ${batch}; ${HELP}`,
  csvColumn: `help_${name}_latency_ms`,
});
const gpu = (hardware: string, what: string, batches: readonly number[]) =>
  batches.map((b) => help(hardware, b, `${what} GPU`));

const SPECS: readonly Nb201DeviceSpec[] = [
  hwnb('pixel3', 'Google Pixel 3 phone'),
  hwnb('eyeriss', 'Eyeriss ASIC accelerator'),
  hwnb('fpga', 'FPGA accelerator'),
  ...gpu('1080ti', 'NVIDIA GeForce GTX 1080 Ti', [1, 32, 256]),
  ...gpu('2080ti', 'NVIDIA GeForce RTX 2080 Ti', [1, 32, 256]),
  ...gpu('titanx', 'NVIDIA GeForce GTX Titan X', [1, 32, 256]),
  ...gpu('titanxp', 'NVIDIA Titan Xp', [1, 32, 256]),
  ...gpu('titan_rtx', 'NVIDIA Titan RTX', [1, 256]),
  help('gold_6226', 1, 'Intel Xeon Gold 6226 server CPU', 'gold_6226'),
  help('silver_4114', 1, 'Intel Xeon Silver 4114 server CPU', 'silver_4114'),
  help('samsung_a50', 1, 'Samsung Galaxy A50 phone', 'samsung_a50'),
  help('essential_ph_1', 1, 'Essential PH-1 phone', 'essential_ph_1'),
];

/** The 21 devices of the vendored NB201 latency table, in the file's column order. */
export const NB201_DEVICES: readonly DeviceColumn[] = SPECS.map(({ csvColumn: _, ...d }) => d);

/** Where the package keeps the device latency table; the same relative path from src/ and dist/. */
export const NB201_DEVICE_TABLE_FILE = fileURLToPath(
  new URL('../data/nb201-devices.csv.gz', import.meta.url),
);

export const NB201_DEVICE_SOURCE =
  'HW-NAS-Bench (Li et al., ICLR 2021; github.com/GATECH-EIC/HW-NAS-Bench, MIT) and HELP (Lee et al., NeurIPS 2021; github.com/HayeonLee/HELP, MIT)';

const TABLE = 'NAS-Bench-201 device latency table';

/** The latencies of all 15,625 cells, in `enumerateNb201()` order (so a key's row is its `nb201Index`). */
class Nb201DeviceTable implements DeviceLatencyTable {
  readonly space = 'nb201';
  readonly source = NB201_DEVICE_SOURCE;
  readonly devices = NB201_DEVICES;

  constructor(
    readonly keys: readonly string[],
    private readonly columns: ReadonlyMap<string, Float64Array>,
  ) {}

  indexOf(key: string): number | undefined {
    const i = nb201IndexOfKey(key);
    return i < 0 ? undefined : i;
  }

  /** A copy, so a caller that writes into it does not change the table others read. */
  column(device: string): Float64Array {
    const column = this.columns.get(device);
    if (!column)
      throw new UnknownDeviceError(
        this.space,
        device,
        NB201_DEVICES.map((d) => d.name),
      );
    return column.slice();
  }
}

/**
 * Parses the CSV text of the device table: an `ArchitectureString` column and one
 * `*_latency_ms` column per device of {@link NB201_DEVICES}, found by header name (other
 * columns, like `arch_index`, are ignored). A missing column, a short row, a value that is not
 * a positive finite number of milliseconds, an unknown or repeated architecture, or a row count
 * other than 15,625 is an Nb201DataError naming the line and column.
 */
export function parseNb201DeviceCsv(csv: string, file = '(csv text)'): DeviceLatencyTable {
  const damaged = (problem: string): never => {
    throw new Nb201DataError(file, `is damaged: ${problem}`, { table: TABLE });
  };
  const scan = scanCsv(csv, damaged);
  const at = SPECS.map((d) => scan.column(d.csvColumn));
  const values = SPECS.map(() => new Float64Array(NB201_SIZE));
  const rows = scanNb201Rows(scan, damaged, (index, row) => {
    for (let d = 0; d < at.length; d++) {
      const k = at[d]!;
      const v = row.end(k) > row.start(k) ? Number(row.field(k)) : Number.NaN;
      if (!(Number.isFinite(v) && v > 0)) {
        damaged(`line ${row.line}: ${scan.header[k]} '${row.field(k)}' is not a positive finite latency`);
      }
      values[d]![index] = v;
    }
  });
  if (rows !== NB201_SIZE) damaged(`it has ${rows} rows, expected ${NB201_SIZE}`);
  return new Nb201DeviceTable(
    enumerateNb201().map(nb201Key),
    new Map(SPECS.map((d, i) => [d.name, values[i]!])),
  );
}

/** Reads and checks a gzipped device table (not cached); Nb201DataError when it is missing or damaged. */
export function readNb201DeviceTable(file: string): DeviceLatencyTable {
  return parseNb201DeviceCsv(
    readGzipText(file, (problem, cause) => new Nb201DataError(file, problem, { cause, table: TABLE })),
    file,
  );
}

let cached: DeviceLatencyTable | undefined;

/**
 * The `nb201` space's device table, as a contribution: binding it reads nothing; the file is
 * read and checked on the first `load()` and kept for the life of the process.
 */
export const nb201DeviceTableSource: DeviceLatencyTableSource = {
  space: 'nb201',
  devices: NB201_DEVICES,
  load() {
    cached ??= readNb201DeviceTable(NB201_DEVICE_TABLE_FILE);
    return cached;
  },
};
