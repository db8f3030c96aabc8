import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CommandContribution,
  Container,
  InMemoryEventStore,
  loadCommandModule,
  loadPlugin,
  loadPlugins,
  PluginLoadError,
  PluginRegistry,
  pluginVersionWarnings,
  randomStrategyFactory,
  replayRun,
  resolveConfig,
  Search,
} from '../src/index.js';
import { digitsSpaceFactory, runSearch, syntheticEstimatorFactory } from '../src/testing/index.js';

// Plugin packages written for these tests build their ContainerModule with inversify, as a real one does.
const inversify = pathToFileURL(
  createRequire(new URL('../package.json', import.meta.url)).resolve('inversify'),
).href;

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A project folder with `node_modules/<name>`, a plugin package binding one strategy named `strategy`. */
function project(
  name: string,
  manifest: Record<string, unknown>,
  opts: { strategy?: string; body?: string; version?: string; file?: string } = {},
): { dir: string; pkg: string } {
  const dir = mkdtempSync(join(tmpdir(), 'archlab-loader-'));
  made.push(dir);
  const pkg = join(dir, 'node_modules', name);
  const file = opts.file ?? 'dist/index.js';
  mkdirSync(join(pkg, file, '..'), { recursive: true });
  writeFileSync(
    join(pkg, 'package.json'),
    JSON.stringify({
      name,
      version: opts.version ?? '1.2.0',
      type: 'module',
      archlab: { module: 'testModule' },
      ...manifest,
    }),
  );
  const strategy = opts.strategy ?? 'copycat';
  writeFileSync(
    join(pkg, file),
    opts.body ??
      `import { ContainerModule } from ${JSON.stringify(inversify)};
const factory = { ...globalThis.__archlabRandom, name: ${JSON.stringify(strategy)} };
export const testModule = new ContainerModule((bind) => {
  bind(Symbol.for('archlab.StrategyFactory')).toConstantValue(factory);
});
`,
  );
  return { dir, pkg };
}
(globalThis as { __archlabRandom?: unknown }).__archlabRandom = randomStrategyFactory;

const strategyNames = async (spec: string, from: string) => {
  const set = await loadPlugins([spec], [from]);
  return new PluginRegistry(set.container, set).names('strategy');
};

