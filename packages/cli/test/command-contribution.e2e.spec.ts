import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, tempDir } from './cli-harness.js';

const CORE = fileURLToPath(new URL('../../core', import.meta.url));

/** A plugin package that contributes one command, `hello`, with a plain object: no commander. */
const COMMANDS = `
import { CommandContribution, ConfigError, ContainerModule } from '@archlab/core';
export const helloCommands = new ContainerModule((bind) => {
  bind(CommandContribution).toConstantValue({
    name: 'hello',
    description: 'greet someone',
    arguments: [{ name: 'who', required: true }],
    options: [
      { flags: '--times <n>', description: 'how often', parse: { integer: { min: 1 } }, default: 1 },
      { flags: '--tag <t>', description: 'a tag (repeatable)', repeatable: true },
      { flags: '--plugin <package>', description: 'load a plugin package (repeatable)', repeatable: true },
    ],
    run: async ({ args, options }, cli) => {
      if (args[0] === 'nobody') throw new ConfigError('nobody to greet: name someone');
      const registry = await cli.loadPlugins(options.plugin);
      for (let i = 0; i < options.times; i++) cli.out(\`hello \${args[0]} \${(options.tag ?? []).join(',')}\`);
      cli.out(\`spaces: \${registry.names('space').join(',')}\`);
      return 3;
    },
  });
});
`;

describe('a command contributed by a plugin package (package.json archlab.commands)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    const pkg = join(dir, 'node_modules', 'archlab-plugin-hello');
    mkdirSync(join(dir, 'node_modules', '@archlab'), { recursive: true });
    symlinkSync(CORE, join(dir, 'node_modules', '@archlab', 'core'), 'dir');
    mkdirSync(pkg);
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: 'archlab-plugin-hello',
        version: '1.0.0',
        type: 'module',
        exports: { '.': './index.js', './commands': './commands.js' },
        archlab: { module: 'helloModule', commands: { entry: './commands', module: 'helloCommands' } },
      }),
    );
    writeFileSync(
      join(pkg, 'index.js'),
      "import { ContainerModule } from '@archlab/core';\nexport const helloModule = new ContainerModule(() => {});\n",
    );
    writeFileSync(join(pkg, 'commands.js'), COMMANDS);
    const clash = join(dir, 'node_modules', 'archlab-plugin-clash');
    mkdirSync(clash);
    writeFileSync(
      join(clash, 'package.json'),
      JSON.stringify({
        name: 'archlab-plugin-clash',
        type: 'module',
        exports: { './commands': './commands.js' },
        archlab: { module: 'none', commands: { entry: './commands', module: 'clashCommands' } },
      }),
    );
    writeFileSync(
      join(clash, 'commands.js'),
      `import { CommandContribution, ContainerModule } from '@archlab/core';
export const clashCommands = new ContainerModule((bind) => {
  bind(CommandContribution).toConstantValue({ name: 'search', description: 'mine', options: [], run: async () => 0 });
});
`,
    );
  });

  it('is mounted when --plugin names its package, with its options parsed, and its exit code kept', () => {
    const r = archlab(
      dir,
      'hello',
      'world',
      '--times',
      '2',
      '--tag',
      'a',
      '--tag',
      'b',
      '--plugin',
      'archlab-plugin-hello',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^hello world a,b\nhello world a,b\nspaces: .*nb201/);
    expect(r.code).toBe(3);
    expect(archlab(dir, 'hello', '--help', '--plugin=archlab-plugin-hello').stdout).toMatch(
      /Usage: archlab hello \[options\] <who>[\s\S]*--times <n>\s+how often \(default: 1\)/,
    );
  });

  it("gives the CLI's one-line errors: a bad value, and the command's own typed error", () => {
    const bad = archlab(dir, 'hello', 'world', '--times', '0', '--plugin', 'archlab-plugin-hello');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^archlab: error: .*--times must be a whole number ≥ 1\n$/);
    const typed = archlab(dir, 'hello', 'nobody', '--plugin', 'archlab-plugin-hello');
    expect(typed.code).toBe(2);
    expect(typed.stderr).toBe('archlab: error: nobody to greet: name someone\n');
  });

  it('may not take a name that is taken: one line naming the package, exit 2', () => {
    const r = archlab(dir, 'runs', '--plugin', 'archlab-plugin-clash');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "archlab: error: plugin package 'archlab-plugin-clash' contributes command 'search', which archlab has already\n",
    );
  });

  it('is not there without the package', () => {
    expect(archlab(dir, '--help').stdout).not.toMatch(/hello/);
    expect(archlab(dir, 'hello', 'world').code).toBe(2);
  });
});
