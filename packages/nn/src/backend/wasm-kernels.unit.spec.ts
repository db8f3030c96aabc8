import { Rng } from '@archlab/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmGradientKernels, WASM_GRADIENT_KERNELS } from './wasm-kernels.js';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

beforeAll(async () => {
  registerWasmGradientKernels();
  registerWasmGradientKernels(); // idempotent
  await tf.setBackend('wasm');
});

/** max|a - b| / max|b|, with a floor so all-zero references compare absolutely. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return diff / scale;
}

/** Values and shape kept on the host, so each backend makes its own tensors and none move. */
interface Host {
  readonly values: Float32Array;
  readonly shape: number[];
}

function random(shape: number[], rng: Rng): Host {
  const size = shape.reduce((p, d) => p * d, 1);
  return { values: Float32Array.from({ length: size }, () => rng.float() * 2 - 1), shape };
}

const toTensor = (h: Host) => tf.tensor(h.values, h.shape);

/** Runs `kernel` on `backend` and returns its output, leaving no tensor behind. */
async function run(
  backend: 'wasm' | 'cpu',
  kernel: string,
  inputs: Record<string, Host>,
  attrs: object,
): Promise<Host> {
  await tf.setBackend(backend);
  const tensors = Object.fromEntries(Object.entries(inputs).map(([k, h]) => [k, toTensor(h)]));
  const out = tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
  const result = { values: out.dataSync() as Float32Array, shape: out.shape };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

/** Every tensor and wasm allocation of `body` (kernel temporaries included) is released by its end. */
async function expectNoLeak(body: () => Promise<void>): Promise<void> {
  await tf.setBackend('wasm');
  const backend = tf.backend() as tf.KernelBackend & { numDataIds(): number };
  const tensors = tf.memory().numTensors;
  const dataIds = backend.numDataIds();
  await body();
  await tf.setBackend('wasm');
  expect(tf.memory().numTensors).toBe(tensors);
  expect(backend.numDataIds()).toBe(dataIds);
}

/** The filter with (d-1) zeros between taps: a dilated convolution as an undilated one. */
function dilateFilter(filter: Host, [dh, dw]: [number, number]): Host {
  const [kh = 1, kw = 1, c = 1, m = 1] = filter.shape;
  const shape = [(kh - 1) * dh + 1, (kw - 1) * dw + 1, c, m];
  const values = new Float32Array(shape.reduce((p, d) => p * d, 1));
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      const from = (p * kw + q) * c * m;
      values.set(
        filter.values.subarray(from, from + c * m),
        (p * dh * (shape[1] as number) + q * dw) * c * m,
      );
    }
  }
  return { values, shape };
}

/** Every dh-th row and dw-th column of a dilated filter's gradient. */
function undilate(dilated: Host, [dh, dw]: [number, number]): Float32Array {
  const [khe = 1, kwe = 1, c = 1, m = 1] = dilated.shape;
  const kh = (khe - 1) / dh + 1;
  const kw = (kwe - 1) / dw + 1;
  const out = new Float32Array(kh * kw * c * m);
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      const from = (p * dh * kwe + q * dw) * c * m;
      out.set(dilated.values.subarray(from, from + c * m), (p * kw + q) * c * m);
    }
  }
  return out;
}

/** NHWC -> NCHW on the host. */
function toNchw(h: Host): Host {
  const [n = 1, hh = 1, w = 1, c = 1] = h.shape;
  const values = new Float32Array(h.values.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < hh; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++)
          values[((b * c + k) * hh + y) * w + x] = h.values[((b * hh + y) * w + x) * c + k] as number;
  return { values, shape: [n, c, hh, w] };
}

interface ConvCase {
  n: number;
  h: number;
  w: number;
  c: number;
  /** Output channels (conv2d) or channel multiplier (depthwise). */
  k: number;
  kh: number;
  kw: number;
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  nchw?: boolean;
}

