import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * The end-to-end tests run the built `archlab` binary, and worker threads (trainer-tfjs's pool)
 * run built JavaScript, so `pnpm test` builds first (incrementally: a no-op when dist is up to
 * date). The CLI's build includes every default plugin package.
 */
export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'packages/cli', 'examples/plugin-greedy'], { stdio: 'inherit' });
}
