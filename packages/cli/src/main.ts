import {
  ArchlabError,
  CommandContribution,
  Container,
  cutEchoes,
  EstimatorOptionShortcut,
  loadCommandModule,
  PluginLoadError,
} from '@archlab/core';
import { Command, CommanderError } from 'commander';
import { DEFAULT_PLUGINS, pluginRoots, pluginTimeoutMs } from './cli-context.js';
import { cliServices } from './cli-services.js';
import { BUILTIN_COMMANDS } from './commands/builtin-commands.js';
import { mountCommand } from './mount-command.js';

/** What plugin packages contribute to the command line: commands, and flags for estimator options. */
export interface Contributions {
  readonly commands: readonly CommandContribution[];
  readonly shortcuts: readonly EstimatorOptionShortcut[];
}

/**
 * The commands and shortcuts of the default plugin packages and of those `--plugin` names in
 * `argv`, from their light commands modules (the plugins themselves load when a command needs them).
 */
export async function loadContributions(argv: readonly string[]): Promise<Contributions> {
  const named = argv.flatMap((a, i) =>
    a === '--plugin' ? (argv[i + 1] ?? []) : a.startsWith('--plugin=') ? a.slice('--plugin='.length) : [],
  );
  const commands = new Map<string, string>(BUILTIN_COMMANDS.map((c) => [c.name, 'archlab']));
  const out = { commands: [] as CommandContribution[], shortcuts: [] as EstimatorOptionShortcut[] };
  for (const spec of new Set([...DEFAULT_PLUGINS, ...named])) {
    const loaded = await loadCommandModule(spec, pluginRoots(), { timeoutMs: pluginTimeoutMs() });
    if (!loaded) continue;
    const container = new Container();
    container.load(loaded.module);
    const all = <T>(token: symbol) => (container.isBound(token) ? container.getAll<T>(token) : []);
    for (const c of all<CommandContribution>(CommandContribution)) {
      const taken = commands.get(c.name);
      if (taken !== undefined) {
        throw new PluginLoadError(
          `plugin package '${loaded.packageName}' contributes command '${c.name}', which ${taken === 'archlab' ? 'archlab has' : `'${taken}' contributes`} already`,
        );
      }
      commands.set(c.name, loaded.packageName);
      out.commands.push(c);
    }
    out.shortcuts.push(...all<EstimatorOptionShortcut>(EstimatorOptionShortcut));
  }
  out.commands.sort((a, b) => a.name.localeCompare(b.name));
  return out;
}

/** The `archlab` program: the CLI's own commands, then the contributed ones, mounted alike. */
export function buildProgram(
  exit: (code: number) => void,
  contributed: Contributions = { commands: [], shortcuts: [] },
): Command {
  const program = new Command('archlab')
    .description('Neural architecture search with an event-sourced, resumable, verifiable log')
    .version('0.1.0')
    // Every user error is one line, `archlab: error: ...`, printed by main (so no help after it).
    .configureOutput({ outputError: () => {} })
    .showHelpAfterError(false)
    .exitOverride();
  const ctx = { services: cliServices, shortcuts: contributed.shortcuts, exit };
  for (const c of [...BUILTIN_COMMANDS, ...contributed.commands]) mountCommand(program, c, ctx);
  return program;
}

/** One line on stderr, the input it echoes cut short; exit 2. */
function userError(message: string): number {
  process.stderr.write(`archlab: error: ${cutEchoes(message)}\n`);
  return 2;
}

/** Runs the CLI; returns the exit code. User errors: one line on stderr, exit 2. */
export async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  try {
    const program = buildProgram(
      (c) => {
        code = c;
      },
      await loadContributions(argv),
    );
    await program.parseAsync(argv as string[]);
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; commander's messages start with `error: ` and may
      // add a suggestion on a line of its own.
      if (err.exitCode === 0) return 0;
      // `archlab` alone or `archlab help NOSUCH`: the usage went to stderr, and is the answer.
      if (err.code === 'commander.help') return 2;
      return userError(err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '));
    }
    if (err instanceof ArchlabError) return userError(err.message);
    process.stderr.write(
      `archlab: internal error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}