describe('loadPlugin finds a package whatever its "exports"', () => {
  it('loads one whose "exports" is a string that hides package.json (the README recipe)', async () => {
    const { dir } = project('acme-plugin', { exports: './dist/index.js' });
    const p = await loadPlugin('acme-plugin', [dir]);
    expect([p.packageName, p.version]).toEqual(['acme-plugin', '1.2.0']);
    expect(await strategyNames('acme-plugin', dir)).toEqual(['copycat']);
  });

  it('loads one whose "exports" has only an import condition, nested under "."', async () => {
    const { dir } = project(
      '@acme/cond',
      { exports: { '.': { import: './lib/main.js' } } },
      { file: 'lib/main.js' },
    );
    expect((await loadPlugin('@acme/cond', [dir])).packageName).toBe('@acme/cond');
  });

  it('loads one with "main" and no "exports"', async () => {
    const { dir } = project('old-style', { main: 'lib/main.js' }, { file: 'lib/main.js' });
    expect((await loadPlugin('old-style', [dir])).version).toBe('1.2.0');
  });

  it('loads a package from a path, absolute or relative to the first directory, under its own name', async () => {
    const { dir, pkg } = project('by-path', { exports: './dist/index.js' });
    expect((await loadPlugin(pkg, [tmpdir()])).packageName).toBe('by-path');
    const rel = `./${relative(dir, pkg)}`;
    expect((await loadPlugin(rel, [dir])).packageName).toBe('by-path');
  });

  it('refuses an empty name', async () => {
    await expect(loadPlugin(' ', [tmpdir()])).rejects.toThrow(/got an empty name/);
  });

  it('says a path without a package.json is not a plugin package', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archlab-loader-'));
    made.push(dir);
    await expect(loadPlugin('./nothing-here', [dir])).rejects.toThrow(
      /plugin package '\.\/nothing-here' not found: .*nothing-here has no package\.json/,
    );
  });

  it('says an entry point that does not exist needs a build', async () => {
    const { dir, pkg } = project('unbuilt', { exports: './dist/index.js' });
    rmSync(join(pkg, 'dist'), { recursive: true });
    const err = await loadPlugin('unbuilt', [dir]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginLoadError);
    expect((err as Error).message).toMatch(
      /plugin package 'unbuilt': its entry point .*dist\/index\.js does not exist; build it/,
    );
  });

  it('names the plugin and the message when its module throws while loading', async () => {
    const { dir } = project(
      'throws',
      { exports: './dist/index.js' },
      { body: "throw new Error('no licence key\\nsecond line');\n" },
    );
    const err = await loadPlugin('throws', [dir]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginLoadError);
    expect((err as Error).message).toBe("plugin package 'throws' failed while loading: no licence key");
  });

  it('gives up on a module whose loading never finishes, naming the plugin', async () => {
    const { dir } = project(
      'hangs',
      { exports: './dist/index.js' },
      { body: 'await new Promise(() => {});\nexport const testModule = 1;\n' },
    );
    const t0 = performance.now();
    const err = await loadPlugin('hangs', [dir], { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginLoadError);
    expect((err as Error).message).toBe("plugin 'hangs' did not finish loading within 0.3 s");
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe('loadCommandModule loads the commands entry of a package, not the plugin', () => {
  const COMMANDS = `import { ContainerModule } from ${JSON.stringify(inversify)};
export const testCommands = new ContainerModule((bind) => {
  bind(Symbol.for('archlab.CommandContribution')).toConstantValue({ name: 'hi', description: 'hi', options: [] });
});
`;

  it("binds the package's contributions, and never imports its main entry", async () => {
    const { dir, pkg } = project(
      'acme-commands',
      {
        exports: { '.': './dist/index.js', './commands': './dist/commands.js' },
        archlab: { module: 'testModule', commands: { entry: './commands', module: 'testCommands' } },
      },
      { body: "throw new Error('the plugin itself was loaded');" },
    );
    writeFileSync(join(pkg, 'dist', 'commands.js'), COMMANDS);
    const loaded = await loadCommandModule('acme-commands', [dir]);
    expect([loaded?.packageName, loaded?.version]).toEqual(['acme-commands', '1.2.0']);
    const container = new Container();
    container.load(loaded!.module);
    expect(container.getAll<{ name: string }>(CommandContribution).map((c) => c.name)).toEqual(['hi']);
  });

  it('is undefined for a package that declares none, or is not installed', async () => {
    const { dir } = project('acme-plain', { exports: './dist/index.js' });
    expect(await loadCommandModule('acme-plain', [dir])).toBeUndefined();
    expect(await loadCommandModule('acme-missing', [dir])).toBeUndefined();
    expect(await loadCommandModule('./nowhere', [dir])).toBeUndefined();
  });

  it('refuses a declaration without its entry or module, naming the package', async () => {
    const { dir } = project('acme-half', {
      exports: './dist/index.js',
      archlab: { module: 'testModule', commands: { entry: './commands' } },
    });
    await expect(loadCommandModule('acme-half', [dir])).rejects.toThrow(
      /package 'acme-half': .*"commands".*needs "entry".*and "module"/,
    );
  });
});

describe('a package that declares what it provides ("archlab": { "provides": ... })', () => {
  const declaring = (name: string, provides: unknown, strategy = 'copycat') =>
    project(name, { exports: './dist/index.js', archlab: { module: 'testModule', provides } }, { strategy });

  it('is loaded only for the kinds it provides; one that declares nothing always is', async () => {
    const greedy = declaring('acme-greedy', { strategy: ['greedy'] }, 'greedy');
    const plain = project('acme-plain-strategy', { exports: './dist/index.js' }, { strategy: 'plain' });
    const specs = [greedy.pkg, plain.pkg];
    const forStores = await loadPlugins(specs, [greedy.dir], { kinds: ['store'] });
    expect(Object.keys(forStores.packages)).toEqual(['acme-plain-strategy']);
    const forStrategies = await loadPlugins(specs, [greedy.dir], { kinds: ['store', 'strategy'] });
    expect(Object.keys(forStrategies.packages)).toEqual(['acme-greedy', 'acme-plain-strategy']);
    expect(forStrategies.providers.strategy).toEqual({ greedy: 'acme-greedy', plain: 'acme-plain-strategy' });
    expect(Object.keys((await loadPlugins(specs, [greedy.dir])).packages)).toHaveLength(2);
  });

  it('must bind exactly what it declares, no more and no less', async () => {
    const more = declaring('acme-more', { space: [] }, 'greedy');
    await expect(loadPlugins(['acme-more'], [more.dir])).rejects.toThrow(
      `plugin package 'acme-more' binds strategy 'greedy', which its package.json ("archlab": { "provides": ... }) does not declare; make the two agree`,
    );
    const fewer = declaring('acme-fewer', { strategy: ['greedy', 'lazy'] }, 'greedy');
    await expect(loadPlugins(['acme-fewer'], [fewer.dir])).rejects.toThrow(
      `plugin package 'acme-fewer' declares strategy 'lazy' in its package.json ("archlab": { "provides": ... }), but does not bind it; make the two agree`,
    );
  });

  it('that is not kinds mapped to lists of names is a one-line error naming the package', async () => {
    for (const provides of [
      ['greedy'],
      { strategies: ['greedy'] },
      { strategy: 'greedy' },
      { strategy: [1] },
      null,
    ]) {
      const { dir } = declaring('acme-malformed', provides);
      await expect(loadPlugins(['acme-malformed'], [dir], { kinds: ['store'] })).rejects.toThrow(
        /^package 'acme-malformed': its package\.json "archlab": \{ "provides": \.\.\. \} must map plugin kinds \(space, strategy, estimator, hardware model, store, runner\) to lists of plugin names$/,
      );
    }
  });
});

describe('which package provides which plugin', () => {
  it('is recorded in RunStarted for the components of the run, with the packages', async () => {
    const { dir } = project('@acme/archlab-greedy', { exports: './dist/index.js' }, { strategy: 'greedy' });
    const set = await loadPlugins(['@acme/archlab-greedy'], [dir]);
    const plugins = new PluginRegistry(set.container, set);
    plugins.register('space', digitsSpaceFactory);
    plugins.register('estimator', syntheticEstimatorFactory);
    const store = new InMemoryEventStore();
    const config = { space: 'digits', estimator: 'synthetic', strategy: 'greedy', budget: { trials: 5 } };
    const search = await Search.start({ store, plugins, packages: set.packages }, config, 'r1');
    await search.run();
    const started = search.state;
    expect(started.packages['@acme/archlab-greedy']).toBe('1.2.0');
    expect(started.providers).toEqual([
      { kind: 'strategy', name: 'greedy', package: '@acme/archlab-greedy' },
    ]);

    // Replayed without the package: one line naming the package, its version and how to load it.
    const bare = new PluginRegistry();
    bare.register('space', digitsSpaceFactory);
    bare.register('estimator', syntheticEstimatorFactory);
    await expect(replayRun(store, bare, 'r1', { mode: 'verify' })).rejects.toThrow(
      "run 'r1' used strategy 'greedy' from plugin package @acme/archlab-greedy@1.2.0; load it with --plugin @acme/archlab-greedy",
    );
    await expect(Search.resume({ store, plugins: bare }, 'r1')).rejects.toThrow(
      /--plugin @acme\/archlab-greedy \(or --plugin PATH to its folder\)$/,
    );
    // With it, the replay verifies.
    expect((await replayRun(store, plugins, 'r1', { mode: 'verify' })).state.trials).toHaveLength(5);
  });

  it('warns for each recorded package loaded at another version, and only then', () => {
    expect(
      pluginVersionWarnings('r1', { a: '1.0.0', b: '2.0.0', c: '3.0.0' }, { a: '1.0.0', b: '2.1.0' }),
    ).toEqual(["run 'r1' was recorded with b@2.0.0, but b@2.1.0 is loaded; its decisions may differ"]);
  });
});

describe('a strategy factory without `requires`', () => {
  it('is taken as needing no space operation', async () => {
    const { requires: _, ...bare } = randomStrategyFactory;
    const reg = new PluginRegistry();
    reg.register('space', digitsSpaceFactory);
    reg.register('estimator', syntheticEstimatorFactory);
    reg.register('strategy', { ...bare, name: 'no-requires' });
    const out = await runSearch(reg, {
      space: 'digits',
      estimator: 'synthetic',
      strategy: 'no-requires',
      budget: { trials: 3 },
    });
    expect(out.state.trials).toHaveLength(3);
  });

  it('that is not a list is a one-line error naming the strategy', () => {
    const reg = new PluginRegistry();
    reg.register('space', digitsSpaceFactory);
    reg.register('estimator', syntheticEstimatorFactory);
    reg.register('strategy', { ...randomStrategyFactory, name: 'bad', requires: 'mutate' as never });
    expect(() =>
      resolveConfig(reg, { space: 'digits', estimator: 'synthetic', strategy: 'bad', budget: { trials: 3 } }),
    ).toThrow(
      "strategy 'bad' declares requires as \"mutate\"; it must be a list of space operations, e.g. ['mutate'], or absent",
    );
  });
});
