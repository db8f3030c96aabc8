import type { PluginRegistry } from '../di/plugin-registry.js';
import type { RunOutcome, Search, SearchDeps } from '../engine/search.js';
import type { Metrics } from '../events/event.js';
import type { EventStore } from '../store/event-store.js';

/**
 * How a flag's text becomes its value. Absent: the text itself (or `true` for a flag without a
 * value). `integer`: a whole number ≥ `min` that a double holds exactly. A function may throw
 * (any Error): its message is the user's one-line error.
 */
export type CommandOptionParse = { readonly integer: { readonly min: number } } | ((text: string) => unknown);

/** One option of a contributed command. */
export interface CommandOption {
  /** As the help shows it: `--sample <n>`, `-q, --quiet`, `--proxy <list>`. */
  readonly flags: string;
  readonly description: string;
  readonly parse?: CommandOptionParse;
  /** Every occurrence is kept: the value is the array of them, in order. */
  readonly repeatable?: boolean;
  readonly required?: boolean;
  readonly default?: unknown;
  /** The default as the help shows it, where it is not the value itself. */
  readonly defaultText?: string;
  /** The only values allowed. */
  readonly choices?: readonly string[];
}

/** A positional argument: `<run>` (required) or `[run]`. */
export interface CommandArgument {
  readonly name: string;
  readonly required: boolean;
  /** The last argument may take several values (`RUN...`); each is one entry of `args`. */
  readonly variadic?: boolean;
}

/** What a contributed command's action receives. */
export interface CommandInput<Options extends object = Readonly<Record<string, unknown>>> {
  /** The positional arguments, in the order declared (a variadic one's values last, one entry each). */
  readonly args: readonly string[];
  /** The options by camel-cased long name (`--proxy-option` → `proxyOption`), parsed, defaults filled in. */
  readonly options: Options;
}

/** The flags a command that opens a run database takes. */
export interface StoreFlags {
  db?: string;
  store?: string;
  storeOption?: string[];
  plugin?: string[];
}

/** An open run database, with the plugins loaded. */
export interface OpenedStore {
  readonly registry: PluginRegistry;
  readonly store: EventStore;
  /** The absolute path of the database. */
  readonly dbPath: string;
  /** What `Search.start`/`Search.begin` need to write a run into this store. */
  readonly searchDeps: SearchDeps;
}

/** The flags that name one architecture: given, or a stored run's best. */
export interface TargetFlags extends StoreFlags {
  space?: string;
  spaceOption?: string[];
  arch?: string;
  /** A stored run (id or unique prefix) in `db`. */
  run?: string;
}

/** The architecture a command acts on, and where it came from. */
export interface CommandTarget {
  readonly space: string;
  readonly spaceOptions: Readonly<Record<string, unknown>>;
  readonly arch: string;
  /** The run's estimator, with `--run`. */
  readonly estimator?: string;
  /** With `--run`: the run, and the trial whose architecture it is (absent when `--arch` named it). */
  readonly source?: { readonly runId: string; readonly trialId?: number };
}

/**
 * What the CLI lends a command: its plugins, its store, its output conventions. A command throws
 * an `ArchlabError` for a user's mistake (the CLI prints its message on one line and exits 2).
 */
export interface CommandServices {
  /** The CLI's plugin packages and `extra` (a command's `--plugin`) loaded. */
  loadPlugins(extra?: readonly string[]): Promise<PluginRegistry>;
  /** Where plugin packages are looked up by name: the working folder, then the CLI's own. */
  pluginRoots(): readonly string[];
  /** Opens the run database of `--db` (an error if it must exist and does not). Close its store when done. */
  openStore(flags: StoreFlags, mustExist: boolean): Promise<OpenedStore>;
  /** `--space/--arch`, or with `--run` (and `store`, open) the run's space, options and best architecture. */
  target(flags: TargetFlags, store?: EventStore): Promise<CommandTarget>;
  /** Runs a search to its end; a first Ctrl-C or SIGTERM stops it cleanly (status `interrupted`). */
  runToEnd(search: Search): Promise<RunOutcome>;
  /** Repeated `k=v` flags as an options object; `flag` names the flag in the error. */
  keyValues(pairs: readonly string[] | undefined, flag: string): Record<string, string>;
  /** A line on stdout: the command's answer. */
  out(line: string): void;
  /** `archlab: warning: …` on stderr. */
  warn(message: string): void;
  /** A progress line on stderr. */
  progress(line: string): void;
  /** One step of a trial's progress (`epoch 2/5 loss 0.41 ...`) as the CLI prints it. */
  stepLine(step: number, metrics: Metrics, elapsedMs: number, steps?: number): string;
  /** Metrics as the CLI prints them, `separator` between them. */
  metricsText(metrics: Metrics, separator?: string): string;
}

/**
 * A CLI command a plugin package contributes: bound (`toConstantValue`) under the token of the
 * same name in the package's commands module (its package.json's `archlab.commands`), which the
 * CLI loads at start-up to mount every command. Keep that module light: `run` should import the
 * command's body, so that mounting costs nothing. No dependency on a CLI parser.
 */
export interface CommandContribution {
  readonly name: string;
  readonly description: string;
  readonly arguments?: readonly CommandArgument[];
  readonly options: readonly CommandOption[];
  /** Mount the estimator option shortcuts (after `--estimator-option`, which the command declares). */
  readonly estimatorShortcuts?: boolean;
  /** Runs the command; resolves to the exit code. */
  run(input: CommandInput, cli: CommandServices): Promise<number>;
}

/** A command whose action reads its options as `Options`, the shape its declared options give. */
export interface CommandDefinition<Options extends object> extends Omit<CommandContribution, 'run'> {
  run(input: CommandInput<Options>, cli: CommandServices): Promise<number>;
}

/** A command contribution from a definition whose action reads typed options. */
export function defineCommand<Options extends object>(
  definition: CommandDefinition<Options>,
): CommandContribution {
  // The CLI builds the options object from `definition.options`; the type is the author's word for it.
  return definition as unknown as CommandContribution;
}
// Symbol.for: a plugin built against another copy of @archlab/core still binds the same token.
export const CommandContribution: unique symbol = Symbol.for('archlab.CommandContribution');

/**
 * A flag that sets one option of an estimator, mounted on every command that takes
 * `--estimator-option` and asks for shortcuts: `--epochs 5` is `--estimator-option epochs=5`,
 * with the value parsed (and winning over `--estimator-option`). The estimator's package binds it
 * in its commands module; its description says whose option it is.
 */
export interface EstimatorOptionShortcut {
  /** The option's name in the estimator's options. */
  readonly option: string;
  /** The flag, e.g. `--epochs <n>`; its description and parser as for a command's option. */
  readonly flags: string;
  readonly description: string;
  readonly parse?: CommandOptionParse;
}
export const EstimatorOptionShortcut: unique symbol = Symbol.for('archlab.EstimatorOptionShortcut');
