import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@archlab/core';
import { z } from 'zod';

const objectiveText = z.string().regex(/^[\w.-]+:(max|min)$/, 'expected METRIC:max or METRIC:min');

/**
 * `archlab.config.json`: the same settings as the flags; a flag given on the command line wins
 * (a repeatable flag given at all replaces the file's whole list).
 */
export const ConfigFileSchema = z
  .object({
    $schema: z.string().optional(),
    db: z.string().min(1).optional(),
    store: z.string().min(1).optional(),
    plugins: z.array(z.string().min(1)).optional(),
    space: z.string().min(1).optional(),
    spaceOptions: z.record(z.string(), z.unknown()).optional(),
    estimator: z.string().min(1).optional(),
    estimatorOptions: z.record(z.string(), z.unknown()).optional(),
    strategy: z.string().min(1).optional(),
    strategyOptions: z.record(z.string(), z.unknown()).optional(),
    trials: z.number().int().positive().optional(),
    wallTime: z.number().positive().describe('seconds').optional(),
    seed: z.number().int().nonnegative().optional(),
    concurrency: z.number().int().positive().optional(),
    objective: objectiveText.optional(),
    objectives: z.array(objectiveText).min(1).optional().describe('the first is the primary objective'),
    constraints: z.array(z.string().min(1).describe('METRIC<=NUMBER (or >=, <, >)')).optional(),
    hardware: z
      .array(
        z.union([
          z.string().min(1).describe('NAME or NAME:key=value,...'),
          z
            .object({ name: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() })
            .strict(),
        ]),
      )
      .optional(),
    reward: z
      .union([
        z.string().min(1).describe('mnas:METRIC=TARGET[,alpha=A][,beta=B]'),
        z
          .object({
            kind: z.literal('mnas').optional(),
            metric: z.string().min(1),
            target: z.number().positive(),
            alpha: z.number().optional(),
            beta: z.number().optional(),
          })
          .strict(),
      ])
      .optional(),
    checkpointEvery: z.number().int().nonnegative().optional(),
    screen: z
      .object({
        estimator: z.string().min(1).describe('NAME or NAME:key=value,...'),
        options: z.record(z.string(), z.unknown()).optional(),
        metric: z.string().min(1).optional(),
        warmup: z
          .union([
            z.string().min(1).describe('POOL[:TOP]'),
            z
              .object({ pool: z.number().int().positive(), top: z.number().int().positive().optional() })
              .strict(),
          ])
          .optional(),
        filter: z
          .union([
            z.string().min(1).describe('FRACTION[:MIN]'),
            z.object({ fraction: z.number(), min: z.number().int().nonnegative().optional() }).strict(),
          ])
          .optional(),
      })
      .strict()
      .optional()
      .describe('zero-cost screening: a warm-up, a pre-filter or both'),
  })
  .strict();

export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** Where the CLI package ships the config file's JSON Schema (written from `configJsonSchema()`). */
export const CONFIG_SCHEMA_FILE = fileURLToPath(new URL('../schema/config.schema.json', import.meta.url));

/**
 * The config file's JSON Schema, generated from the schema the parser uses, so an editor that
 * validates against it accepts exactly what `--config` does.
 */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ConfigFileSchema, { target: 'draft-2020-12' }),
    title: 'archlab config file',
    description: "settings for 'archlab search --config FILE'; flags given on the command line win",
  };
}

export function readConfigFile(path: string): ConfigFile {
  if (!existsSync(path)) throw new ConfigError(`config file '${path}' does not exist`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`config file '${path}' is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new ConfigError(`config file '${path}' is invalid: ${issues.join('; ')}`);
  }
  return parsed.data;
}
