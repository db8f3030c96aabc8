import * as tf from '@tensorflow/tfjs-core';

type Grads = Record<string, () => tf.Tensor>;

/** `dy` summed over the axes `shape` was broadcast along, back to `shape`. */
function unbroadcast(dy: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, outShape);
  return tf.reshape(axes.length ? tf.sum(dy, axes) : dy, shape);
}

function binary(
  kernelName: string,
  da: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  db: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved as tf.Tensor[];
      const out = tf.broadcast_util.assertAndGetBroadcastShape(a!.shape, b!.shape);
      return {
        a: () => unbroadcast(da(dy as tf.Tensor, a!, b!), a!.shape, out),
        b: () => unbroadcast(db(dy as tf.Tensor, a!, b!), b!.shape, out),
      } satisfies Grads;
    },
  };
}

/** dx = dy · f(y), for an elementwise op whose derivative is a function of its output. */
function fromOutput(kernelName: string, f: (y: tf.Tensor) => tf.Tensor): tf.GradConfig {
  return {
    kernelName,
    outputsToSave: [true],
    gradFunc: (dy, saved) => ({ x: () => tf.mul(dy as tf.Tensor, f((saved as tf.Tensor[])[0]!)) }),
  };
}

/**
 * dy broadcast back over the axes a reduction removed (times `scale`). tfjs's cpu backend
 * broadcasts a non-scalar element by element, so the two shapes the controller uses take
 * faster routes: a full reduction (dy is a scalar) and a row sum of a matrix (an outer product).
 */
function reduction(kernelName: string, scale: (x: tf.Tensor, axes: number[]) => number): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = (saved as tf.Tensor[])[0]!;
      const g = dy as tf.Tensor;
      const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
      const s = scale(x, axes);
      if (axes.length === x.rank) return { x: () => tf.mul(tf.fill(x.shape, s), tf.reshape(g, [])) };
      if (x.rank === 2 && axes[0] === 1) {
        const [rows, cols] = x.shape as [number, number];
        return { x: () => tf.matMul(tf.reshape(g, [rows, 1]), tf.fill([1, cols], s)) };
      }
      const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      return { x: () => tf.mul(tf.reshape(g, kept), tf.fill(x.shape, s)) };
    },
  };
}

/**
 * The gradients of the kernels the controller's loss is built from. tfjs-core's Node bundle ships
 * the kernels but not their gradients (only the `@tensorflow/tfjs` union package registers
 * those), so `tf.grads` would fail with "gradient function not found". Each is the textbook
 * derivative, as tfjs's own; they are registered only where no gradient is registered yet, so a
 * process that loads the full set keeps it.
 */
const configs: readonly tf.GradConfig[] = [
  binary(
    tf.Add,
    (dy) => dy,
    (dy) => dy,
  ),
  binary(
    tf.Sub,
    (dy) => dy,
    (dy) => tf.neg(dy),
  ),
  binary(
    tf.Multiply,
    (dy, _a, b) => tf.mul(dy, b),
    (dy, a) => tf.mul(dy, a),
  ),
  binary(
    tf.Minimum,
    (dy, a, b) => tf.mul(dy, tf.cast(tf.lessEqual(a, b), 'float32')),
    (dy, a, b) => tf.mul(dy, tf.cast(tf.greater(a, b), 'float32')),
  ),
  { kernelName: tf.Neg, gradFunc: (dy) => ({ x: () => tf.neg(dy as tf.Tensor) }) },
  fromOutput(tf.Exp, (y) => y),
  fromOutput(tf.Tanh, (y) => tf.sub(1, tf.square(y))),
  fromOutput(tf.Sigmoid, (y) => tf.mul(y, tf.sub(1, y))),
  reduction(tf.Sum, () => 1),
  reduction(tf.Mean, (x, axes) => 1 / axes.reduce((n, a) => n * x.shape[a]!, 1)),
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved as tf.Tensor2D[];
      const g = dy as tf.Tensor2D;
      const { transposeA: ta, transposeB: tb } = attrs as { transposeA: boolean; transposeB: boolean };
      return {
        a: () => (ta ? tf.matMul(b!, g, tb, true) : tf.matMul(g, b!, false, !tb)),
        b: () => (tb ? tf.matMul(g, a!, true, ta) : tf.matMul(a!, g, !ta, false)),
      };
    },
  },
  {
    kernelName: tf.SplitV,
    gradFunc: (dy, _saved, attrs) => ({
      x: () => tf.concat(dy as tf.Tensor[], (attrs as { axis: number }).axis),
    }),
  },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const inputs = saved as tf.Tensor[];
      const axis = tf.util.parseAxisParam((attrs as { axis: number }).axis, inputs[0]!.shape)[0]!;
      const parts = tf.split(
        dy as tf.Tensor,
        inputs.map((t) => t.shape[axis]!),
        axis,
      );
      return Object.fromEntries(parts.map((p, i) => [String(i), () => p]));
    },
  },
  {
    kernelName: tf.Slice,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = (saved as tf.Tensor[])[0]!;
      const [begin, size] = tf.slice_util.parseSliceParams(
        x,
        (attrs as { begin: number[] }).begin,
        (attrs as { size: number[] }).size,
      );
      const paddings = x.shape.map((d, i) => [begin![i]!, d - begin![i]! - size![i]!] as [number, number]);
      return { x: () => tf.pad(dy as tf.Tensor, paddings) };
    },
  },
  {
    kernelName: tf.Transpose,
    gradFunc: (dy, _saved, attrs) => {
      const { perm } = attrs as { perm: number[] };
      const inverse = perm.map((_, i) => perm.indexOf(i));
      return { x: () => tf.transpose(dy as tf.Tensor, inverse) };
    },
  },
  {
    kernelName: tf.ClipByValue,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const x = (saved as tf.Tensor[])[0]!;
      const { clipValueMin: lo, clipValueMax: hi } = attrs as { clipValueMin: number; clipValueMax: number };
      const inside = tf.logicalAnd(tf.greaterEqual(x, lo), tf.lessEqual(x, hi));
      return { x: () => tf.mul(dy as tf.Tensor, tf.cast(inside, 'float32')) };
    },
  },
];

let registered = false;

/** Registers the gradients above that are missing (once per process). */
export function registerControllerGradients(): void {
  if (registered) return;
  registered = true;
  for (const config of configs) if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
}
