import { echo, InvalidOptionError } from '../errors.js';

/** One option of a plugin: its type, bounds and default. Values from the CLI arrive as strings and are coerced. */
export type OptionSpec =
  | { type: 'int'; default: number; min?: number; max?: number; description: string }
  | { type: 'number'; default: number; min?: number; max?: number; description: string }
  | { type: 'boolean'; default: boolean; description: string }
  | { type: 'enum'; default: string; values: readonly string[]; description: string }
  | { type: 'string'; default: string; description: string };

export type OptionsSpec = Readonly<Record<string, OptionSpec>>;

type ValueOf<S extends OptionSpec> = S extends { type: 'int' | 'number' }
  ? number
  : S extends { type: 'boolean' }
    ? boolean
    : string;

export type OptionValues<S extends OptionsSpec> = { -readonly [K in keyof S]: ValueOf<S[K]> };

/**
 * Validates `raw` against `spec`: unknown names, wrong types and out-of-range values are
 * InvalidOptionErrors naming the owner, the option and what is allowed. Missing ones get defaults.
 */
export function parseOptions<S extends OptionsSpec>(
  owner: string,
  spec: S,
  raw: Readonly<Record<string, unknown>> = {},
): OptionValues<S> {
  const unknown = Object.keys(raw).filter((k) => !Object.hasOwn(spec, k));
  if (unknown.length) {
    const known = Object.keys(spec);
    throw new InvalidOptionError(
      `${owner}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${echo(k)}'`).join(', ')}; known options: ${known.length ? known.join(', ') : '(none)'}`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(spec)) {
    out[name] = Object.hasOwn(raw, name) ? coerce(owner, name, s, raw[name]) : s.default;
  }
  return out as OptionValues<S>;
}

function coerce(owner: string, name: string, s: OptionSpec, value: unknown): unknown {
  const fail = (what: string): never => {
    throw new InvalidOptionError(
      `${owner}: option '${name}' ${what}, got ${typeof value === 'string' ? JSON.stringify(echo(value)) : echo(JSON.stringify(value) ?? String(value))}`,
    );
  };
  switch (s.type) {
    case 'int':
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n))
        return fail(`must be a ${s.type === 'int' ? 'whole ' : ''}number`);
      if (s.type === 'int' && !Number.isInteger(n)) return fail('must be a whole number');
      // Beyond 2^53 a number is rounded: 9007199254740993 would silently become ...992.
      if (s.type === 'int' && !Number.isSafeInteger(n))
        return fail(`must be a whole number of at most ${Number.MAX_SAFE_INTEGER} in size`);
      if (s.min !== undefined && n < s.min) return fail(`must be at least ${s.min}`);
      if (s.max !== undefined && n > s.max) return fail(`must be at most ${s.max}`);
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return fail('must be true or false');
    case 'enum':
      if (typeof value !== 'string' || !s.values.includes(value))
        return fail(`must be one of ${s.values.join(', ')}`);
      return value;
    case 'string':
      if (typeof value !== 'string') return fail('must be a string');
      return value;
    default: {
      const unreachable: never = s;
      return unreachable;
    }
  }
}
