import { parseArgs } from 'node:util';
import { ArchlabError, parseOptions } from '../packages/core/dist/index.js';

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

/** `benchFlags`, a bad flag printed as `NAME: message` with exit status 2. */
export function benchFlagsOrExit(name, spec, argv = process.argv.slice(2)) {
  try {
    return benchFlags(name, spec, argv);
  } catch (err) {
    if (!(err instanceof ArchlabError || err instanceof TypeError)) throw err;
    process.stderr.write(`${name}: ${err.message.replace(new RegExp(`^${name}: `), '')}\n`);
    process.exit(2);
  }
}
