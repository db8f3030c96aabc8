import type { Container } from 'inversify';
import { Reaction } from '../engine/reaction.js';
import { UnknownPluginError } from '../errors.js';
import { EstimatorFactory } from '../estimator/estimator.js';
import { HardwareModelFactory } from '../hardware/hardware-model.js';
import { SearchSpaceFactory } from '../space/search-space.js';
import { EventStoreFactory } from '../store/event-store.js';
import { StrategyFactory } from '../strategy/strategy.js';

export interface Disposable {
  dispose(): void;
}

interface Kinds {
  space: SearchSpaceFactory;
  strategy: StrategyFactory;
  estimator: EstimatorFactory;
  'hardware model': HardwareModelFactory;
  store: EventStoreFactory;
}
export type PluginKind = keyof Kinds;

const TOKENS: { [K in PluginKind]: symbol } = {
  space: SearchSpaceFactory,
  strategy: StrategyFactory,
  estimator: EstimatorFactory,
  'hardware model': HardwareModelFactory,
  store: EventStoreFactory,
};

/**
 * Every plugin by kind and name. Contributions are gathered from the container (`getAll`),
 * plus any registered directly (tests, embedding code); a direct registration returns a
 * Disposable that removes it. Later registrations of a name shadow earlier ones.
 */
export class PluginRegistry {
  private readonly extra: { [K in PluginKind]?: Kinds[K][] } = {};

  constructor(private readonly container?: Container) {}

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

  /** Every reactive plugin bound in the container. */
  reactions(): Reaction[] {
    return this.container?.isBound(Reaction) ? this.container.getAll<Reaction>(Reaction) : [];
  }

  /** The factory registered as `name`, or UnknownPluginError listing the known names. */
  get<K extends PluginKind>(kind: K, name: string): Kinds[K] {
    const found = this.all(kind).find((f) => f.name === name);
    if (!found) throw new UnknownPluginError(kind, name, this.names(kind));
    return found;
  }
}
