import {
  ConfigError,
  type Constraint,
  type ConstraintOp,
  echo,
  InvalidOptionError,
  type Objective,
  type RunnerChoice,
  type SearchConfigInput,
} from '@archlab/core';

// The text forms of the command line's flags. Core takes structured input only: these turn a
// flag's text into it, with a one-line error that shows the form.

/** Parses `k=v` pairs (from repeated CLI flags) into a raw options object. */
export function parseKeyValues(pairs: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new InvalidOptionError(`${flag} takes NAME=VALUE, got '${echo(p)}'`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

/** `test_acc:max` → an objective; ConfigError saying the form otherwise. */
export function parseObjective(text: string): Objective {
  const m = /^\s*([\w.-]+):(max|min)\s*$/.exec(text);
  if (!m)
    throw new ConfigError(
      `objective '${echo(text)}' must look like METRIC:max or METRIC:min (e.g. test_acc:max)`,
    );
  return { metric: m[1]!, direction: m[2] as 'max' | 'min' };
}

/** `latency_ms<=5`, `params < 1e6`, `test_acc>=90` → a constraint; ConfigError saying the form otherwise. */
export function parseConstraint(text: string): Constraint {
  const m = /^\s*([\w.-]+)\s*(<=|>=|<|>)\s*(\S+)\s*$/.exec(text);
  const bound = m ? Number(m[3]) : Number.NaN;
  if (!m || !Number.isFinite(bound)) {
    throw new ConfigError(
      `constraint '${echo(text)}' must look like METRIC<=NUMBER (or >=, <, >), e.g. latency_ms<=5 or params<1e6`,
    );
  }
  return { metric: m[1]!, op: m[2] as ConstraintOp, bound };
}

/** `mnas:latency_ms=5,alpha=-0.07,beta=-0.07` (exponents optional) → a reward; ConfigError otherwise. */
export function parseReward(text: string): NonNullable<SearchConfigInput['reward']> {
  const fail = (): never => {
    throw new ConfigError(
      `reward '${echo(text)}' must look like mnas:METRIC=TARGET[,alpha=A][,beta=B], e.g. mnas:latency_ms=5`,
    );
  };
  const m = /^\s*mnas:(.*)$/.exec(text) ?? fail();
  const [target, ...rest] = m[1]!.split(',').map((p) => p.trim());
  const t = /^([\w.-]+)=(\S+)$/.exec(target ?? '') ?? fail();
  const out: { kind: 'mnas'; metric: string; target: number; alpha?: number; beta?: number } = {
    kind: 'mnas',
    metric: t[1]!,
    target: Number(t[2]),
  };
  for (const p of rest) {
    const kv = /^(alpha|beta)=(\S+)$/.exec(p) ?? fail();
    const v = Number(kv[2]);
    if (!Number.isFinite(v)) fail();
    out[kv[1] as 'alpha' | 'beta'] = v;
  }
  if (!Number.isFinite(out.target)) fail();
  return out;
}

/**
 * `NAME` or `NAME:k=v,k=v` → a hardware model and its raw options. A name may itself hold ':'
 * (`lut:pixel3`); the options are the trailing `:k=v,...` part.
 */
export function parseHardwareSpec(text: string): { name: string; options: Record<string, string> } {
  return parsePluginSpec(text, 'hardware model', '--hardware');
}

/** `NAME` or `NAME:k=v,k=v` → a plugin (`what`, given as `flag`) and its raw options; see parseHardwareSpec. */
export function parsePluginSpec(
  text: string,
  what: string,
  flag: string,
): { name: string; options: Record<string, string> } {
  const m = /^(.+?)(?::([\w.-]+=[^,]*(?:,[\w.-]+=[^,]*)*))?$/.exec(text.trim());
  if (!m || !/^[\w.:@/-]+$/.test(m[1]!)) {
    throw new ConfigError(`${what} '${echo(text)}' must look like NAME or NAME:key=value,key=value`);
  }
  return { name: m[1]!, options: m[2] ? parseKeyValues(m[2].split(','), `${flag} ${m[1]}`) : {} };
}

/** `500` or `500:10` → a warm-up: score a pool of 500 sampled architectures, evaluate the best 10 first. */
export function parseWarmup(text: string): { pool: number; top?: number } {
  const m = /^\s*(\d+)(?::(\d+))?\s*$/.exec(text);
  if (!m) {
    throw new ConfigError(
      `warm-up '${echo(text)}' must look like POOL or POOL:TOP, e.g. 500:10 (score 500 sampled architectures, evaluate the best 10 first)`,
    );
  }
  return {
    pool: wholeNumber(m[1]!, 'warm-up pool'),
    ...(m[2] !== undefined && { top: wholeNumber(m[2], 'warm-up top') }),
  };
}

/** `0.5` or `0.5:20` → a pre-filter: evaluate proposals in the best half of the screen scores, once 20 were scored. */
export function parsePrefilter(text: string): { fraction: number; min?: number } {
  const m = /^\s*([^:\s]+)(?::(\d+))?\s*$/.exec(text);
  const fraction = m ? Number(m[1]) : Number.NaN;
  if (!m || !Number.isFinite(fraction)) {
    throw new ConfigError(
      `pre-filter '${echo(text)}' must look like FRACTION or FRACTION:MIN, e.g. 0.5 (evaluate proposals in the best half of the screen scores so far) or 0.5:20`,
    );
  }
  return { fraction, ...(m[2] !== undefined && { min: wholeNumber(m[2], 'pre-filter min') }) };
}

/** Digits as a number, when the number holds them exactly. */
function wholeNumber(digits: string, what: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) {
    throw new ConfigError(`${what} ${echo(digits)} is too large: at most ${Number.MAX_SAFE_INTEGER}`);
  }
  return n;
}

/** The runner flags of search, resume and compare. */
export interface RunnerFlags {
  runner?: string;
  runnerOption?: string[];
  /** Shortcut for `--runner bullmq --runner-option redis=URL`. */
  redis?: string;
}

/**
 * `--runner NAME --runner-option k=v --redis URL` → where the trials run (undefined: in
 * process). `--redis` names the bullmq runner's server; it cannot go with another runner.
 */
export function parseRunnerFlags(flags: RunnerFlags): RunnerChoice | undefined {
  const options: Record<string, unknown> = parseKeyValues(flags.runnerOption ?? [], '--runner-option');
  if (flags.redis !== undefined) {
    if (flags.runner !== undefined && flags.runner !== 'bullmq') {
      throw new ConfigError(
        `--redis is the bullmq runner's server; it cannot go with --runner ${echo(flags.runner)}`,
      );
    }
    return { name: 'bullmq', options: { ...options, redis: flags.redis } };
  }
  if (flags.runner === undefined) {
    if (Object.keys(options).length > 0)
      throw new ConfigError('--runner-option needs --runner NAME (or --redis URL for the bullmq runner)');
    return undefined;
  }
  return { name: flags.runner, options };
}
