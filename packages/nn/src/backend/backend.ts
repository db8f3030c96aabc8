import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ConfigError } from '@archlab/core';
import { registerGradients } from './gradients.js';

/** The tfjs backends archlab can train on, fastest first. */
export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | 'auto';

export interface BackendInfo {
  /** What ran: `tensorflow-gpu` (tfjs-node-gpu), `tensorflow` (tfjs-node), `wasm` or `cpu`. */
  readonly name: BackendName;
  /** The tfjs backend name (`tensorflow`, `wasm`, `cpu`). */
  readonly tfjsName: string;
  /** Why faster backends were skipped, for the run log and `--verbose`. */
  readonly skipped: readonly string[];
}

const PACKAGES: Record<Exclude<BackendName, 'cpu'>, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
};

let current: Promise<BackendInfo> | undefined;

/**
 * Picks and initialises the tfjs backend once per thread: with `auto`, the first of
 * tfjs-node-gpu, tfjs-node, wasm, cpu that loads. The node backends are not dependencies (their
 * install downloads libtensorflow); installing one next to archlab is enough for it to be used.
 */
export function initBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  current ??= select(choice);
  return current;
}

async function select(choice: BackendChoice): Promise<BackendInfo> {
  await registerGradients();
  const skipped: string[] = [];
  const candidates = choice === 'auto' ? BACKENDS : [choice];
  for (const name of candidates) {
    try {
      const tfjsName = await load(name);
      if (!(await tf.setBackend(tfjsName))) throw new Error(`tf.setBackend('${tfjsName}') failed`);
      await tf.ready();
      return { name, tfjsName, skipped };
    } catch (err) {
      const reason = `${name}: ${(err as Error).message.split('\n')[0]}`;
      if (choice !== 'auto') throw new ConfigError(`backend ${reason}`);
      skipped.push(reason);
    }
  }
  throw new ConfigError(`no tfjs backend could be initialised (${skipped.join('; ')})`);
}

async function load(name: BackendName): Promise<string> {
  if (name === 'cpu') return 'cpu';
  const pkg = PACKAGES[name];
  await import(pkg);
  if (name === 'wasm') {
    const { registerWasmGradientKernels } = await import('./wasm-kernels.js');
    registerWasmGradientKernels();
    return 'wasm';
  }
  return 'tensorflow';
}
