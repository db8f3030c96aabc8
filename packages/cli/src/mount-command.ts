import type {
  CommandContribution,
  CommandOption,
  CommandOptionParse,
  CommandServices,
  EstimatorOptionShortcut,
} from '@archlab/core';
import { type Command, InvalidArgumentError, Option } from 'commander';

/** Whole numbers that a double holds exactly: 9007199254740993 is refused, not rounded to ...992. */
export const int = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || n < min)
    throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}`);
  if (!Number.isSafeInteger(n))
    throw new InvalidArgumentError(`${name} must be at most ${Number.MAX_SAFE_INTEGER}`);
  return n;
};

/** A contribution's parser as commander calls it: its error is commander's one-line error. */
function parserOf(parse: CommandOptionParse, flag: string): (text: string) => unknown {
  if (typeof parse !== 'function') return int(flag, parse.integer.min);
  return (text) => {
    try {
      return parse(text);
    } catch (err) {
      throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
    }
  };
}

function optionOf(o: CommandOption | EstimatorOptionShortcut): Option {
  const option = new Option(o.flags, o.description);
  const decl: CommandOption = o;
  if (decl.choices) option.choices(decl.choices);
  const parse = o.parse && parserOf(o.parse, option.long ?? o.flags);
  if (decl.repeatable) {
    option.argParser((text: string, previous: unknown[] = []) => [...previous, parse ? parse(text) : text]);
  } else if (parse) option.argParser(parse);
  if (decl.default !== undefined || decl.defaultText !== undefined)
    option.default(decl.default, decl.defaultText);
  if (decl.required) option.makeOptionMandatory();
  return option;
}

/** What every mounted command shares: the services, the shortcuts, and where its exit code goes. */
export interface MountContext {
  readonly services: CommandServices;
  readonly shortcuts: readonly EstimatorOptionShortcut[];
  readonly exit: (code: number) => void;
}

/**
 * Mounts a contributed command on `program`. Estimator option shortcuts go after
 * `--estimator-option` on a command that asks for them; their values reach the command as
 * `estimatorShortcuts` (option name → value), not under their flags' names.
 */
export function mountCommand(program: Command, c: CommandContribution, ctx: MountContext): Command {
  const cmd = program.command(c.name).description(c.description);
  for (const a of c.arguments ?? []) {
    const name = `${a.name}${a.variadic ? '...' : ''}`;
    cmd.argument(a.required ? `<${name}>` : `[${name}]`);
  }
  const shortcuts = c.estimatorShortcuts ? ctx.shortcuts.map((s) => [s, optionOf(s)] as const) : [];
  for (const o of c.options) {
    const option = optionOf(o);
    cmd.addOption(option);
    if (option.long === '--estimator-option') for (const [, s] of shortcuts) cmd.addOption(s);
  }
  return cmd.action(async (...params: unknown[]) => {
    const args = params
      .slice(0, c.arguments?.length ?? 0)
      .flatMap((p) => (Array.isArray(p) ? p : [p])) as string[];
    const options: Record<string, unknown> = { ...(params.at(-1) as Command).opts() };
    if (c.estimatorShortcuts) {
      const values: Record<string, unknown> = {};
      for (const [s, option] of shortcuts) {
        const value = options[option.attributeName()];
        delete options[option.attributeName()];
        if (value !== undefined) values[s.option] = value;
      }
      options.estimatorShortcuts = values;
    }
    ctx.exit(await c.run({ args, options }, ctx.services));
  });
}
