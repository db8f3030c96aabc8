import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Container, ContainerModule } from 'inversify';
import { PluginLoadError } from '../errors.js';

export interface LoadedPlugin {
  readonly packageName: string;
  readonly version: string;
  readonly module: ContainerModule;
}

/**
 * Finds a plugin package by name and returns the ContainerModule it declares. A plugin's
 * package.json names the export: `"archlab": { "module": "myPluginModule" }`. Packages are
 * resolved from each directory in `from` in turn (the user's project first, then the CLI).
 */
export async function loadPlugin(packageName: string, from: readonly string[]): Promise<LoadedPlugin> {
  let manifestPath: string | undefined;
  for (const dir of from) {
    try {
      manifestPath = createRequire(join(dir, 'noop.js')).resolve(`${packageName}/package.json`);
      break;
    } catch {
      // try the next directory
    }
  }
  if (!manifestPath) {
    throw new PluginLoadError(
      `plugin package '${packageName}' is not installed (looked from ${from.join(', ')}); install it with 'pnpm add ${packageName}'`,
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    version?: string;
    archlab?: { module?: string };
  };
  const exportName = manifest.archlab?.module;
  if (!exportName) {
    throw new PluginLoadError(
      `package '${packageName}' is not an archlab plugin: its package.json has no "archlab": { "module": "<export name>" }`,
    );
  }
  let mod: Record<string, unknown>;
  try {
    const entry = createRequire(manifestPath).resolve(packageName);
    mod = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
  } catch (err) {
    throw new PluginLoadError(
      `plugin package '${packageName}' is installed but cannot be loaded (${(err as Error).message.split('\n')[0]}); is it built?`,
      { cause: err },
    );
  }
  const containerModule = mod[exportName];
  if (!(containerModule instanceof ContainerModule) && !isContainerModuleLike(containerModule)) {
    throw new PluginLoadError(
      `package '${packageName}' does not export a ContainerModule named '${exportName}'`,
    );
  }
  return { packageName, version: manifest.version ?? '0.0.0', module: containerModule as ContainerModule };
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
}

/** A container with every named plugin package loaded; duplicates are loaded once. */
export async function loadPlugins(
  packageNames: readonly string[],
  from: readonly string[],
): Promise<PluginSet> {
  const container = new Container();
  const packages: Record<string, string> = {};
  for (const name of new Set(packageNames)) {
    const p = await loadPlugin(name, from);
    container.load(p.module);
    packages[p.packageName] = p.version;
  }
  return { container, packages };
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
