import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputError } from '@archlab/core';

/**
 * Refuses `--out` before any work: an existing file unless `force`, a folder, or the database
 * (or a file SQLite keeps beside it) whatever `force` says.
 */
export function checkOutput(out: string, force: boolean, db: string | undefined): void {
  const stat = existsSync(out) ? statSync(out) : undefined;
  if (stat?.isDirectory())
    throw new OutputError(`cannot write --out '${out}': it is a folder; give a file name`);
  if (db !== undefined && existsSync(db)) {
    const dbReal = realpathSync(db);
    const outReal = stat ? realpathSync(out) : join(realpathOr(dirname(resolve(out))), basename(out));
    if (['', '-wal', '-shm', '-journal'].some((s) => outReal === dbReal + s)) {
      throw new OutputError(`--out '${out}' is the database '${db}' or one of its files; give another file`);
    }
  }
  if (stat && !force)
    throw new OutputError(`--out '${out}' exists; give --force to replace it, or another file`);
}

function realpathOr(dir: string): string {
  return existsSync(dir) ? realpathSync(dir) : dir;
}

/**
 * Writes `bytes` to `out` whole or not at all: a temporary file in the same folder, synced, then
 * renamed over `out`. Any I/O error is an OutputError and leaves what was at `out`.
 */
export async function writeModelFile(out: string, bytes: Uint8Array): Promise<void> {
  const temp = join(dirname(resolve(out)), `.${basename(out)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(temp, 'wx');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, out);
  } catch (err) {
    await unlink(temp).catch(() => {});
    const e = err as NodeJS.ErrnoException;
    throw new OutputError(
      `cannot write --out '${out}': ${e.code === 'ENOENT' ? `folder '${dirname(out)}' does not exist` : e.message}`,
      { cause: err },
    );
  }
}
