#!/usr/bin/env node
// `pnpm bench NAME` builds the packages, then runs bench/NAME/main.mjs. Each benchmark prints
// its figures on one line: `bench NAME key=value ...`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'main.mjs')))
  .map((d) => d.name);
const name = process.argv[2];
if (!name || !names.includes(name)) {
  process.stderr.write(`usage: pnpm bench NAME [args]\nbenchmarks: ${names.join(', ')}\n`);
  process.exit(2);
}
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-b', join(here, '../packages/cli')], { stdio: 'inherit' });
execFileSync(process.execPath, [join(here, name, 'main.mjs'), ...process.argv.slice(3)], {
  stdio: 'inherit',
});
