import { ConfigError, Rng } from '@archlab/core';
import type { ImageShape } from '@archlab/nn';
import { type Batch, type Dataset, makeBatch } from '@archlab/trainer-tfjs';

/**
 * The minibatch of the data-dependent proxies: `size` training images drawn without
 * replacement from `seed` (the same images for every architecture), normalised as training
 * normalises them, then fitted to the network's input by {@link fitImages}.
 */
export function proxyBatch(dataset: Dataset, size: number, seed: number, inputShape: ImageShape): Batch {
  const { count } = dataset.train;
  if (size > count) {
    throw new ConfigError(
      `the proxy minibatch needs ${size} images but '${dataset.name}' has ${count} training images; lower batch-size`,
    );
  }
  const rng = Rng.fromSeed(`zero-cost-batch/${seed}`);
  const chosen = new Set<number>();
  while (chosen.size < size) chosen.add(rng.int(count));
  const batch = makeBatch(dataset, dataset.train, [...chosen]);
  const black = dataset.mean.map((m, c) => -m / dataset.std[c]!);
  return { ...batch, images: fitImages(batch.images, size, dataset.imageShape, inputShape, black) };
}

/**
 * NHWC images of shape `from` resized to `to` without resampling: centred, padded with `fill`
 * (per source channel: the normalised value of a black pixel, what the data set's borders
 * are) where `to` is larger and cropped where it is smaller; channels are repeated cyclically,
 * so a grey image becomes three equal colour planes. Fashion-MNIST's 28×28×1 becomes
 * NAS-Bench-201's 32×32×3 with 2 black pixels on each side.
 */
export function fitImages(
  images: Float32Array,
  count: number,
  from: readonly [number, number, number],
  to: readonly [number, number, number],
  fill: readonly number[],
): Float32Array {
  const [h, w, c] = from;
  const [H, W, C] = to;
  if (h === H && w === W && c === C) return images;
  const top = Math.floor((H - h) / 2);
  const left = Math.floor((W - w) / 2);
  const out = new Float32Array(count * H * W * C);
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < H; y++) {
      const sy = y - top;
      for (let x = 0; x < W; x++) {
        const sx = x - left;
        const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
        const src = ((n * h + sy) * w + sx) * c;
        const dst = ((n * H + y) * W + x) * C;
        for (let ch = 0; ch < C; ch++) out[dst + ch] = inside ? images[src + (ch % c)]! : fill[ch % c]!;
      }
    }
  }
  return out;
}
