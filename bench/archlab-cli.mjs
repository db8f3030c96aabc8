import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const bin = join(dirname(fileURLToPath(import.meta.url)), '../packages/cli/dist/bin.js');

/** Runs the built `archlab ARGS`; resolves to its stdout and its wall time, rejects with its one-line error. */
export async function archlab(args) {
  const started = performance.now();
  try {
    const { stdout } = await run(process.execPath, [bin, ...args], { maxBuffer: 1 << 30 });
    return { stdout, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    const line = `${err.stderr ?? ''}`.trim().split('\n').filter(Boolean).at(-1) ?? err.message;
    throw new Error(`archlab ${args[0]}: ${line}`);
  }
}

/** The last line of a `--json` command's output, parsed. */
export const lastJson = (stdout) => JSON.parse(stdout.trim().split('\n').at(-1));

/** `{ a: 1 }` as `[flag, 'a=1']`, for `--strategy-option` and the like. */
export const kv = (flag, o) => Object.entries(o).flatMap(([k, v]) => [flag, `${k}=${v}`]);