function label(c: ConvCase): string {
  const pad = typeof c.pad === 'object' ? JSON.stringify(c.pad.slice(1, 3)) : c.pad;
  return `x ${c.n}x${c.h}x${c.w}x${c.c} k ${c.kh}x${c.kw}/${c.k} s ${c.strides} d ${c.dilations} pad ${pad}${c.dimRoundingMode ? ` ${c.dimRoundingMode}` : ''}${c.nchw ? ' NCHW' : ''}`;
}

function convInfo(c: ConvCase, depthwise: boolean): tf.backend_util.Conv2DInfo | undefined {
  try {
    const info = tf.backend_util.computeConv2DInfo(
      [c.n, c.h, c.w, c.c],
      [c.kh, c.kw, c.c, c.k],
      c.strides,
      c.dilations,
      c.pad,
      c.dimRoundingMode,
      depthwise,
    );
    return info.outHeight > 0 && info.outWidth > 0 ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Compares the conv2d (or depthwise) backprop kernels on wasm with the cpu backend. */
async function checkConvCase(c: ConvCase, depthwise: boolean, seed: number): Promise<void> {
  const info = convInfo(c, depthwise);
  if (info === undefined) return;
  const rng = Rng.fromSeed(seed);
  const layout = (h: Host) => (c.nchw ? toNchw(h) : h);
  const x = layout(random([c.n, c.h, c.w, c.c], rng));
  const filter = random([c.kh, c.kw, c.c, c.k], rng);
  const dy = layout(random(info.outShape, rng));
  // Explicit NCHW padding lists the spatial axes last.
  const pad = c.nchw && typeof c.pad === 'object' ? [[0, 0], [0, 0], c.pad[1], c.pad[2]] : c.pad;
  const common = { strides: c.strides, pad, dimRoundingMode: c.dimRoundingMode };
  const dilated = c.dilations[0] > 1 || c.dilations[1] > 1;
  // The cpu kernels ignore dilations: compare with an undilated convolution by a zero-filled filter.
  const refFilter = dilated ? dilateFilter(filter, c.dilations) : filter;
  const [filterKernel, inputKernel] = depthwise
    ? [tf.DepthwiseConv2dNativeBackpropFilter, tf.DepthwiseConv2dNativeBackpropInput]
    : [tf.Conv2DBackpropFilter, tf.Conv2DBackpropInput];
  const extra = depthwise ? { dilations: c.dilations } : { dataFormat: c.nchw ? 'NCHW' : 'NHWC' };
  const refExtra = depthwise ? { dilations: [1, 1] } : extra;
  await expectNoLeak(async () => {
    const dW = await run('wasm', filterKernel, { x, dy }, { ...common, ...extra, filterShape: filter.shape });
    const dWRef = await run(
      'cpu',
      filterKernel,
      { x, dy },
      { ...common, ...refExtra, filterShape: refFilter.shape },
    );
    expect(dW.shape, label(c)).toEqual(filter.shape);
    const ref = dilated ? undilate(dWRef, c.dilations) : dWRef.values;
    expect(relativeError(dW.values, ref), `${filterKernel} ${label(c)}`).toBeLessThanOrEqual(1e-4);

    const inputShape = x.shape;
    const dx = await run('wasm', inputKernel, { dy, filter }, { ...common, ...extra, inputShape });
    const dxRef = await run(
      'cpu',
      inputKernel,
      { dy, filter: refFilter },
      { ...common, ...refExtra, inputShape },
    );
    expect(dx.shape, label(c)).toEqual(inputShape);
    expect(relativeError(dx.values, dxRef.values), `${inputKernel} ${label(c)}`).toBeLessThanOrEqual(1e-4);
  });
}

const same: Pad = 'same';
const valid: Pad = 'valid';
const base: ConvCase = {
  n: 2,
  h: 7,
  w: 6,
  c: 3,
  k: 4,
  kh: 3,
  kw: 3,
  strides: [1, 1],
  dilations: [1, 1],
  pad: same,
};
const TABLE: ConvCase[] = [
  base,
  { ...base, pad: valid },
  { ...base, strides: [2, 2] },
  { ...base, strides: [2, 2], pad: valid },
  { ...base, strides: [3, 2], h: 11, w: 8 },
  { ...base, kh: 1, kw: 1, pad: valid },
  { ...base, kh: 1, kw: 1, pad: 'same', c: 7, k: 5 }, // a pointwise convolution: a matrix product
  { ...base, kh: 1, kw: 1, pad: 1 }, // padded: the general way
  { ...base, kh: 1, kw: 1, strides: [2, 2], pad: valid },
  { ...base, kh: 5, kw: 2, pad: 1 },
  { ...base, kh: 3, kw: 3, pad: 2, strides: [2, 1] },
  { ...base, pad: 1, strides: [2, 2], dimRoundingMode: 'ceil' },
  { ...base, pad: 0, strides: [2, 2], dimRoundingMode: 'round' },
  {
    ...base,
    pad: [
      [0, 0],
      [2, 0],
      [0, 1],
      [0, 0],
    ],
  },
  {
    ...base,
    pad: [
      [0, 0],
      [0, 3],
      [2, 2],
      [0, 0],
    ],
    strides: [2, 2],
  },
  { ...base, n: 1, c: 1, k: 1 },
  { ...base, n: 5, h: 1, w: 9, kh: 1, kw: 3 },
  { ...base, h: 2, w: 2, kh: 3, kw: 3 },
  { ...base, h: 3, w: 3, kh: 3, kw: 3, pad: valid },
  { ...base, n: 4, h: 28, w: 28, c: 1, k: 8 },
  { ...base, n: 2, h: 14, w: 14, c: 16, k: 32 },
  { ...base, dilations: [2, 2] },
  { ...base, dilations: [3, 1], pad: valid, h: 9 },
  {
    ...base,
    dilations: [2, 2],
    pad: [
      [0, 0],
      [1, 2],
      [3, 0],
      [0, 0],
    ],
  },
];

describe('wasm gradient kernels match the cpu backend', () => {
  it('registers every kernel for wasm, once', () => {
    for (const config of WASM_GRADIENT_KERNELS) {
      expect(tf.getKernel(config.kernelName, 'wasm')?.kernelFunc).toBe(config.kernelFunc);
    }
  });

  it.each(
    TABLE.filter((c) => c.dilations[0] === 1 && c.dilations[1] === 1).map((c) => [label(c), c] as const),
  )('Conv2DBackpropFilter/Input, %s', async (_, c) => {
    await checkConvCase(c, false, 1);
    await checkConvCase({ ...c, nchw: true }, false, 2);
  });

  it.each(TABLE.map((c) => [label(c), c] as const))(
    'DepthwiseConv2dNativeBackpropFilter/Input, %s',
    async (_, c) => {
      await checkConvCase(c, true, 3);
      await checkConvCase({ ...c, k: 1 }, true, 4);
    },
  );

  const arbitraryCase = (depthwise: boolean) =>
    fc.record<ConvCase>({
      n: fc.integer({ min: 1, max: 3 }),
      h: fc.integer({ min: 1, max: 10 }),
      w: fc.integer({ min: 1, max: 10 }),
      c: fc.integer({ min: 1, max: 5 }),
      k: fc.integer({ min: 1, max: depthwise ? 3 : 6 }),
      kh: fc.integer({ min: 1, max: 4 }),
      kw: fc.integer({ min: 1, max: 4 }),
      strides: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      dilations: depthwise
        ? fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
        : fc.constant<[number, number]>([1, 1]),
      pad: fc.oneof(
        fc.constantFrom<Pad>('same', 'valid'),
        fc.integer({ min: 0, max: 2 }),
        fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)).map(
          ([t, b, l, r]): Pad => [
            [0, 0],
            [t, b],
            [l, r],
            [0, 0],
          ],
        ),
      ),
      nchw: depthwise ? fc.constant(false) : fc.boolean(),
    });

  it('Conv2DBackpropFilter/Input on random shapes, strides and paddings', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryCase(false), fc.nat(), async (c, seed) => checkConvCase(c, false, seed)),
      { seed: 7, numRuns: 60 },
    );
  });

  it('DepthwiseConv2dNativeBackpropFilter/Input on random shapes, strides, dilations and paddings', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryCase(true), fc.nat(), async (c, seed) => checkConvCase(c, true, seed)),
      { seed: 11, numRuns: 60 },
    );
  });
});

