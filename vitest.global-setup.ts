import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * The end-to-end tests run the built `archlab` binary, so `pnpm test` builds it first
 * (incrementally: a no-op when dist is up to date).
 */
export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'packages/cli', 'examples/plugin-greedy'], { stdio: 'inherit' });
}
