import ort from 'onnxruntime-node';
import { expect } from 'vitest';

// What the export tests do with an exported model: run it in onnxruntime-node, compare outputs.

/** onnxruntime's logits for `images` (NHWC, `shape`) from the model at `file`. */
export async function runOnnx(
  file: string,
  images: Float32Array,
  shape: readonly number[],
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(file);
  try {
    const out = await session.run({ input: new ort.Tensor('float32', images, [...shape]) });
    expect(out.logits!.dims[0]).toBe(shape[0]);
    return out.logits!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** The largest absolute difference of two equally long arrays. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
