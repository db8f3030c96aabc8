import type { LayerHook, Network } from '@archlab/nn';
import * as tf from '@tensorflow/tfjs-core';
import { sum } from './sum.js';
import { type WeightLayer, weightLayers } from './weight-layers.js';

/** The proxies computed from the gradient of the loss on one minibatch. */
export const GRADIENT_PROXIES = ['snip', 'grasp', 'fisher', 'grad_norm'] as const;
export type GradientProxy = (typeof GRADIENT_PROXIES)[number];

/** A labelled minibatch on the backend: NHWC images and one-hot labels. */
export interface TensorBatch {
  readonly images: tf.Tensor4D;
  readonly labels: tf.Tensor2D;
}

/**
 * Relative size of grasp's finite-difference step: the kernels are scaled by 1 ± GRASP_STEP.
 * Below ~10⁻³ float32 rounding of the two gradients swamps their difference in some networks
 * (it grows as 1/step); at 10⁻² values agree with 3·10⁻³ to within about 1% and the
 * O(step²) error of the central difference is ~10⁻⁴ (checked against a double-backward
 * Hessian product in the tests).
 */
export const GRASP_STEP = 1e-2;

/** How grasp's Hessian-gradient product is approximated. */
export interface GraspOptions {
  /** Default GRASP_STEP. */
  readonly step?: number;
}

/**
 * snip, grasp, fisher and grad_norm of `network` on `batch`, as the zero-cost-nas measures of
 * those names (Abdelfattah et al. 2021), from softmax cross-entropy averaged over the batch,
 * batch norm in training mode (batch statistics), and the conv/dense kernels θ with their
 * gradients g = ∂L/∂θ from one forward and backward pass:
 * - snip: Σ |g ⊙ θ|;
 * - grad_norm: Σ over layers of ‖g_layer‖₂ (the reference sums per-layer norms; it is not the
 *   norm of the whole gradient);
 * - fisher: for every conv/dense output a (before batch norm), per image n and channel k,
 *   f_nk = Σ over positions of a·∂L/∂a; the score is Σ over layers and channels of
 *   ½·mean_n f_nk² times the number of kernel weights feeding the channel (the reference
 *   broadcasts each channel's value to those weights before summing). f_nk is the gradient of
 *   the loss with respect to a gate of ones multiplying a, so it comes out of the same pass;
 * - grasp: Σ −θ ⊙ Hg, H the Hessian of the loss with respect to the kernels. tfjs has no
 *   second derivative of the convolution gradients, so this is computed as the equal −g · Hθ
 *   (H is symmetric), Hθ a central finite difference of gradients, (∇L((1+ε)θ) − ∇L((1−ε)θ)) / 2ε
 *   (ε: GRASP_STEP), two more passes. Along θ rather than g because with batch norm after a
 *   convolution the loss is scale-invariant in its kernel, so θ·∇L is a float32 sum of terms
 *   cancelling to ~0, whose rounding a difference quotient along g amplifies by 1/ε; g·∇L does
 *   not cancel. In those passes every ReLU keeps the on/off pattern it had at θ: autograd's
 *   Hessian (the reference's) takes ReLU'' = 0, while a difference across units that switch
 *   adds jumps that do not vanish as ε shrinks. (Max pooling is not frozen: a tie that flips
 *   is rarer, and NAS-Bench-201 has none.)
 * Values are raw sums (NaN where the network produced one). The kernels are restored; batch
 * norm's running statistics move, as in any training-mode pass.
 */
