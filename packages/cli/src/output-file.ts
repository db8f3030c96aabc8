import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, lstatSync, mkdirSync, readlinkSync, realpathSync, type Stats, statSync } from 'node:fs';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { locationScheme, OutputError } from '@archlab/core';

/** Where a command's output goes: stdout, or a file that appears whole or not at all. */
export interface OutputSink {
  write(text: string): Promise<void>;
  /** Makes the output final: a file's temporary copy is synced and renamed over the target. */
  commit(): Promise<void>;
  /** After a failure: removes the temporary copy; the target is left as it was. */
  discard(): Promise<void>;
}

/** The database and the files SQLite keeps next to it, which an output must never replace. */
const DATABASE_FILES = ['', '-wal', '-shm', '-journal'] as const;

/**
 * Throws OutputError when `out` names the database at `db` or one of its side files, however it
 * is named: relative or absolute, through `..`, a symbolic link (a dangling one too: writing
 * through it would create the -wal file), or a hard link. Side files need not exist yet.
 */
export function refuseDatabase(flag: string, out: string, db: string): void {
  // A server's URL names no local file to overwrite.
  if (locationScheme(db) !== undefined) return;
  const target = realTarget(out);
  const dbReal = realTarget(db);
  const outStat = statOrUndefined(out);
  for (const suffix of DATABASE_FILES) {
    const file = dbReal + suffix;
    const stat = outStat && statOrUndefined(file);
    const same =
      target === file || (stat !== undefined && stat.dev === outStat!.dev && stat.ino === outStat!.ino);
    if (same) {
      const what = suffix ? `the database's ${suffix} file` : `the database '${db}'`;
      throw new OutputError(
        `${flag} '${out}' is ${what} (${file}): writing there would destroy the runs it holds; give another file`,
      );
    }
  }
}

/**
 * Opens `out` (stdout when undefined) for writing. A regular file is written as a temporary file
 * in the same folder and renamed over `out` by `commit`, so a failed or interrupted write leaves
 * what was there; a device or pipe (`/dev/null`, `/dev/stdout`) is written in place. Every I/O
 * error, here or later, is an OutputError with one line that names `flag`.
 */
export async function openOutput(flag: string, out: string | undefined): Promise<OutputSink> {
  if (out === undefined) return stdoutSink();
  const fail = (err: unknown) => outputError(flag, out, err);
  let stat: Stats | undefined;
  try {
    stat = statOrUndefined(out, true);
  } catch (err) {
    throw fail(err);
  }
  if (stat?.isDirectory()) throw fail(Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
  if (stat && !stat.isFile()) {
    const fh = await open(out, 'w').catch((err: unknown) => {
      throw fail(err);
    });
    return fileSink(fh, fail, () => fh.close());
  }
  // Through a link, the file it points to is replaced and the link stays.
  const target = realTarget(out);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(temp, 'wx', stat ? stat.mode & 0o7777 : 0o666).catch((err: unknown) => {
    throw fail(err);
  });
  return fileSink(
    fh,
    fail,
    async () => {
      await fh.sync();
      await fh.close();
      await rename(temp, target);
    },
    () => unlink(temp),
  );
}

/** Runs `fn` on `openOutput(flag, out)` and commits what it wrote; on failure, discards it and rethrows. */
export async function withOutput(
  flag: string,
  out: string | undefined,
  fn: (sink: OutputSink) => Promise<void>,
): Promise<void> {
  const sink = await openOutput(flag, out);
  try {
    await fn(sink);
    await sink.commit();
  } catch (err) {
    await sink.discard();
    throw err;
  }
}

/** Creates the folder `dir` (and its parents) for output; an OutputError naming `flag` if it cannot. */
export function makeOutputDir(flag: string, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new OutputError(`cannot write ${flag} '${dir}': it is a file, not a folder; give a folder name`);
    }
    throw outputError(flag, dir, err);
  }
}

function stdoutSink(): OutputSink {
  const out = process.stdout;
  return {
    async write(text) {
      if (!out.write(text)) await once(out, 'drain');
    },
    async commit() {},
    async discard() {},
  };
}

/** Writes in chunks of about 1 MiB; `finish` runs after the last chunk, `cleanup` after a failure. */
function fileSink(
  fh: FileHandle,
  fail: (err: unknown) => OutputError,
  finish: () => Promise<void>,
  cleanup: () => Promise<void> = async () => {},
): OutputSink {
  let pending: string[] = [];
  let size = 0;
  const flush = async () => {
    const text = pending.join('');
    pending = [];
    size = 0;
    if (text) await fh.write(text);
  };
  const guarded = async (step: () => Promise<void>) => {
    try {
      await step();
    } catch (err) {
      throw fail(err);
    }
  };
  return {
    async write(text) {
      pending.push(text);
      size += text.length;
      if (size >= 1 << 20) await guarded(flush);
    },
    async commit() {
      await guarded(async () => {
        await flush();
        await finish();
      });
    },
    async discard() {
      await fh.close().catch(() => {});
      await cleanup().catch(() => {});
    },
  };
}

const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EISDIR: 'it is a directory; give a file name',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  EFBIG: 'the file is too large for the file system',
  EIO: 'an I/O error on the device',
};

function outputError(flag: string, out: string, err: unknown): OutputError {
  if (err instanceof OutputError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  let reason = REASONS[code] ?? (err as Error).message;
  if (code === 'ENOENT') {
    const folder = dirname(out);
    reason = existsSync(folder)
      ? `no file can be created in folder '${folder}'`
      : `folder '${folder}' does not exist`;
  }
  if (code === 'ENOTDIR') {
    let d = dirname(out);
    while (dirname(d) !== d && !existsSync(d)) d = dirname(d);
    reason = `'${d}' is not a folder`;
  }
  return new OutputError(`cannot write ${flag} '${out}': ${reason}`, { cause: err });
}

/** stat following links; undefined for a path that does not exist (`strict`: only then). */
function statOrUndefined(path: string, strict = false): Stats | undefined {
  try {
    return statSync(path);
  } catch (err) {
    if (!strict || (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The real path `path` names or would name once created: links (dangling ones too) and `..` resolved. */
function realTarget(path: string, depth = 0): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    // Missing, or a dangling link.
  }
  if (depth < 40) {
    try {
      if (lstatSync(abs).isSymbolicLink())
        return realTarget(resolve(dirname(abs), readlinkSync(abs)), depth + 1);
    } catch {
      // Not there at all.
    }
  }
  const parent = dirname(abs);
  return parent === abs ? abs : join(realTarget(parent, depth + 1), basename(abs));
}
