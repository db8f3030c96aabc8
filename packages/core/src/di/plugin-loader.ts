import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Container, ContainerModule } from 'inversify';
import { exports as exportsOf, legacy } from 'resolve.exports';
import { PluginLoadError } from '../errors.js';
import {
  type DeclaredPlugins,
  loadInto,
  PLUGIN_KINDS,
  type PluginKind,
  type PluginProviders,
} from './plugin-registry.js';

export interface LoadedPlugin {
  readonly packageName: string;
  readonly version: string;
  readonly module: ContainerModule;
  /**
   * The plugins its package.json says the module binds, by kind and name: `"archlab": {
   * "provides": { "store": ["sqlite"] } }`, none of a kind left out. Optional; a package that
   * declares them is loaded only by the commands that may need one of them (`LoadPluginsOptions.kinds`),
   * and loading it checks that its module binds exactly these.
   */
  readonly provides?: DeclaredPlugins;
}

export interface LoadPluginOptions {
  /** How long the plugin's module may take to load (its top-level code included); default 60 s. */
  readonly timeoutMs?: number;
}

export interface LoadPluginsOptions extends LoadPluginOptions {
  /**
   * Load only the packages that may provide a plugin of one of these kinds: those that declare
   * one (`LoadedPlugin.provides`), and every package that declares nothing. Default: all.
   */
  readonly kinds?: readonly PluginKind[];
}

export const DEFAULT_PLUGIN_LOAD_TIMEOUT_MS = 60_000;

interface Manifest {
  name?: string;
  version?: string;
  archlab?: { module?: string; provides?: unknown; commands?: { entry?: string; module?: string } };
}

/**
 * Finds a plugin package and returns the ContainerModule it declares. A plugin's package.json
 * names the export: `"archlab": { "module": "myPluginModule" }`. `spec` is a package name,
 * resolved from each directory in `from` in turn (the user's project first, then the CLI), or a
 * path to the package's folder (`./my-plugin`, relative to the first of `from`). The package's
 * own `exports` (or `main`) says which file to import; it need not export package.json.
 */
export async function loadPlugin(
  spec: string,
  from: readonly string[],
  opts: LoadPluginOptions = {},
): Promise<LoadedPlugin> {
  const { dir, manifest, packageName } = readManifest(spec, from);
  const provides = declaredPlugins(manifest, packageName);
  const exportName = manifest.archlab?.module;
  if (!exportName) {
    throw new PluginLoadError(
      `package '${packageName}' is not an archlab plugin: its package.json has no "archlab": { "module": "<export name>" }`,
    );
  }
  const module = await importModule(dir, manifest, packageName, '.', exportName, opts);
  return { packageName, version: manifest.version ?? '0.0.0', module, ...(provides && { provides }) };
}

/** The folder, package.json and name of package `spec`. */
function readManifest(spec: string, from: readonly string[]) {
  if (!spec.trim())
    throw new PluginLoadError(
      'a plugin is named by its package name or the path to its folder; got an empty name',
    );
  const dir = packageDir(spec, from);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  return { dir, manifest, packageName: manifest.name ?? spec };
}

/** The manifest's `"archlab": { "provides": ... }`, checked; undefined when it has none. */
function declaredPlugins(manifest: Manifest, packageName: string): DeclaredPlugins | undefined {
  const provides = manifest.archlab?.provides;
  if (provides === undefined) return undefined;
  const ok =
    typeof provides === 'object' &&
    provides !== null &&
    !Array.isArray(provides) &&
    Object.entries(provides).every(
      ([kind, names]) =>
        (PLUGIN_KINDS as string[]).includes(kind) &&
        Array.isArray(names) &&
        names.every((n) => typeof n === 'string'),
    );
  if (!ok) {
    throw new PluginLoadError(
      `package '${packageName}': its package.json "archlab": { "provides": ... } must map plugin kinds (${PLUGIN_KINDS.join(', ')}) to lists of plugin names`,
    );
  }
  return provides as DeclaredPlugins;
}

