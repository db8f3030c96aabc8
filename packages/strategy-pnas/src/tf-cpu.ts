import * as tf from '@tensorflow/tfjs-core';
// Registers the pure-JS `cpu` backend with tfjs-core (a side effect of the import).
import '@tensorflow/tfjs-backend-cpu';

export { tf };

/**
 * Runs `fn` on tfjs's `cpu` backend inside `tf.tidy`, then puts back whichever backend was
 * active, so another plugin of the same process that chose (say) wasm keeps it. Synchronous
 * on purpose: switching to an already registered, synchronously initialised backend takes
 * effect at once, and nothing else can run between the switch and the switch back.
 */
export function onCpu<T>(fn: () => T): T {
  const engine = tf.engine();
  // `backendName` is null until some backend was chosen; reading it, unlike tf.getBackend(), initialises nothing.
  const previous = engine.backendName as string | null;
  if (previous !== 'cpu') void engine.setBackend('cpu');
  // The cpu backend prints a banner on its first tensor suggesting tfjs-node, which archlab
  // cannot install here (see DESIGN.md, Compute); the surrogate nets are small enough for it.
  (engine.findBackend('cpu') as unknown as { firstUse?: boolean }).firstUse = false;
  try {
    let out: T | undefined;
    tf.tidy(() => {
      out = fn();
    });
    return out as T;
  } finally {
    if (previous && previous !== 'cpu') void engine.setBackend(previous);
  }
}