describe('gradients through tf.grads on wasm match cpu', () => {
  type Layer = (x: tf.Tensor4D, params: tf.Tensor[]) => tf.Tensor;
  const layers: [string, number[][], Layer][] = [
    ['conv2d same', [[3, 3, 3, 8]], (x, [f]) => tf.conv2d(x, f as tf.Tensor4D, 1, 'same')],
    ['conv2d valid stride 2', [[3, 3, 3, 5]], (x, [f]) => tf.conv2d(x, f as tf.Tensor4D, 2, 'valid')],
    ['conv2d 1x1', [[1, 1, 3, 6]], (x, [f]) => tf.conv2d(x, f as tf.Tensor4D, 1, 'valid')],
    ['depthwise same', [[3, 3, 3, 1]], (x, [f]) => tf.depthwiseConv2d(x, f as tf.Tensor4D, 1, 'same')],
    ['depthwise x2 stride 2', [[5, 5, 3, 2]], (x, [f]) => tf.depthwiseConv2d(x, f as tf.Tensor4D, 2, 'same')],
    [
      'separable',
      [
        [3, 3, 3, 2],
        [1, 1, 6, 7],
      ],
      (x, [d, p]) => tf.separableConv2d(x, d as tf.Tensor4D, p as tf.Tensor4D, 1, 'same'),
    ],
    [
      'conv-relu-maxpool-conv',
      [
        [3, 3, 3, 4],
        [3, 3, 4, 6],
      ],
      (x, [f1, f2]) =>
        tf.conv2d(
          tf.maxPool(tf.relu(tf.conv2d(x, f1 as tf.Tensor4D, 1, 'same')), 2, 2, 'valid'),
          f2 as tf.Tensor4D,
          1,
          'same',
        ),
    ],
    [
      'conv-bias-relu-maxpool-dense (a CNN classifier)',
      [[3, 3, 3, 4], [4], [64, 5]],
      (x, [f, b, w]) => {
        const h = tf.maxPool(
          tf.relu(tf.add(tf.conv2d(x, f as tf.Tensor4D, 1, 'same'), b as tf.Tensor)),
          2,
          2,
          'valid',
        );
        return tf.matMul(tf.reshape(h, [3, 64]), w as tf.Tensor2D);
      },
    ],
  ];

  it.each(layers)('%s', async (_, shapes, layer) => {
    const rng = Rng.fromSeed(5);
    const inputs = [random([3, 9, 8, 3], rng), ...shapes.map((shape) => random(shape, rng))];
    await tf.setBackend('cpu');
    const outShape = tf.tidy(() => {
      const [x, ...params] = inputs.map(toTensor);
      return layer(x as tf.Tensor4D, params).shape;
    });
    const probe = random(outShape, rng);
    const grads = async (backend: 'wasm' | 'cpu') => {
      await tf.setBackend(backend);
      const tensors = inputs.map(toTensor);
      const r = toTensor(probe);
      const g = tf.grads((...args: tf.Tensor[]) =>
        tf.sum(tf.mul(layer(args[0] as tf.Tensor4D, args.slice(1)), r)),
      )(tensors);
      const values = g.map((t) => t.dataSync() as Float32Array);
      tf.dispose([...g, ...tensors, r]);
      return values;
    };
    await expectNoLeak(async () => {
      const wasm = await grads('wasm');
      const cpu = await grads('cpu');
      for (const [i, ref] of cpu.entries()) {
        expect(relativeError(wasm[i] as Float32Array, ref), `gradient ${i}`).toBeLessThanOrEqual(1e-4);
      }
    });
  });
});

