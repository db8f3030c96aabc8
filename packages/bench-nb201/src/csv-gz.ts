import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * The text of the gzipped file `file`. `fail(problem, cause)` builds the error thrown when it is
 * missing, unreadable or not gzip; `problem` reads after the file's name ("is missing").
 */
export function readGzipText(file: string, fail: (problem: string, cause: unknown) => Error): string {
  let gz: Buffer;
  try {
    gz = readFileSync(file);
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw fail(missing ? 'is missing' : `cannot be read (${String(cause)})`, cause);
  }
  try {
    return gunzipSync(gz).toString('utf8');
  } catch (cause) {
    throw fail(`is not a valid gzip file (${(cause as Error).message})`, cause);
  }
}

/** The current row of {@link scanCsv}: its fields, read in place as offsets into the text. */
export interface CsvRow {
  /** The row's 1-based line number in the file (the header is line 1). */
  readonly line: number;
  /** The whole text; field `k` is `text.slice(start(k), end(k))`. */
  readonly text: string;
  start(k: number): number;
  end(k: number): number;
  field(k: number): string;
}

/** A CSV's header, and its rows one by one. */
export interface CsvScan {
  readonly header: readonly string[];
  /** The index of column `name`; `damaged` with "no 'name' column in its header" when it is absent. */
  column(name: string): number;
  /** Calls `visit` for every non-blank row, after checking it has as many fields as the header. */
  rows(visit: (row: CsvRow) => void): void;
}

/**
 * Reads the plain CSV the package ships (a header line, no quoting, no field with a comma):
 * a BOM, CRLF line ends and blank lines are tolerated, and a row with the wrong number of
 * fields is `damaged` naming its line. Fields are read in place by offsets: splitting 15,625
 * lines into arrays of strings took most of the load time.
 */
export function scanCsv(csv: string, damaged: (problem: string) => never): CsvScan {
  const text = csv.charCodeAt(0) === 0xfeff ? csv.slice(1) : csv;
  const headerEnd = text.indexOf('\n') < 0 ? text.length : text.indexOf('\n');
  const header = text.slice(0, headerEnd).replace(/\r$/, '').split(',');
  const fields = header.length;
  const starts = new Int32Array(fields);
  const ends = new Int32Array(fields);
  let line = 1;
  const row: CsvRow = {
    get line() {
      return line;
    },
    text,
    start: (k) => starts[k]!,
    end: (k) => ends[k]!,
    field: (k) => text.slice(starts[k], ends[k]),
  };
  return {
    header,
    column(name) {
      const i = header.indexOf(name);
      return i >= 0 ? i : damaged(`no '${name}' column in its header`);
    },
    rows(visit) {
      line = 1;
      for (let pos = headerEnd + 1; pos < text.length; ) {
        line++;
        let eol = text.indexOf('\n', pos);
        if (eol < 0) eol = text.length;
        const next = eol + 1;
        if (eol > pos && text.charCodeAt(eol - 1) === 0x0d) eol--;
        if (eol === pos) {
          pos = next;
          continue;
        }
        let c = 0;
        for (let at = pos; ; c++) {
          const comma = text.indexOf(',', at);
          const end = comma < 0 || comma > eol ? eol : comma;
          if (c < fields) {
            starts[c] = at;
            ends[c] = end;
          }
          if (end === eol) break;
          at = end + 1;
        }
        if (c + 1 !== fields) damaged(`line ${line} has ${c + 1} fields, expected ${fields}`);
        visit(row);
        pos = next;
      }
    },
  };
}
