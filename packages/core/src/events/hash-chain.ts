import { createHash } from 'node:crypto';

/** The hash a run's first event chains to. */
export const GENESIS_HASH = '';

/** JSON with object keys sorted at every level, so equal values serialize equally wherever they came from. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
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
  return createHash('sha256')
    .update(`${prevHash}\n${e.runId}\n${e.seq}\n${e.type}\n${e.v}\n${e.ts}\n${canonicalJson(e.data)}`)
    .digest('hex');
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