describe('wasm kernels that replace the backend own match the cpu backend', () => {
  /** Values from {-1, -0.5, 0, 0.5, 1}: windows with several maxima, all-negative windows. */
  function coarse(shape: number[], rng: Rng): Host {
    const size = shape.reduce((p, d) => p * d, 1);
    return { values: Float32Array.from({ length: size }, () => (rng.int(5) - 2) / 2), shape };
  }

  async function checkMaxPoolGrad(x: Host, filterSize: number, strides: number, pad: Pad): Promise<void> {
    const attrs = { filterSize, strides, pad };
    const output = await run('cpu', tf.MaxPool, { x }, attrs);
    const dy = random(output.shape, Rng.fromSeed(x.values.length));
    await expectNoLeak(async () => {
      const inputs = { dy, input: x, output };
      const dx = await run('wasm', tf.MaxPoolGrad, inputs, attrs);
      const ref = await run('cpu', tf.MaxPoolGrad, inputs, attrs);
      expect(dx.shape).toEqual(x.shape);
      const what = `x [${x.shape}] ${filterSize}/${strides} ${JSON.stringify(pad)}`;
      expect(relativeError(dx.values, ref.values), what).toBeLessThanOrEqual(1e-6);
    });
  }

  it('MaxPoolGrad with ties, negatives and padding, windows that tile the input', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.integer({ min: 1, max: 3 }),
          h: fc.integer({ min: 1, max: 9 }),
          w: fc.integer({ min: 1, max: 9 }),
          c: fc.integer({ min: 1, max: 4 }),
          size: fc.integer({ min: 1, max: 3 }),
          pad: fc.constantFrom<Pad>('same', 'valid'),
          seed: fc.nat(),
        }),
        async ({ n, h, w, c, size, pad, seed }) => {
          if (pad === 'valid' && (h < size || w < size)) return;
          await checkMaxPoolGrad(coarse([n, h, w, c], Rng.fromSeed(seed)), size, size, pad);
        },
      ),
      { seed: 3, numRuns: 40 },
    );
    await checkMaxPoolGrad(coarse([4, 28, 28, 16], Rng.fromSeed(1)), 2, 2, 'valid');
    await checkMaxPoolGrad(random([2, 7, 7, 3], Rng.fromSeed(2)), 2, 2, 'same');
  });

  it('MaxPoolGrad with overlapping windows (the backend own kernel, distinct values)', async () => {
    const rng = Rng.fromSeed(4);
    const shape = [2, 9, 8, 3];
    const values = Float32Array.from({ length: 2 * 9 * 8 * 3 }, (_, i) => 1 + i + rng.float() / 2);
    await checkMaxPoolGrad({ values, shape }, 3, 2, 'same');
    await checkMaxPoolGrad({ values, shape }, 3, 1, 'valid');
  });

  // Stored logs hold scores computed from these gradients (synflow): the pointwise GEMM must give
  // the bits of the convolution it replaces (either of the two the cost model picks from).
  it.each([
    [64, 14, 8, 8],
    [3, 5, 2, 3],
    [64, 4, 32, 32],
    [16, 4, 32, 24],
    [8, 28, 1, 16],
  ])(
    'Conv2DBackpropFilter of a pointwise convolution on [%s, %s, %s, %s], bit for bit a convolution',
    async (n, h, c, co) => {
      await tf.setBackend('wasm');
      const rng = Rng.fromSeed(n * h + c);
      const x = toTensor(random([n, h, h, c], rng)) as tf.Tensor4D;
      const dy = toTensor(random([n, h, h, co], rng)) as tf.Tensor4D;
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [1, 1, c, co] };
      const fast = tf
        .engine()
        .runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap);
      const bits = [...(fast as tf.Tensor).dataSync()];
      // dy as [co, n, h, w] correlated with x as an [n, h, w, c] filter, or x as [c, h, w, n] with dy as [h, w, n, co].
      const byX = tf.transpose(
        tf.conv2d(tf.transpose(dy, [3, 0, 1, 2]), tf.reshape(x, [n, h, h, c]), 1, 'valid'),
        [1, 2, 3, 0],
      );
      const byDy = tf.conv2d(tf.transpose(x, [3, 1, 2, 0]), tf.transpose(dy, [1, 2, 0, 3]), 1, 'valid');
      expect([[...byX.dataSync()], [...byDy.dataSync()]]).toContainEqual(bits);
      tf.dispose([x, dy, fast as tf.Tensor, byX, byDy]);
    },
  );

  const matMulCases: [string, number[], number[], boolean, boolean][] = [
    ['a^T b (dense dW)', [37, 20], [37, 6], true, false],
    ['a b^T (dense dx)', [9, 6], [20, 6], false, true],
    ['a^T b^T', [7, 5], [3, 7], true, true],
    ['a b', [5, 7], [7, 3], false, false],
    ['batched a, one b', [3, 4, 5, 6], [6, 7], false, false],
    ['batched a^T, one b^T', [2, 6, 5], [1, 7, 6], true, true],
    ['batched a and b (own kernel)', [3, 4, 5], [3, 2, 5], false, true],
  ];
  it.each(matMulCases)('BatchMatMul %s', async (_, aShape, bShape, transposeA, transposeB) => {
    const rng = Rng.fromSeed(aShape.length * 100 + aShape[0]!);
    const inputs = { a: random(aShape, rng), b: random(bShape, rng) };
    const attrs = { transposeA, transposeB };
    await expectNoLeak(async () => {
      const out = await run('wasm', tf.BatchMatMul, inputs, attrs);
      const ref = await run('cpu', tf.BatchMatMul, inputs, attrs);
      expect(out.shape).toEqual(ref.shape);
      expect(relativeError(out.values, ref.values)).toBeLessThanOrEqual(1e-5);
    });
  });

  const reductions: [number[], number[], boolean][] = [
    [[6, 5, 4, 3], [0, 1, 2], false], // a bias gradient
    [[6, 5, 4, 3], [1, 2], true], // a global average pool
    [[6, 5, 4, 3], [0], false],
    [[6, 5, 4, 3], [3], false], // innermost: the own kernel
    [[6, 5, 4, 3], [0, 2], true], // not adjacent: the own kernel
    [[6, 5, 4, 3], [0, 1, 2, 3], false],
    [[2, 3, 4, 5, 6], [1, 2, 3], false],
    [[32, 28, 28, 16], [0, 1, 2], false],
  ];
  it.each(reductions)('Sum and Mean of [%s] over %s, keepDims %s', async (shape, axis, keepDims) => {
    const x = random(shape, Rng.fromSeed(shape.length * 10 + axis.length));
    await expectNoLeak(async () => {
      for (const kernel of [tf.Sum, tf.Mean]) {
        const out = await run('wasm', kernel, { x }, { axis, keepDims });
        const ref = await run('cpu', kernel, { x }, { axis, keepDims });
        expect(out.shape).toEqual(ref.shape);
        expect(relativeError(out.values, ref.values), kernel).toBeLessThanOrEqual(1e-4);
      }
    });
  });

  const channelCases: [number[], number[]][] = [
    [[6, 5, 4, 3], [3]], // batch norm's centring, scale and shift
    [
      [6, 5, 4, 3],
      [1, 1, 1, 3],
    ],
    [[3], [7, 3]], // the vector first
    [
      [9, 16],
      [1, 16],
    ], // a dense layer's bias
    [[2, 3, 4, 5, 6], [6]],
    [[13, 4], [4]], // a prime number of rows: the own kernel
    [[1, 1, 1, 4], [4]], // no bigger than the vector: the own kernel
    [
      [6, 5, 4, 3],
      [4, 1],
    ], // another broadcast: the own kernel
    [
      [6, 5, 4, 3],
      [6, 5, 4, 3],
    ], // same shape: the own kernel
  ];
  it.each(channelCases)(
    'Multiply, Add and Sub of [%s] and [%s] equal the cpu backend bit for bit, NaN included',
    async (aShape, bShape) => {
      const rng = Rng.fromSeed(aShape.length * 31 + bShape.length);
      const inputs = { a: random(aShape, rng), b: random(bShape, rng) };
      // A diverged batch: NaN and infinities on either side must come out as the cpu makes them.
      inputs.a.values[1] = Number.NaN;
      inputs.a.values[2] = Number.POSITIVE_INFINITY;
      inputs.b.values[0] = Number.NEGATIVE_INFINITY;
      await expectNoLeak(async () => {
        for (const kernel of [tf.Multiply, tf.Add, tf.Sub]) {
          for (const [a, b] of [
            [inputs.a, inputs.b],
            [inputs.b, inputs.a],
          ] as const) {
            const out = await run('wasm', kernel, { a, b }, {});
            const ref = await run('cpu', kernel, { a, b }, {});
            expect(out.shape, kernel).toEqual(ref.shape);
            expect(out.values, `${kernel} [${a.shape}] [${b.shape}]`).toEqual(ref.values);
          }
        }
      });
    },
  );

  it('Multiply, Add and Sub of int32 tensors go to the own kernels', async () => {
    await expectNoLeak(async () => {
      await tf.setBackend('wasm');
      const a = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
      const b = tf.tensor([10, 20, 30], [3], 'int32');
      const outs = [tf.mul(a, b), tf.add(a, b), tf.sub(b, a)];
      expect(outs.map((t) => t.dtype)).toEqual(['int32', 'int32', 'int32']);
      expect(outs.map((t) => [...t.dataSync()])).toEqual([
        [10, 40, 90, 40, 100, 180],
        [11, 22, 33, 14, 25, 36],
        [9, 18, 27, 6, 15, 24],
      ]);
      tf.dispose([a, b, ...outs]);
    });
  });

  it('Sum and Mean keep NaN and infinities as the cpu backend does (a diverged batch is still seen)', async () => {
    const x = random([4, 3, 3, 5], Rng.fromSeed(9));
    const values = x.values.slice();
    values[7] = Number.NaN; // channel 2
    values[13] = Number.POSITIVE_INFINITY; // channel 3
    const bad: Host = { values, shape: x.shape };
    await expectNoLeak(async () => {
      for (const kernel of [tf.Sum, tf.Mean]) {
        const attrs = { axis: [0, 1, 2], keepDims: false };
        const out = await run('wasm', kernel, { x: bad }, attrs);
        const ref = await run('cpu', kernel, { x: bad }, attrs);
        expect([...out.values].map(Number.isFinite), kernel).toEqual([...ref.values].map(Number.isFinite));
        expect(Number.isNaN(out.values[2])).toBe(true);
        expect(out.values[3]).toBe(Number.POSITIVE_INFINITY);
      }
    });
  });

  it('Identity and same-dtype Cast share the data, other casts convert it', async () => {
    await expectNoLeak(async () => {
      await tf.setBackend('wasm');
      const x = tf.tensor([1.5, -2.25, 3], [3]);
      const clone = tf.clone(x);
      const same = tf.cast(x, 'float32');
      const ints = tf.cast(x, 'int32');
      x.dispose();
      expect(Array.from(clone.dataSync())).toEqual([1.5, -2.25, 3]);
      expect(Array.from(same.dataSync())).toEqual([1.5, -2.25, 3]);
      expect(ints.dtype).toBe('int32');
      expect(Array.from(ints.dataSync())).toEqual([1, -2, 3]);
      tf.dispose([clone, same, ints]);
    });
  });
});