/** Whether package `spec` may provide a plugin of one of `kinds`, from its package.json alone. */
function mayProvide(spec: string, from: readonly string[], kinds: readonly PluginKind[]): boolean {
  const { manifest, packageName } = readManifest(spec, from);
  const declared = declaredPlugins(manifest, packageName);
  return declared === undefined || kinds.some((k) => (declared[k]?.length ?? 0) > 0);
}

/**
 * The CLI commands a plugin package contributes, without loading the plugin: its package.json's
 * `"archlab": { "commands": { "entry": "./commands", "module": "<export name>" } }` names an
 * entry point of the package (kept light: commands import their bodies when they run) and the
 * ContainerModule it exports. Undefined for a package that declares none, or that is not installed
 * (the command that loads it says so).
 */
export async function loadCommandModule(
  spec: string,
  from: readonly string[],
  opts: LoadPluginOptions = {},
): Promise<LoadedPlugin | undefined> {
  let dir: string;
  try {
    dir = packageDir(spec, from);
  } catch (err) {
    if (err instanceof PluginLoadError) return undefined;
    throw err;
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  const commands = manifest.archlab?.commands;
  if (!commands) return undefined;
  const packageName = manifest.name ?? spec;
  if (!commands.entry || !commands.module) {
    throw new PluginLoadError(
      `package '${packageName}': its package.json "archlab": { "commands": ... } needs "entry" (an entry point, e.g. "./commands") and "module" (the ContainerModule it exports)`,
    );
  }
  const module = await importModule(dir, manifest, packageName, commands.entry, commands.module, opts);
  return { packageName, version: manifest.version ?? '0.0.0', module };
}

/** The ContainerModule `exportName` of the package's entry point `subpath`. */
async function importModule(
  dir: string,
  manifest: Manifest,
  packageName: string,
  subpath: string,
  exportName: string,
  opts: LoadPluginOptions,
): Promise<ContainerModule> {
  const mod = await importWithin(
    entryPoint(dir, manifest, packageName, subpath),
    packageName,
    opts.timeoutMs,
  );
  const containerModule = mod[exportName];
  if (!(containerModule instanceof ContainerModule) && !isContainerModuleLike(containerModule)) {
    throw new PluginLoadError(
      `package '${packageName}' does not export a ContainerModule named '${exportName}'`,
    );
  }
  return containerModule as ContainerModule;
}

/** A path names a folder (`./x`, `../x`, `/x`); anything else is a package name. */
function isPath(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec);
}

/** The real folder of the package `spec` (symlinks followed, as Node imports it). */
function packageDir(spec: string, from: readonly string[]): string {
  if (isPath(spec)) {
    const dir = resolve(from[0] ?? '.', spec);
    if (!existsSync(join(dir, 'package.json'))) {
      throw new PluginLoadError(
        `plugin package '${spec}' not found: ${dir} has no package.json; give the folder of a plugin package or its name`,
      );
    }
    return realpathSync(dir);
  }
  const dir = pluginPackageDir(spec, from);
  if (dir) return dir;
  throw new PluginLoadError(
    `plugin package '${spec}' is not installed (looked from ${from.join(', ')}); install it with 'pnpm add ${spec}', or give its folder: --plugin ./path/to/it`,
  );
}

/** The folder of installed package `name`, looked up from each of `from` as Node does; undefined if none has it. */
export function pluginPackageDir(name: string, from: readonly string[]): string | undefined {
  // How `import` finds a bare name: node_modules in each folder up the tree (not NODE_PATH),
  // here without its `exports` check, so any package's package.json is found.
  for (const base of from) {
    for (let d = resolve(base); ; d = dirname(d)) {
      const dir = join(d, 'node_modules', name);
      if (basename(d) !== 'node_modules' && existsSync(join(dir, 'package.json'))) return realpathSync(dir);
      if (dirname(d) === d) break;
    }
  }
  return undefined;
}

