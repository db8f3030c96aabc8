import { createRequire } from 'node:module';

/**
 * A CommonJS package that loads when first asked for, not when the importing module does: for
 * a dependency that costs start-up time (rxjs's ~200 files) but that only some commands use.
 * `from` is the importing module's `import.meta.url`, so `id` resolves as its `import` would;
 * the module is the same instance a static `import` of that package gets (Node's ESM loader
 * wraps the same CommonJS entry). Use `import type` for its types.
 */
export function lazyRequire<T>(from: string, id: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= createRequire(from)(id) as T;
    return loaded;
  };
}
