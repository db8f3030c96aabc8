import type { LayerInfo, Network } from '@archlab/nn';
import type * as tf from '@tensorflow/tfjs-core';

/** A convolution or dense layer and its kernel: the weights the proxies score (as `nn.Conv2d`/`nn.Linear` `.weight` in the reference code). */
export interface WeightLayer {
  readonly info: LayerInfo;
  readonly kernel: tf.Variable;
}

const KERNELS: Readonly<Record<string, string>> = {
  conv2d: 'kernel',
  depthwise_conv2d: 'depthwise_kernel',
  dense: 'kernel',
};

/**
 * The network's conv2d, depthwise_conv2d and dense layers in execution order, each with its
 * kernel; biases, batch-norm scales and shifts are not scored. Kernels are found by the
 * variable names trainer-tfjs's layers give (`.../LAYER/kernel`).
 */
export function weightLayers(network: Network): WeightLayer[] {
  const byName = new Map(network.variables.map((v) => [v.name, v]));
  const suffixes = new Map<string, tf.Variable>();
  for (const [name, v] of byName) {
    const i = name.indexOf('/');
    suffixes.set(i < 0 ? name : name.slice(i + 1), v);
  }
  return network
    .layers()
    .filter((info) => Object.hasOwn(KERNELS, info.kind))
    .map((info) => {
      const kernel = suffixes.get(`${info.name}/${KERNELS[info.kind]}`);
      if (!kernel)
        throw new Error(`layer ${info.name} (${info.kind}) has no variable named '${KERNELS[info.kind]}'`);
      return { info, kernel };
    });
}
