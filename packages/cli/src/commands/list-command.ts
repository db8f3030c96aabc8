import type { OptionSpec, OptionsSpec, PluginKind } from '@archlab/core';
import { loadRegistry } from '../cli-context.js';
import { CONFIG_SCHEMA_FILE } from '../config-file.js';
import { formatTable } from '../report/text-table.js';

export interface ListFlags {
  json?: boolean;
  plugin?: string[];
}

/** One option of a plugin as `list` shows it: its OptionSpec, named. */
export type ListedOption = { name: string } & OptionSpec;

export interface ListedPlugin {
  name: string;
  description: string;
  /** The package that bound it. */
  package?: string;
  /** Spaces it works on, where it is limited to some. */
  spaces?: readonly string[];
  options: ListedOption[];
}

/** The plugin kinds `list` shows, under the keys of its JSON. */
const KINDS: readonly { kind: PluginKind; key: string; title: string }[] = [
  { kind: 'space', key: 'spaces', title: 'search spaces (--space)' },
  { kind: 'strategy', key: 'strategies', title: 'strategies (--strategy)' },
  { kind: 'estimator', key: 'estimators', title: 'estimators (--estimator)' },
  { kind: 'hardware model', key: 'hardwareModels', title: 'hardware models (--hardware)' },
  { kind: 'store', key: 'stores', title: 'stores (--store)' },
];

function listedOptions(spec: OptionsSpec | undefined): ListedOption[] {
  return Object.entries(spec ?? {}).map(([name, s]) => ({ name, ...s }));
}

/** `[min, max]`, `≥ min`, `≤ max` or the allowed values; empty when any value of the type goes. */
export function rangeText(o: OptionSpec): string {
  if (o.type === 'enum') return o.values.join('|');
  if (o.type !== 'int' && o.type !== 'number') return '';
  if (o.min !== undefined && o.max !== undefined) return `[${o.min}, ${o.max}]`;
  if (o.min !== undefined) return `≥ ${o.min}`;
  return o.max === undefined ? '' : `≤ ${o.max}`;
}

/** Every registered space, strategy, estimator, hardware model and store, with its options. */
export async function listCommand(flags: ListFlags): Promise<number> {
  const { registry } = await loadRegistry(flags.plugin);
  const listed: Record<string, ListedPlugin[]> = {};
  for (const { kind, key } of KINDS) {
    listed[key] = registry
      .all(kind)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((f) => {
        const limited = 'spaces' in f && f.spaces ? { spaces: f.spaces } : {};
        return {
          name: f.name,
          description: f.description,
          package: registry.provider(kind, f.name)?.package,
          ...limited,
          options: listedOptions(f.options),
        };
      });
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...listed, configSchema: CONFIG_SCHEMA_FILE })}\n`);
    return 0;
  }
  const out: string[] = [];
  for (const { key, title } of KINDS) {
    out.push(`${title}:`);
    for (const p of listed[key]!) {
      const where = [p.package, p.spaces && `spaces: ${p.spaces.join(', ')}`].filter(Boolean).join('; ');
      out.push(`  ${p.name}  ${p.description}${where ? ` (${where})` : ''}`);
      if (p.options.length === 0) continue;
      const rows = p.options.map((o) => [
        o.name,
        o.type,
        JSON.stringify(o.default),
        rangeText(o),
        o.description,
      ]);
      out.push(
        formatTable(['option', 'type', 'default', 'range', 'description'], rows)
          .trimEnd()
          .split('\n')
          .map((l) => `      ${l}`)
          .join('\n'),
      );
    }
    out.push('');
  }
  out.push(`config file (--config) JSON Schema: ${CONFIG_SCHEMA_FILE}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}
