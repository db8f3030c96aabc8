import { createRequire } from 'node:module';
import type * as Rx from 'rxjs';

let loaded: typeof Rx | undefined;

/**
 * rxjs, required on first use. Its CommonJS build loads some 200 files (~0.2 s), which every
 * process that imports core would pay at start, though only a running search uses it: a CLI
 * command that reads a log, prints help or fails on a flag never does. It is the same module
 * instance a static `import 'rxjs'` gets (Node's ESM loader wraps the same CommonJS entry).
 */
export function rx(): typeof Rx {
  loaded ??= createRequire(import.meta.url)('rxjs') as typeof Rx;
  return loaded;
}
