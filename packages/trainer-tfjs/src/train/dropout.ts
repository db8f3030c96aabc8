import type { Rng } from '@archlab/core';
import type { LayerHook, Network } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A hook for training-mode {@link Network.apply} that drops each value of the classifier's
 * input (the input of the network's last layer) with probability `rate` and scales the rest by
 * 1 / (1 - rate), so that inference (no hook) needs no change. The masks come from `rng`, one
 * per call: the same seed gives the same masks. `rate` is in [0, 1).
 */
export function classifierDropout(net: Network, rate: number, rng: Rng): LayerHook {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
  const classifier = net.layers().at(-1)?.name;
  const keep = 1 / (1 - rate);
  return (info, inputs, run) => {
    if (info.name !== classifier || rate === 0) return run();
    const [x, ...rest] = inputs;
    const mask = new Float32Array(x!.size);
    for (let i = 0; i < mask.length; i++) mask[i] = rng.float() < rate ? 0 : keep;
    return run([tf.mul(x!, tf.tensor(mask, x!.shape)), ...rest]);
  };
}
