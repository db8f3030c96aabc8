import { Container } from 'inversify';
import { Reaction } from '../engine/reaction.js';
import { PluginLoadError, UnknownPluginError } from '../errors.js';
import { EstimatorFactory } from '../estimator/estimator.js';
import { HardwareModelFactory } from '../hardware/hardware-model.js';
import { TrialRunnerFactory } from '../runner/trial-runner.js';
import { SearchSpaceFactory } from '../space/search-space.js';
import { EventStoreFactory } from '../store/event-store.js';
import { StrategyFactory } from '../strategy/strategy.js';
import type { LoadedPlugin, PluginSet } from './plugin-loader.js';
import { RunService } from './run-scope.js';

export interface Disposable {
  dispose(): void;
}

interface Kinds {
  space: SearchSpaceFactory;
  strategy: StrategyFactory;
  estimator: EstimatorFactory;
  'hardware model': HardwareModelFactory;
  store: EventStoreFactory;
  runner: TrialRunnerFactory;
}
export type PluginKind = keyof Kinds;

const TOKENS: { [K in PluginKind]: symbol } = {
  space: SearchSpaceFactory,
  strategy: StrategyFactory,
  estimator: EstimatorFactory,
  'hardware model': HardwareModelFactory,
  store: EventStoreFactory,
  runner: TrialRunnerFactory,
};

/** Every kind of plugin chosen by name. */
export const PLUGIN_KINDS = Object.keys(TOKENS) as PluginKind[];

/** Plugins by kind and name, as a package's package.json declares them (see `LoadedPlugin.provides`). */
export type DeclaredPlugins = { readonly [K in PluginKind]?: readonly string[] };

/** kind → plugin name → the package that bound it. */
export type PluginProviders = { [K in PluginKind]?: Record<string, string> };

/**
 * Loads a plugin package's module into the set's container, noting its version and the plugins
 * it bound (so a run can record where each of its plugins came from). A package already in the
 * set is not loaded again. One that declares what it provides must bind exactly that.
 */
export function loadInto(set: PluginSet, plugin: LoadedPlugin): void {
  if (set.packages[plugin.packageName] !== undefined) return;
  const before = (kind: PluginKind) =>
    set.container.isBound(TOKENS[kind]) ? set.container.getAll<{ name: string }>(TOKENS[kind]) : [];
  const counts = Object.fromEntries(PLUGIN_KINDS.map((k) => [k, before(k).length]));
  set.container.load(plugin.module);
  const bound = Object.fromEntries(
    PLUGIN_KINDS.map((k) => [
      k,
      before(k)
        .slice(counts[k])
        .map((f) => f.name),
    ]),
  ) as Record<PluginKind, string[]>;
  const mismatch = plugin.provides && undeclared(plugin.provides, bound);
  if (mismatch)
    throw new PluginLoadError(`plugin package '${plugin.packageName}' ${mismatch}; make the two agree`);
  set.packages[plugin.packageName] = plugin.version;
  for (const kind of PLUGIN_KINDS) {
    for (const name of bound[kind]) {
      set.providers[kind] = { ...set.providers[kind], [name]: plugin.packageName };
    }
  }
}

/**
 * How what a package bound differs from what it declares, or undefined when it does not: a
 * command that loads only the packages providing what it needs trusts the declaration.
 */
function undeclared(declared: DeclaredPlugins, bound: Record<PluginKind, string[]>): string | undefined {
  const where = 'its package.json ("archlab": { "provides": ... })';
  const names = (ns: string[]) => ns.map((n) => `'${n}'`).join(', ');
  for (const kind of PLUGIN_KINDS) {
    const said = declared[kind] ?? [];
    const more = bound[kind].filter((n) => !said.includes(n));
    if (more.length) return `binds ${kind} ${names(more)}, which ${where} does not declare`;
    const less = said.filter((n) => !bound[kind].includes(n));
    if (less.length) return `declares ${kind} ${names(less)} in ${where}, but does not bind it`;
  }
  return undefined;
}

