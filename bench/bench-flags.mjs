import { parseArgs } from 'node:util';
import { parseOptions } from '../packages/core/dist/index.js';

/**
 * A bench's `--NAME VALUE` flags, checked against `spec` (an archlab OptionsSpec: the same typed
 * one-line errors as plugin options, defaults filled). `--help` lists them and exits; a bad flag
 * throws (the bench prints it as its one-line error).
 */
export function benchFlags(name, spec, argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(Object.keys(spec).map((k) => [k, { type: 'string' }])),
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    const width = Math.max(...Object.keys(spec).map((k) => k.length)) + 2;
    for (const [k, s] of Object.entries(spec))
      process.stdout.write(
        `  --${k.padEnd(width)} ${s.description} (default ${s.default === '' ? 'see above' : s.default})\n`,
      );
    process.exit(0);
  }
  const { help: _, ...raw } = values;
  return parseOptions(name, spec, raw);
}