export function gradientProxies(
  network: Network,
  batch: TensorBatch,
  wanted: readonly GradientProxy[],
  options: GraspOptions = {},
): Partial<Record<GradientProxy, number>> {
  const layers = weightLayers(network);
  const out: Partial<Record<GradientProxy, number>> = {};
  if (wanted.length === 0) return out;
  if (layers.length === 0) {
    for (const p of wanted) out[p] = 0;
    return out;
  }
  const kernels = layers.map((l) => l.kernel);
  const n = batch.images.shape[0];
  const withFisher = wanted.includes('fisher');
  const withGrasp = wanted.includes('grasp');
  const gates = withFisher ? layers.map((l) => tf.ones([n, ...gateShape(l)])) : [];
  const gateOf = new Map(gates.map((g, i) => [layers[i]!.info.name, g]));
  const masks = new Map<string, tf.Tensor>();
  const hook: LayerHook | undefined =
    withFisher || withGrasp
      ? (info, inputs, run) => {
          if (withGrasp && info.kind === 'relu') masks.set(info.name, tf.keep(tf.step(inputs[0]!)));
          const gate = gateOf.get(info.name);
          return gate ? tf.mul(run(), gate) : run();
        }
      : undefined;
  let grads: tf.Tensor[] = [];
  try {
    grads = lossGradients(network, batch, [...kernels, ...gates], hook);
    const g = grads.slice(0, kernels.length);
    const rows = tf.tidy(() => {
      const r: Partial<Record<GradientProxy, tf.Tensor>> = {};
      if (wanted.includes('snip')) r.snip = perLayer(g, (gi, i) => tf.sum(tf.abs(tf.mul(gi, kernels[i]!))));
      if (wanted.includes('grad_norm')) r.grad_norm = perLayer(g, (gi) => tf.norm(gi));
      if (withFisher) {
        r.fisher = perLayer(grads.slice(kernels.length), (f, i) =>
          tf.mul(tf.sum(tf.square(f)), (0.5 / n) * weightsPerChannel(layers[i]!)),
        );
      }
      return r;
    });
    for (const [p, t] of Object.entries(rows) as [GradientProxy, tf.Tensor][]) {
      out[p] = sum(t.dataSync());
      t.dispose();
    }
    if (withGrasp) {
      const frozen: LayerHook = (info, inputs, run) =>
        info.kind === 'relu' ? tf.mul(inputs[0]!, masks.get(info.name)!) : run();
      out.grasp = grasp(network, batch, kernels, g, frozen, options);
    }
  } finally {
    tf.dispose([...grads, ...gates, ...masks.values()]);
  }
  return out;
}

/** Kernel weights feeding one output channel: k²·c_in for a convolution, k² depthwise, the inputs of a dense layer. */
function weightsPerChannel(layer: WeightLayer): number {
  const shape = layer.info.outputShape;
  return layer.kernel.size / shape[shape.length - 1]!;
}

/** A gate of ones over a layer's output, one value per image and channel: [1, 1, channels] or [units]. */
function gateShape(layer: WeightLayer): number[] {
  const shape = layer.info.outputShape;
  return shape.length === 3 ? [1, 1, shape[2]!] : [...shape];
}

/**
 * Gradients of the mean cross-entropy (training mode) with respect to `xs`, each layer run
 * through `hook` when there is one; zeros for an x the loss does not depend on.
 */
function lossGradients(network: Network, batch: TensorBatch, xs: tf.Tensor[], hook?: LayerHook): tf.Tensor[] {
  const { value, grads } = tf.engine().gradients(
    () => {
      const logits = network.apply(batch.images, { training: true, hook });
      return tf.losses.softmaxCrossEntropy(batch.labels, logits) as tf.Scalar;
    },
    xs,
    undefined,
    true,
  );
  value.dispose();
  return xs.map((x, i) => grads[i] ?? tf.zerosLike(x));
}

/**
 * −Σ θ ⊙ Hg computed as −g · Hθ (H is symmetric), Hθ by central differences of the loss
 * gradient along θ, layers run through `hook`.
 */
function grasp(
  network: Network,
  batch: TensorBatch,
  kernels: readonly tf.Variable[],
  g: readonly tf.Tensor[],
  hook: LayerHook,
  options: GraspOptions,
): number {
  const step = options.step ?? GRASP_STEP;
  const theta = kernels.map((k) => tf.clone(k));
  const scaled = (factor: number) => {
    tf.tidy(() => {
      kernels.forEach((k, i) => {
        k.assign(tf.mul(theta[i]!, factor));
      });
    });
    return lossGradients(network, batch, [...kernels], hook);
  };
  let plus: tf.Tensor[] = [];
  let minus: tf.Tensor[] = [];
  try {
    plus = scaled(1 + step);
    minus = scaled(1 - step);
    const dots = tf.tidy(() => perLayer(plus, (p, i) => tf.sum(tf.mul(g[i]!, tf.sub(p, minus[i]!)))));
    const dot = sum(dots.dataSync());
    dots.dispose();
    return -dot / (2 * step);
  } finally {
    tf.dispose([...plus, ...minus]);
    kernels.forEach((k, i) => {
      k.assign(theta[i]!);
    });
    tf.dispose(theta);
  }
}

/** One scalar per layer, stacked: summed in float64 after a single read back. */
function perLayer(xs: readonly tf.Tensor[], f: (x: tf.Tensor, i: number) => tf.Tensor): tf.Tensor {
  return tf.stack(xs.map((x, i) => f(x, i)));
}
