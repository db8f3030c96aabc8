import type { Layer, LayerInfo, Network } from '@archlab/trainer-tfjs';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs in place of each layer: `run()` computes the layer as the network would, on `inputs`;
 * the hook returns that, a function of it, or anything else of the output's shape.
 */
export type LayerHook = (info: LayerInfo, inputs: readonly tf.Tensor[], run: () => tf.Tensor) => tf.Tensor;

/**
 * The dataflow of a network built by trainer-tfjs's NetworkBuilder. Not public API: `Network`
 * has no per-layer hook, and fisher needs each conv/dense output inside the gradient tape
 * (grasp each ReLU's input) (hardware-latency's peak-memory counter reads the same fields).
 */
interface GraphInternals {
  readonly steps: readonly {
    readonly layer: Layer;
    readonly inputs: readonly number[];
    readonly output: number;
    readonly free: readonly number[];
  }[];
  readonly output: number;
}

function internalsOf(network: Network): GraphInternals {
  const g = network as Partial<GraphInternals>;
  const ok =
    Array.isArray(g.steps) &&
    typeof g.output === 'number' &&
    g.steps.length === network.layers().length &&
    g.steps.every(
      (s) =>
        typeof s?.layer?.apply === 'function' &&
        Array.isArray(s.inputs) &&
        Array.isArray(s.free) &&
        typeof s.output === 'number',
    );
  if (!ok) {
    throw new Error(
      "fisher and grasp need each layer's output: this network was not built by trainer-tfjs's NetworkBuilder, or its internals changed (see apply-with-hook.ts in @archlab/estimator-zero-cost)",
    );
  }
  return g as GraphInternals;
}

/**
 * `network.apply(x, { training })` with every layer run through `hook`: the same values as
 * `apply` when the hook returns `run()`, and, inside a gradient tape, a way to reach or
 * replace what each layer computes.
 */
export function applyWithHook(
  network: Network,
  x: tf.Tensor4D,
  training: boolean,
  hook: LayerHook,
): tf.Tensor2D {
  const { steps, output } = internalsOf(network);
  const [, ...shape] = x.shape;
  if (shape.some((d, i) => d !== network.inputShape[i])) {
    throw new Error(
      `the network takes [batch, ${network.inputShape.join(', ')}], got [${x.shape.join(', ')}]`,
    );
  }
  return tf.tidy(() => {
    const values = new Map<number, tf.Tensor>([[0, x]]);
    for (const s of steps) {
      const inputs = s.inputs.map((id) => values.get(id)!);
      values.set(
        s.output,
        hook(s.layer.info, inputs, () => s.layer.apply(inputs, training)),
      );
      for (const id of s.free) values.delete(id);
    }
    return values.get(output) as tf.Tensor2D;
  });
}
