import { register } from 'node:module';

/**
 * A module resolve hook, registered as a data: URL so it needs no file of its own: tfjs-core's
 * ES module build (`dist/*.js`, the only build with the gradient definitions) imports its own
 * files without the `.js` extension, which bundlers accept and Node's ESM loader does not.
 */
const HOOK = `
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('.') && !/\\.[cm]?js$/.test(specifier) &&
      context.parentURL?.includes('/@tensorflow/tfjs-core/dist/')) {
    return next(specifier + '.js', context);
  }
  return next(specifier, context);
}`;

let registered: Promise<void> | undefined;

/**
 * Registers every tfjs gradient, once per thread (each worker thread has its own registry).
 * tfjs-core's Node build (`tf-core.node.js`, what `import '@tensorflow/tfjs-core'` loads) registers
 * none; `@tensorflow/tfjs` does it by bundling them. The gradient registry lives on the global
 * object, so gradients registered from the ES module build serve the Node build too.
 */
export function registerGradients(): Promise<void> {
  registered ??= (async () => {
    // Under vitest (sources, not dist) the bundler resolves the extensionless imports itself.
    if (!import.meta.url.endsWith('.ts')) register(`data:text/javascript,${encodeURIComponent(HOOK)}`);
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  })();
  return registered;
}
