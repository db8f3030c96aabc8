import { DataError } from '@archlab/core';
import * as tf from '@tensorflow/tfjs-core';
import type { Network } from './network.js';

/** The artifact format of the weights the `train` estimator saves: what `ArtifactRef.format` says. */
export const SAFETENSORS_FORMAT = 'safetensors';

/** One float32 tensor of a safetensors file. */
export interface NamedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * Encodes tensors in the safetensors format (8-byte little-endian header length, a JSON header
 * of dtypes, shapes and byte ranges, then the raw little-endian data), which Python's
 * `safetensors` and PyTorch read as they are. The tensors keep their order, so equal tensors
 * give equal bytes. `metadata` goes in the header's `__metadata__` (strings only).
 */
export function encodeSafetensors(
  tensors: readonly NamedTensor[],
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (Object.hasOwn(header, t.name) || t.name === '__metadata__')
      throw new Error(`safetensors: tensor name '${t.name}' is used twice`);
    if (t.shape.reduce((a, b) => a * b, 1) !== t.data.length) {
      throw new Error(`safetensors: tensor '${t.name}' has ${t.data.length} values, not shape [${t.shape}]`);
    }
    header[t.name] = {
      dtype: 'F32',
      shape: [...t.shape],
      data_offsets: [offset, offset + t.data.byteLength],
    };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // The data starts 8-byte aligned, as the format recommends: padded with spaces.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + head.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.byteLength), true);
  out.set(head, 8);
  let at = 8 + head.byteLength;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** Reads what `encodeSafetensors` wrote (float32 tensors); a malformed file is a DataError. */
export function decodeSafetensors(bytes: Uint8Array): {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
} {
  const fail = (why: string): never => {
    throw new DataError(`not a float32 safetensors file: ${why}`);
  };
  if (bytes.byteLength < 8) fail('shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = Number(view.getBigUint64(0, true));
  if (8 + length > bytes.byteLength) fail(`its header of ${length} bytes runs past the end`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8'));
  } catch {
    return fail('its header is not JSON');
  }
  const { __metadata__: metadata, ...entries } = header as Record<string, never>;
  const base = 8 + length;
  const tensors = Object.entries(entries).map(([name, e]: [string, (typeof header)[string]]) => {
    const [begin, end] = e.data_offsets;
    if (e.dtype !== 'F32') fail(`tensor '${name}' is ${e.dtype}`);
    if (!(begin <= end && base + end <= bytes.byteLength)) fail(`tensor '${name}' runs past the end`);
    // Copied: a Float32Array needs 4-byte alignment, which a slice of the file may not have.
    const data = new Float32Array((end - begin) / 4);
    new Uint8Array(data.buffer).set(bytes.subarray(base + begin, base + end));
    return { name, shape: e.shape, data };
  });
  return { tensors, metadata: metadata ?? {} };
}

/**
 * A network's weights and buffers (batch-norm running statistics) as named tensors, in the order
 * of `variables` then `buffers`, each named `LAYER/PARAM` as in `layers()`, without the
 * process-unique prefix of the tfjs variable names.
 */
export function networkTensors(net: Network): NamedTensor[] {
  return [...net.variables, ...net.buffers].map((v) => ({
    name: weightName(v),
    shape: v.shape,
    data: v.dataSync() as Float32Array,
  }));
}

/** A network's weights as safetensors (see `networkTensors`). */
export function networkWeights(net: Network, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  return encodeSafetensors(networkTensors(net), metadata);
}

/**
 * Sets a network's weights and buffers to those of a safetensors file that `networkWeights` wrote
 * for the same architecture. Every tensor must be there with its shape, and no other: a file of
 * another architecture is a DataError naming the first tensor that differs, and the network is
 * left as it was.
 */
export function loadNetworkWeights(net: Network, bytes: Uint8Array): void {
  const { tensors } = decodeSafetensors(bytes);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const targets = [...net.variables, ...net.buffers];
  const wanted = new Set(targets.map(weightName));
  const extra = tensors.find((t) => !wanted.has(t.name));
  if (extra)
    throw new DataError(
      `the weights hold '${extra.name}', which this network has not: they are another architecture's`,
    );
  for (const v of targets) {
    const t = byName.get(weightName(v));
    if (!t) throw new DataError(`the weights lack '${weightName(v)}': they are another architecture's`);
    if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
      throw new DataError(
        `the weights' '${t.name}' is [${t.shape.join(', ')}], the network's [${v.shape.join(', ')}]: they are another architecture's`,
      );
    }
  }
  for (const v of targets) {
    const t = byName.get(weightName(v))!;
    tf.tidy(() => v.assign(tf.tensor(t.data, [...t.shape], 'float32')));
  }
}

/** `LAYER/PARAM`: a tfjs variable's name without the network's process-unique prefix. */
function weightName(v: tf.Variable): string {
  return v.name.slice(v.name.indexOf('/') + 1);
}