/** The file `import('<package>')` loads: its `exports` for ".", else `main`, else index.js (or those for `subpath`). */
function entryPoint(dir: string, manifest: Manifest, packageName: string, subpath = '.'): string {
  let target: string;
  try {
    target =
      exportsOf(manifest, subpath)?.[0] ??
      (subpath === '.' ? (legacy(manifest, { browser: false }) ?? 'index.js') : subpath);
  } catch (err) {
    const what = subpath === '.' ? 'the package itself (".")' : `"${subpath}"`;
    throw new PluginLoadError(
      `plugin package '${packageName}': its package.json "exports" has no entry for ${what} under the import or node conditions (${(err as Error).message})`,
    );
  }
  const file = join(dir, target);
  if (!existsSync(file)) {
    throw new PluginLoadError(
      `plugin package '${packageName}': its entry point ${file} does not exist; build it (e.g. 'npm run build' in ${dir})`,
    );
  }
  return file;
}

/** Imports `file`; a module that throws or never finishes loading is a PluginLoadError naming the plugin. */
async function importWithin(
  file: string,
  packageName: string,
  timeoutMs = DEFAULT_PLUGIN_LOAD_TIMEOUT_MS,
): Promise<Record<string, unknown>> {
  // The pending timer also keeps the process alive: an import that never settles would
  // otherwise leave an empty event loop, and Node would exit 0 without a word.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new PluginLoadError(`plugin '${packageName}' did not finish loading within ${timeoutMs / 1000} s`),
        ),
      timeoutMs,
    );
  });
  try {
    return (await Promise.race([import(pathToFileURL(file).href), timeout])) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof PluginLoadError) throw err;
    throw new PluginLoadError(
      `plugin package '${packageName}' failed while loading: ${String((err as Error)?.message ?? err).split('\n')[0]}`,
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
  }
}

// A plugin built against another copy of inversify has its own ContainerModule class.
function isContainerModuleLike(x: unknown): boolean {
  return (
    typeof x === 'object' &&
    x !== null &&
    'registry' in x &&
    typeof (x as { registry: unknown }).registry === 'function'
  );
}

export interface PluginSet {
  readonly container: Container;
  /** package name → version, recorded in RunStarted. */
  readonly packages: Record<string, string>;
  /** Which package bound each plugin, by kind and name (the last one, where several did). */
  readonly providers: PluginProviders;
}

/**
 * A container with every named plugin package loaded (with `kinds`, those that may provide one
 * of them); duplicates are loaded once.
 */
export async function loadPlugins(
  specs: readonly string[],
  from: readonly string[],
  opts: LoadPluginsOptions = {},
): Promise<PluginSet> {
  const set: PluginSet = { container: new Container(), packages: {}, providers: {} };
  for (const spec of new Set(specs)) {
    if (opts.kinds && !mayProvide(spec, from, opts.kinds)) continue;
    loadInto(set, await loadPlugin(spec, from, opts));
  }
  return set;
}

/** This package's own version, for RunStarted. */
export function coreVersion(): string {
  const here = dirname(new URL(import.meta.url).pathname);
  for (const candidate of [join(here, '../../package.json'), join(here, '../package.json')]) {
    try {
      const j = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (j.name === '@archlab/core') return j.version ?? '0.0.0';
    } catch {
      // not this one
    }
  }
  return '0.0.0';
}

/**
 * One line for each package that run `runId` recorded and that is loaded now at another
 * version: its strategy or estimator may decide differently, so a replay may diverge.
 */
export function pluginVersionWarnings(
  runId: string,
  recorded: Readonly<Record<string, string>>,
  loaded: Readonly<Record<string, string>>,
): string[] {
  return Object.entries(recorded)
    .filter(([name, version]) => loaded[name] !== undefined && loaded[name] !== version)
    .map(
      ([name, version]) =>
        `run '${runId}' was recorded with ${name}@${version}, but ${name}@${loaded[name]} is loaded; its decisions may differ`,
    );
}
