import * as tf from '@tensorflow/tfjs-core';
// Registers the pure-JS `cpu` backend with tfjs-core (a side effect of the import).
import '@tensorflow/tfjs-backend-cpu';

export { tf };

/**
 * Runs `fn` on tfjs's pure-JS `cpu` backend, then puts back whichever backend was active, so
 * another plugin of the same process that chose (say) wasm keeps it.
 *
 * Strategies that keep a model (the RL controller, PNAS's surrogate) compute on `cpu` because
 * its kernels are plain JS: the same ops in the same order give the same float32 bits on every
 * machine, which resume and replay need (wasm with SIMD, say, may round differently).
 *
 * Synchronous on purpose: switching to the `cpu` backend, which initialises synchronously, or
 * back to one already initialised takes effect at once, and nothing else can run on tfjs between
 * the switch and the switch back. `fn` must therefore be synchronous too. Tensors `fn` makes
 * are its own to dispose (wrap it in `tf.tidy` where that suits).
 */
export function onCpu<T>(fn: () => T): T {
  const engine = tf.engine();
  // `backendName` is null until some backend was chosen; reading it, unlike tf.getBackend(), initialises nothing.
  const previous = engine.backendName as string | null;
  if (previous !== 'cpu') void engine.setBackend('cpu');
  // The cpu backend prints a banner on its first tensor suggesting tfjs-node, which archlab
  // cannot install here (see DESIGN.md, Compute); the CLI's output must stay clean.
  (engine.findBackend('cpu') as unknown as { firstUse?: boolean }).firstUse = false;
  try {
    return fn();
  } finally {
    if (previous && previous !== 'cpu') void engine.setBackend(previous);
  }
}
