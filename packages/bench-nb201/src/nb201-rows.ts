import type { CsvRow, CsvScan } from './csv-gz.js';
import { NB201_SIZE, nb201IndexOfKey, parseNb201Key } from './nb201-arch.js';

/** The column of the package's CSV files holding an architecture's canonical string. */
export const NB201_ARCH_COLUMN = 'ArchitectureString';

/**
 * Visits every row of a CSV keyed by NAS-Bench-201 architecture with the `nb201Index` of its
 * `ArchitectureString` (at column `arch`), after checking that string is canonical and not
 * repeated (`damaged` naming the line otherwise). Returns the number of rows: with no repeats
 * and only valid strings, 15,625 means every architecture is present.
 */
export function scanNb201Rows(
  csv: CsvScan,
  damaged: (problem: string) => never,
  visit: (index: number, row: CsvRow, arch: number) => void,
): number {
  const arch = csv.column(NB201_ARCH_COLUMN);
  const lineOf = new Int32Array(NB201_SIZE);
  let rows = 0;
  csv.rows((row) => {
    const index = nb201IndexOfKey(row.text, row.start(arch), row.end(arch));
    if (index < 0) {
      let reason = `'${row.field(arch)}' is not a NAS-Bench-201 architecture string`;
      try {
        parseNb201Key(row.field(arch));
      } catch (e) {
        reason = (e as Error).message;
      }
      damaged(`line ${row.line}: ${reason}`);
    }
    if (lineOf[index] !== 0)
      damaged(`line ${row.line} repeats '${row.field(arch)}' of line ${lineOf[index]}`);
    lineOf[index] = row.line;
    visit(index, row, arch);
    rows++;
  });
  return rows;
}
