// Writes schema/config.schema.json from the schema the config parser uses (run after a build:
// `pnpm --filter @archlab/cli schema`). A test fails while the shipped file is out of date.
import { writeFileSync } from 'node:fs';
import { CONFIG_SCHEMA_FILE, configJsonSchema } from '../dist/config-file.js';

writeFileSync(CONFIG_SCHEMA_FILE, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
process.stderr.write(`wrote ${CONFIG_SCHEMA_FILE}\n`);
