import type { Rng } from '@archlab/core';
import { type Dataset, imageSize, type Split } from './dataset.js';

/** Random crop after zero padding, and a horizontal flip half of the time, drawn from `rng`. */
export interface Augmentation {
  /** Pixels of padding on each side before the crop back to the original size (0: no crop). */
  readonly padding: number;
  readonly flip: boolean;
  readonly rng: Rng;
}

/** A batch as plain arrays: NHWC images normalised per channel, and class indices. */
export interface Batch {
  readonly size: number;
  readonly images: Float32Array;
  readonly labels: Int32Array;
}

/**
 * Copies the images `indices` of `split` into a float batch, normalised with the data set's
 * per-channel mean and standard deviation. Padding counts as black (pixel value 0), as in
 * torchvision's `RandomCrop(padding=...)`.
 */
export function makeBatch(
  dataset: Pick<Dataset, 'imageShape' | 'mean' | 'std'>,
  split: Split,
  indices: ArrayLike<number>,
  augmentation?: Augmentation,
): Batch {
  const [h, w, c] = dataset.imageShape;
  const size = indices.length;
  const bytes = imageSize(dataset);
  const lut = normalisationTable(dataset);
  const images = new Float32Array(size * bytes);
  const labels = new Int32Array(size);
  for (let b = 0; b < size; b++) {
    const src = indices[b]! * bytes;
    const dst = b * bytes;
    labels[b] = split.labels[indices[b]!]!;
    if (!augmentation) {
      for (let k = 0; k < bytes; k++) images[dst + k] = lut[(k % c) * 256 + split.images[src + k]!]!;
      continue;
    }
    const { padding: p, flip, rng } = augmentation;
    const dy = p > 0 ? rng.int(2 * p + 1) - p : 0;
    const dx = p > 0 ? rng.int(2 * p + 1) - p : 0;
    const mirror = flip && rng.float() < 0.5;
    for (let y = 0; y < h; y++) {
      const sy = y + dy;
      for (let x = 0; x < w; x++) {
        const sx = (mirror ? w - 1 - x : x) + dx;
        const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
        for (let ch = 0; ch < c; ch++) {
          const value = inside ? split.images[src + (sy * w + sx) * c + ch]! : 0;
          images[dst + (y * w + x) * c + ch] = lut[ch * 256 + value]!;
        }
      }
    }
  }
  return { size, images, labels };
}

/** `table[ch * 256 + v]` = (v / 255 - mean[ch]) / std[ch]. */
function normalisationTable(dataset: Pick<Dataset, 'imageShape' | 'mean' | 'std'>): Float32Array {
  const c = dataset.imageShape[2];
  const table = new Float32Array(256 * c);
  for (let ch = 0; ch < c; ch++) {
    for (let v = 0; v < 256; v++) table[ch * 256 + v] = (v / 255 - dataset.mean[ch]!) / dataset.std[ch]!;
  }
  return table;
}
