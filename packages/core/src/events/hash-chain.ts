import { createHash, hash } from 'node:crypto';

/** The hash a run's first event chains to. */
export const GENESIS_HASH = '';

/** JSON with object keys sorted at every level, so equal values serialize equally wherever they came from. */
export function canonicalJson(value: unknown): string {
  // Hashed for every event written and replayed: plain loops, and no sort when keys come sorted.
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

export interface HashedContent {
  readonly runId: string;
  readonly seq: number;
  readonly type: string;
  readonly v: number;
  readonly ts: number;
  readonly data: unknown;
}

export function eventHash(prevHash: string, e: HashedContent): string {
  // One-shot `hash` is markedly cheaper than createHash() per event, which replay does 300k times for 100k trials.
  return hash(
    'sha256',
    `${prevHash}\n${e.runId}\n${e.seq}\n${e.type}\n${e.v}\n${e.ts}\n${canonicalJson(e.data)}`,
    'hex',
  );
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
