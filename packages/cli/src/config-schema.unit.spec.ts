import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_FILE, ConfigFileSchema, configJsonSchema } from './config-file.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const shipped = JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(shipped);

/**
 * The README's example config files: each ```json block that the text just before it introduces
 * as a config file, and the inline `"screen": …` example (wrapped in braces).
 */
function readmeConfigs(): { where: string; config: unknown }[] {
  const out: { where: string; config: unknown }[] = [];
  for (const m of README.matchAll(/```json\n([\s\S]*?)```/g)) {
    const before = README.slice(Math.max(0, m.index - 600), m.index);
    if (!/config file/i.test(before)) continue;
    out.push({
      where: `README line ${README.slice(0, m.index).split('\n').length}`,
      config: JSON.parse(m[1]!),
    });
  }
  const screen = /In a config file: `("screen": [\s\S]*?)`/.exec(README);
  if (screen)
    out.push({
      where: 'README screen example',
      config: JSON.parse(`{${screen[1]!.replace(/`\s*`/g, ' ')}}`),
    });
  return out;
}

describe('the config file JSON Schema shipped with the CLI', () => {
  it("is what the generator writes from the parser's schema (run `pnpm --filter @archlab/cli schema` after a change)", () => {
    expect(shipped).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });

  it('accepts every example config of the README, as the parser does', () => {
    const examples = readmeConfigs();
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const { where, config } of examples) {
      expect(ConfigFileSchema.safeParse(config).success, where).toBe(true);
      expect(validate(config), `${where}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('refuses what the parser refuses: a misspelt key, a wrong type, a bad objective, an unknown screen field', () => {
    const bad = [
      { trails: 10 },
      { trials: '10' },
      { trials: 0 },
      { seed: 1.5 },
      { objective: 'test_acc:up' },
      { hardware: [{ name: 'lut', opts: {} }] },
      { screen: { estimator: 'zc:synflow', warmup: { pool: 10, size: 2 } } },
      { reward: { metric: 'latency_ms', target: -1 } },
    ];
    for (const config of bad) {
      expect(ConfigFileSchema.safeParse(config).success, JSON.stringify(config)).toBe(false);
      expect(validate(config), JSON.stringify(config)).toBe(false);
    }
  });
});
