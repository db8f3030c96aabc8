/**
 * Errors a user can cause. Each carries a stable `code` and a one-line message that says
 * what to do; the CLI prints the message without a stack trace and exits 2.
 */
export abstract class ArchlabError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** How much of a user's input an error message echoes. */
export const ECHO_CHARS = 80;

/**
 * A user's input as an error message echoes it: cut to `max` characters, saying how long it
 * was, so a 50 MB config value or argument gives a one-line error, not 50 MB of it.
 */
export function echo(input: string, max = ECHO_CHARS): string {
  if (input.length <= max || CUT.test(input.slice(max))) return input;
  return `${input.slice(0, max)}…(${input.length} chars)`;
}

/** The end `echo` gives a cut input: cutting it again would lose the length it says. */
const CUT = /^…\(\d+ chars\)$/;

/**
 * A message with every quoted part ('…' or "…") cut by `echo`, and the whole cut to `max`: for
 * messages whose parts the CLI does not build (the option parser's, a third party's plugin's).
 */
export function cutEchoes(message: string, max = 2000): string {
  return echo(
    message.replace(/'[^'\n]*'|"(?:[^"\\\n]|\\.)*"/g, (q) => `${q[0]}${echo(q.slice(1, -1))}${q[0]}`),
    max,
  );
}

export class UnknownPluginError extends ArchlabError {
  readonly code = 'UNKNOWN_PLUGIN';
  constructor(
    readonly kind: string,
    readonly pluginName: string,
    readonly known: readonly string[],
  ) {
    super(
      `unknown ${kind} '${echo(pluginName)}'; known ${plural(kind)}: ${known.length ? [...known].sort().join(', ') : '(none registered)'}`,
    );
  }
}

function plural(noun: string): string {
  return noun.endsWith('y') ? `${noun.slice(0, -1)}ies` : `${noun}s`;
}

export class PluginLoadError extends ArchlabError {
  readonly code = 'PLUGIN_LOAD';
}

/** A recorded run uses a plugin that no loaded package provides; the message names the package to load. */
export class MissingRunPluginError extends ArchlabError {
  readonly code = 'MISSING_RUN_PLUGIN';
}

export class MalformedArchitectureError extends ArchlabError {
  readonly code = 'MALFORMED_ARCHITECTURE';
  constructor(
    readonly space: string,
    readonly key: string,
    readonly reason: string,
  ) {
    super(`malformed ${space} architecture '${echo(key)}': ${reason}`);
  }
}

export class UnknownRunError extends ArchlabError {
  readonly code = 'UNKNOWN_RUN';
  constructor(
    readonly runId: string,
    hint = "list the runs with 'archlab runs --db FILE'",
  ) {
    super(`unknown run '${echo(runId)}'; ${hint}`);
  }
}

/** An append at a position that is no longer the end of the run's log (another writer got there first). */
export class ConcurrencyConflictError extends ArchlabError {
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(
    readonly runId: string,
    readonly expectedSeq: number,
    readonly actualSeq: number,
  ) {
    super(
      `run '${runId}' was appended to by another writer (expected last seq ${expectedSeq}, found ${actualSeq}); nothing was written — is another 'archlab' process working on this run?`,
    );
  }
}

export class ConfigError extends ArchlabError {
  readonly code = 'INVALID_CONFIG';
}

export class InvalidOptionError extends ArchlabError {
  readonly code = 'INVALID_OPTION';
}

/** A plugin is asked for an operation it does not provide, e.g. a strategy that needs `mutate` on a space without it. */
export class MissingCapabilityError extends ArchlabError {
  readonly code = 'MISSING_CAPABILITY';
}

/** A data set, table or file a plugin needs is missing or damaged; the message says how to get it. */
export class DataError extends ArchlabError {
  readonly code: string = 'DATA';
}

export class StoreError extends ArchlabError {
  readonly code: string = 'STORE';
}

/** A file the user named for output cannot be written there: it is the database, a folder, or the disk is full. */
/**
 * The trial runner can no longer reach where trials run (a queue server gone): the run stops
 * cleanly, the trials in flight left unfinished for `resume`, instead of failing them.
 */
export class RunnerUnavailableError extends ArchlabError {
  readonly code = 'RUNNER_UNAVAILABLE';
}

/**
 * Thrown by a strategy's `ask` when the run cannot go on (a one-shot method's supernet diverged):
 * the run stops with this error instead of recording a failed proposal and asking again, and
 * the log stays as it was, so `resume` carries on from the last checkpoint.
 */
export class RunHaltedError extends ArchlabError {
  readonly code: string = 'RUN_HALTED';
}

export class OutputError extends ArchlabError {
  readonly code = 'OUTPUT';
}

/**
 * A progress report (`ProgressReporter.report`) that cannot be recorded: a step not after the
 * owner's last, or a metric or value that is not a finite number (a NaN loss). Nothing is written.
 */
export class InvalidProgressError extends ArchlabError {
  readonly code = 'INVALID_PROGRESS';
}

/** Replaying a log did not reproduce it. `seq` is the first event that differs. */
export class ReplayDivergenceError extends ArchlabError {
  readonly code = 'REPLAY_DIVERGENCE';
  constructor(
    readonly runId: string,
    readonly seq: number,
    readonly reason: string,
  ) {
    super(`run '${runId}' diverges at seq ${seq}: ${reason}`);
  }
}

export function errorInfo(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}
