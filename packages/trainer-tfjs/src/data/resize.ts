import { ConfigError } from '@archlab/core';
import type { Dataset, Split } from './dataset.js';
import type { Samples, TrainingData } from './split.js';

/**
 * `count` images of `from` = [h, w, c] bytes each, resized bilinearly to `to` = [H, W] (same
 * channels), rounded to the nearest byte. Pixel centres are aligned (`half_pixel_centers`, as
 * tf.image.resizeBilinear with halfPixelCenters, PIL and OpenCV without antialiasing): output
 * pixel (y, x) samples the input at ((y + 0.5)·h/H − 0.5, (x + 0.5)·w/W − 0.5), clamped to the
 * image.
 */
export function resizeBilinear(
  images: Uint8Array,
  count: number,
  from: readonly [number, number, number],
  to: readonly [number, number],
): Uint8Array {
  const [h, w, c] = from;
  const [H, W] = to;
  if (H === h && W === w) return images;
  const taps = (n: number, size: number) =>
    Array.from({ length: n }, (_, i) => {
      const at = Math.min(Math.max((i + 0.5) * (size / n) - 0.5, 0), size - 1);
      const lo = Math.floor(at);
      return { lo, hi: Math.min(lo + 1, size - 1), t: at - lo };
    });
  const ys = taps(H, h);
  const xs = taps(W, w);
  const out = new Uint8Array(count * H * W * c);
  for (let n = 0; n < count; n++) {
    const src = n * h * w * c;
    const dst = n * H * W * c;
    for (let y = 0; y < H; y++) {
      const { lo: y0, hi: y1, t: ty } = ys[y]!;
      for (let x = 0; x < W; x++) {
        const { lo: x0, hi: x1, t: tx } = xs[x]!;
        for (let ch = 0; ch < c; ch++) {
          const at = (yy: number, xx: number) => images[src + (yy * w + xx) * c + ch]!;
          const top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * tx;
          const bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * tx;
          out[dst + (y * W + x) * c + ch] = Math.round(top + (bottom - top) * ty);
        }
      }
    }
  }
  return out;
}

const resized = new WeakMap<Dataset, Map<string, Dataset>>();

/**
 * The data set with every image resized bilinearly to `shape`'s height and width (see
 * {@link resizeBilinear}): how images reach a network whose architecture picks its input
 * resolution (mbv3), before it, so the network itself takes `shape`. Labels, classes and the
 * normalisation (mean, std) stay the data set's. `dataset` itself when the sizes already match;
 * made once per data set and size in a thread. A different channel count is a ConfigError.
 */
export function resizeDataset(dataset: Dataset, shape: readonly [number, number, number]): Dataset {
  const [h, w, c] = dataset.imageShape;
  const [H, W, C] = shape;
  if (C !== c) {
    throw new ConfigError(`a network taking ${C}-channel images cannot read data set ${dataset.name}'s ${c}-channel images`);
  }
  if (H === h && W === w) return dataset;
  let sizes = resized.get(dataset);
  if (!sizes) resized.set(dataset, (sizes = new Map()));
  const key = `${H}x${W}`;
  let out = sizes.get(key);
  if (!out) {
    const split = (s: Split): Split => ({
      count: s.count,
      images: resizeBilinear(s.images, s.count, dataset.imageShape, [H, W]),
      labels: s.labels,
    });
    out = { ...dataset, imageShape: [H, W, c], train: split(dataset.train), test: split(dataset.test) };
    sizes.set(key, out);
  }
  return out;
}

/**
 * `data` with its data set resized to `shape` (see {@link resizeDataset}): the same samples,
 * their indices pointing into the resized splits. `data` itself when the sizes already match.
 */
export function resizeTrainingData(data: TrainingData, shape: readonly [number, number, number]): TrainingData {
  const dataset = resizeDataset(data.dataset, shape);
  if (dataset === data.dataset) return data;
  const samples = (s: Samples): Samples => ({
    split: s.split === data.dataset.train ? dataset.train : dataset.test,
    indices: s.indices,
  });
  return { dataset, train: samples(data.train), val: samples(data.val), test: samples(data.test) };
}
