import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ConfigError, echo } from '@archlab/core';

/** Writes `text` to `path` whole or not at all (a temporary file beside it, renamed over it); `what` names it in errors. */
export function writeWhole(path: string, text: string, what: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new ConfigError(`cannot write ${what} ${path}: ${(err as Error).message}`);
  }
}

/**
 * `--out` of `command` may replace an older file of its own kind (`read` accepts it), and nothing
 * else: a mistyped path must not overwrite a run database or any other file after the work.
 */
export function refuseToReplace(
  command: string,
  out: string,
  what: string,
  read: (path: string) => unknown,
): void {
  if (!existsSync(out)) return;
  if (statSync(out).isDirectory())
    throw new ConfigError(`${command}: --out '${echo(out)}' is a folder; give a file`);
  try {
    read(out);
  } catch {
    throw new ConfigError(
      `${command}: --out '${echo(out)}' exists and is not ${what}; it is left as it is: give another file`,
    );
  }
}

/** The text of the file at `path` (`what` names it in errors): a ConfigError when it cannot be read. */
export function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

/**
 * The parsed JSON of the file at `path` (`what` names it in errors): a ConfigError when it
 * cannot be read, `notJson(path)` when it is not JSON.
 */
export function readJson(path: string, what: string, notJson: (path: string) => Error): unknown {
  const text = readText(path, what);
  try {
    return JSON.parse(text);
  } catch {
    throw notJson(path);
  }
}
