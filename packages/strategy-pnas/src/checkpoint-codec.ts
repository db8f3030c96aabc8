/**
 * Checkpoint bytes for the strategies of this package: JSON in which Float32Arrays travel as
 * base64 of their bytes (little-endian, as every platform Node runs on) and non-finite numbers
 * as strings, so weights and NaN scores come back exactly.
 */
export function encodeCheckpoint(value: unknown): Uint8Array {
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Float32Array)
      return { $f32: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
    return v;
  });
  return new TextEncoder().encode(json);
}

/** Inverse of `encodeCheckpoint`. */
export function decodeCheckpoint(bytes: Uint8Array): unknown {
  return JSON.parse(new TextDecoder().decode(bytes), (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null) return v;
    if ('$f32' in v && typeof v.$f32 === 'string') {
      const raw = Buffer.from(v.$f32, 'base64');
      // Copied into a fresh buffer: a Float32Array needs 4-byte alignment, which Buffer's pool does not promise.
      const out = new Float32Array(raw.byteLength / 4);
      new Uint8Array(out.buffer).set(raw);
      return out;
    }
    if ('$num' in v && typeof v.$num === 'string') return Number(v.$num);
    return v;
  });
}
