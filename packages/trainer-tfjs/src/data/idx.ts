import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DataError } from '@archlab/core';

/** A decoded IDX file (the MNIST format): unsigned bytes with their dimensions. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const UBYTE = 0x08;
const gunzipAsync = promisify(gunzip);

/**
 * Parses an IDX file of unsigned bytes: magic `0 0 0x08 ndim`, `ndim` big-endian uint32 sizes,
 * then the data. `file` and `fix` go into the error: what is damaged and what to do about it.
 */
export function parseIdx(bytes: Uint8Array, file: string, fix: string): IdxArray {
  const fail = (what: string): never => {
    throw new DataError(`${file} is not a valid IDX file: ${what}; ${fix}`);
  };
  if (bytes.length < 4) fail(`only ${bytes.length} bytes, shorter than the 4-byte magic number`);
  const ndim = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== UBYTE || ndim === 0) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
    fail(`bad magic number 0x${magic} (expected 0x000008 then the number of dimensions)`);
  }
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) fail(`truncated header (${bytes.length} of ${headerBytes} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual < expected)
    fail(`truncated: header says ${dims.join('x')} = ${expected} bytes of data, found ${actual}`);
  if (actual > expected)
    fail(`header says ${dims.join('x')} = ${expected} bytes of data, found ${actual} (${actual - expected} extra)`);
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Reads an IDX file, gunzipping it when its name ends in `.gz`. */
export async function readIdx(path: string, fix: string): Promise<IdxArray> {
  let bytes: Uint8Array = await readFile(path);
  if (path.endsWith('.gz')) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (err) {
      throw new DataError(`${path} is not a valid gzip file (${(err as Error).message}); ${fix}`, {
        cause: err,
      });
    }
  }
  return parseIdx(bytes, path, fix);
}

/** Writes bytes as an IDX file (the inverse of `parseIdx`): for slices of a data set and test fixtures. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