/**
 * Every plugin by kind and name. Contributions are gathered from the container (`getAll`),
 * plus any registered directly (tests, embedding code); a direct registration returns a
 * Disposable that removes it. Later registrations of a name shadow earlier ones.
 */
export class PluginRegistry {
  private readonly extra: { [K in PluginKind]?: Kinds[K][] } = {};
  private readonly extraServices: RunService[] = [];

  /** `loaded` (what `loadPlugins` returns) tells which package provides which plugin. */
  constructor(
    private readonly container?: Container,
    private readonly loaded?: Pick<PluginSet, 'packages' | 'providers'>,
  ) {}

  /** The package (and its version) that bound plugin `name` of `kind`; undefined for one registered directly. */
  provider(kind: PluginKind, name: string): { package: string; version: string } | undefined {
    if (this.extraNames(kind).includes(name)) return undefined;
    const pkg = this.loaded?.providers[kind]?.[name];
    return pkg === undefined ? undefined : { package: pkg, version: this.loaded?.packages[pkg] ?? '0.0.0' };
  }

  /** Versions of the loaded plugin packages, by name. */
  packages(): Readonly<Record<string, string>> {
    return this.loaded?.packages ?? {};
  }

  private extraNames(kind: PluginKind): string[] {
    return ((this.extra[kind] ?? []) as { name: string }[]).map((f) => f.name);
  }

  register<K extends PluginKind>(kind: K, factory: Kinds[K]): Disposable {
    const list = (this.extra[kind] ?? []) as Kinds[K][];
    this.extra[kind] = list as (typeof this.extra)[K];
    list.push(factory);
    return {
      dispose: () => {
        const i = list.indexOf(factory);
        if (i >= 0) list.splice(i, 1);
      },
    };
  }

  all<K extends PluginKind>(kind: K): Kinds[K][] {
    const token = TOKENS[kind];
    const fromContainer = this.container?.isBound(token) ? this.container.getAll<Kinds[K]>(token) : [];
    const byName = new Map<string, Kinds[K]>();
    for (const f of [...fromContainer, ...((this.extra[kind] ?? []) as Kinds[K][])]) byName.set(f.name, f);
    return [...byName.values()];
  }

  names(kind: PluginKind): string[] {
    return this.all(kind)
      .map((f) => f.name)
      .sort();
  }

  /** Registers a run-scoped service directly (tests, embedding code); see `RunService`. */
  registerRunService(service: RunService): Disposable {
    this.extraServices.push(service);
    return {
      dispose: () => {
        const i = this.extraServices.indexOf(service);
        if (i >= 0) this.extraServices.splice(i, 1);
      },
    };
  }

  /** Every run-scoped service contribution: those bound in the container, then those registered directly. */
  runServices(): RunService[] {
    const bound = this.container?.isBound(RunService) ? this.container.getAll<RunService>(RunService) : [];
    return [...bound, ...this.extraServices];
  }

  /** A fresh child container for one run (see `RunContainer`): it sees the plugins' container, and what it binds dies with it. */
  runContainer(): Container {
    return this.container?.createChild() ?? new Container();
  }

  /** Every reactive plugin bound in the container. */
  reactions(): Reaction[] {
    return this.contributions<Reaction>(Reaction);
  }

  /**
   * Everything the loaded packages bound to `token` (none when nothing is), for contribution
   * kinds that are not plugins by name, e.g. the `SpaceNetwork`s a command needs.
   */
  contributions<T>(token: symbol): T[] {
    return this.container?.isBound(token) ? this.container.getAll<T>(token) : [];
  }

  /** The factory registered as `name`, or UnknownPluginError listing the known names. */
  get<K extends PluginKind>(kind: K, name: string): Kinds[K] {
    const found = this.all(kind).find((f) => f.name === name);
    if (!found) throw new UnknownPluginError(kind, name, this.names(kind));
    return found;
  }
}
