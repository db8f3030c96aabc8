import type {
  CommandContribution,
  CommandInput,
  CommandServices,
  EstimatorOptionShortcut,
} from '@archlab/core';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { mountCommand } from './mount-command.js';

const shortcuts: EstimatorOptionShortcut[] = [
  { option: 'epochs', flags: '--epochs <n>', description: 'epochs', parse: { integer: { min: 1 } } },
  { option: 'dataset', flags: '--dataset <name>', description: 'data set' },
];

/** Mounts `c` alone and runs it on `argv`; what its action got, and the exit code. */
async function run(c: Omit<CommandContribution, 'run'>, ...argv: string[]) {
  let got: CommandInput | undefined;
  let code: number | undefined;
  const program = new Command('archlab').exitOverride().configureOutput({ outputError: () => {} });
  const cmd = mountCommand(
    program,
    {
      ...c,
      run: async (input) => {
        got = input;
        return 7;
      },
    },
    { services: {} as CommandServices, shortcuts, exit: (c) => (code = c) },
  );
  await program.parseAsync(['node', 'archlab', ...argv]);
  return { got, code, help: cmd.helpInformation() };
}

describe('mountCommand', () => {
  const evalLike = {
    name: 'ev',
    description: 'evaluate',
    arguments: [{ name: 'run', required: false }],
    estimatorShortcuts: true,
    options: [
      { flags: '--estimator-option <k=v>', description: 'estimator option', repeatable: true },
      { flags: '--seed <n>', description: 'seed', parse: { integer: { min: 0 } }, default: 0 },
    ],
  };

  it('hands the action its arguments and parsed options, and the shortcuts apart, by option name', async () => {
    const { got, code } = await run(evalLike, 'ev', 'r1', '--epochs', '3', '--estimator-option', 'a=1');
    expect(code).toBe(7);
    expect(got).toEqual({
      args: ['r1'],
      options: { estimatorOption: ['a=1'], seed: 0, estimatorShortcuts: { epochs: 3 } },
    });
  });

  it('puts the shortcuts right after --estimator-option, and only where a command asks', async () => {
    const { help } = await run(evalLike, 'ev');
    expect(help).toMatch(/--estimator-option <k=v>.*\n\s+--epochs <n>.*\n\s+--dataset <name>.*\n\s+--seed/);
    const plain = await run({ ...evalLike, estimatorShortcuts: false }, 'ev');
    expect(plain.help).not.toMatch(/--epochs/);
    expect(plain.got?.options).toEqual({ seed: 0 });
  });

  it('hands a variadic argument its values one by one, and none when it is not given', async () => {
    const many = {
      name: 'rep',
      description: 'report',
      arguments: [{ name: 'runs', required: false, variadic: true }],
      options: [],
    };
    expect((await run(many, 'rep', 'a', 'b', 'c')).got?.args).toEqual(['a', 'b', 'c']);
    expect((await run(many, 'rep')).got?.args).toEqual([]);
    expect((await run(many, 'rep')).help).toMatch(/rep \[options\] \[runs\.\.\.\]/);
  });

  it("turns a parser's error into commander's one-line error", async () => {
    await expect(run(evalLike, 'ev', '--epochs', '0')).rejects.toThrow(/--epochs must be a whole number ≥ 1/);
    const failing = {
      ...evalLike,
      options: [
        {
          flags: '--when <t>',
          description: 'a time',
          parse: () => {
            throw new Error('--when takes HH:MM');
          },
        },
      ],
    };
    await expect(run(failing, 'ev', '--when', 'x')).rejects.toThrow(/--when takes HH:MM/);
  });
});
