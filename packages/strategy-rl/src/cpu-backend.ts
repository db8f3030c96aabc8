import * as tf from '@tensorflow/tfjs-core';
// Registers the pure-JS 'cpu' backend (side effect only).
import '@tensorflow/tfjs-backend-cpu';

let greeted = false;

/**
 * Runs `fn` on tfjs's 'cpu' backend and gives the previous backend back afterwards.
 *
 * The controller always computes on 'cpu': its kernels are plain JS, so the same ops in the same
 * order give the same float32 bits on every machine, which the resume contract needs (another
 * backend, e.g. wasm with SIMD, may round differently). `fn` must be synchronous so that nothing
 * else runs on tfjs while the backend is switched.
 */
export async function withCpuBackend<T>(fn: () => T): Promise<T> {
  const previous = tf.getBackend();
  if (previous !== 'cpu') await tf.setBackend('cpu');
  // The cpu backend prints an "install tfjs-node" banner on its first write; the CLI's output must
  // stay clean, so the first computation runs with tfjs's logging off (PROD only gates logging).
  const quiet = !greeted;
  const prod = tf.env().getBool('PROD');
  if (quiet) tf.env().set('PROD', true);
  try {
    return fn();
  } finally {
    if (quiet) {
      greeted = true;
      tf.env().set('PROD', prod);
    }
    if (previous && previous !== 'cpu') await tf.setBackend(previous);
  }
}
