import type { Container } from 'inversify';
import { type ProgressReporter, RunProgress } from '../engine/run-progress.js';
import type { StatefulService } from '../engine/stateful-service.js';
import { ConfigError, echo } from '../errors.js';
import type { RunConfig } from '../events/event.js';
import type { SearchSpace } from '../space/search-space.js';

/**
 * A service that lives for one run and that several plugins of the run share: a supernet that
 * an ENAS controller (the strategy) trains and its estimator scores with. A plugin package binds
 * it as `bind(RunService).toConstantValue({ token: Supernet, name: 'supernet', create })`; a
 * strategy or estimator of the run gets it with `ctx.services.get(Supernet)`. It is created on
 * the first `get` of a run, once per run: two plugins of one run get the same instance, two
 * runs get different ones. A service with `snapshot` and `restore` is checkpointed with the run
 * (`RunPlugins.stateful`, owner `name`). The run's store (`RunStore`, for blobs) is bound once
 * the run begins, after its plugins were checked: keep the scope and get the store when needed.
 */
export interface RunService<T = unknown> {
  /** What `services.get` takes: a Symbol named like the service's interface (`Symbol.for`, so every copy of a package binds the same one). */
  readonly token: symbol;
  /** Unique among the run's services: its owner in checkpoints, and its name in errors. */
  readonly name: string;
  /** Makes the run's instance; may `get` other run services (not itself, directly or not). */
  create(scope: RunScope): T;
}
// Symbol.for: a plugin built against another copy of @archlab/core still binds the same token.
export const RunService: unique symbol = Symbol.for('archlab.RunService');

/** The services of one run, by token. */
export interface RunServices {
  /** The run's instance of the service bound to `token`; ConfigError when none is. */
  get<T>(token: symbol): T;
  has(token: symbol): boolean;
}

/** What a run service is made from: the run's resolved config, its space, and the other services. */
export interface RunScope extends RunServices {
  readonly config: RunConfig;
  readonly space: SearchSpace;
  /**
   * Records the progress of work service `owner` (its own `name`) does between trials, e.g. a
   * supernet's training epoch, as `Progressed { owner }` events; see `ProgressReporter`. Work
   * done inside an estimator's `evaluate` reports through the trial's `report` instead.
   */
  progress(owner: string): ProgressReporter;
}

/**
 * One run's child container. inversify is used for what it does well here: a child container
 * per run (a run sees the plugin packages' container, its own bindings shadow nothing there and
 * die with it) and lazy singletons (`toDynamicValue(...).inSingletonScope()`: one instance per
 * run, made on first use). Plugins are plain objects (third-party ones are often plain
 * JavaScript), so nothing is injected by decorators or constructor metadata: a service gets
 * what it needs from the scope it is handed.
 */
export class RunContainer implements RunScope {
  private readonly creating = new Set<symbol>();
  private readonly services: readonly RunService[];

  constructor(
    private readonly container: Container,
    readonly config: RunConfig,
    readonly space: SearchSpace,
    services: readonly RunService[],
    /** Where the run's progress reports go (`RunPlugins.progress`). */
    readonly runProgress: RunProgress = new RunProgress(),
  ) {
    const byToken = new Map<symbol, RunService>();
    for (const s of services) {
      if (typeof s?.token !== 'symbol' || typeof s.name !== 'string' || typeof s.create !== 'function') {
        throw new ConfigError(
          `a run service must be { token: Symbol, name: string, create(scope) }; got ${describe(s)}`,
        );
      }
      byToken.set(s.token, s); // a later binding of a token shadows an earlier one, as plugin names do
    }
    this.services = [...byToken.values()];
    const names = new Set<string>();
    for (const s of this.services) {
      if (s.name === 'strategy') {
        throw new ConfigError(
          "a run service is named 'strategy', the strategy's name in checkpoints and progress; rename the service",
        );
      }
      if (names.has(s.name)) {
        throw new ConfigError(`two run services are named '${s.name}'; a run service's name must be unique`);
      }
      names.add(s.name);
      container
        .bind(s.token)
        .toDynamicValue(() => this.create(s))
        .inSingletonScope();
    }
  }

  /** Binds a value the run made (its estimator, runner, store) under `token`, for the services to get. */
  provide(token: symbol, value: unknown): void {
    if (this.container.isCurrentBound(token)) this.container.unbind(token);
    this.container.bind(token).toConstantValue(value);
  }

  has(token: symbol): boolean {
    return this.container.isCurrentBound(token);
  }

  progress(owner: string): ProgressReporter {
    if (!this.services.some((s) => s.name === owner)) {
      throw new ConfigError(
        `progress of '${echo(String(owner))}': a run service reports under its own name (${this.services.map((s) => `'${s.name}'`).join(', ') || 'none is bound'})`,
      );
    }
    return this.runProgress.reporter(owner);
  }

  /** The name of the run service bound to `token`, if one is (not a value the run provides). */
  serviceName(token: symbol): string | undefined {
    return this.services.find((s) => s.token === token)?.name;
  }

  get<T>(token: symbol): T {
    if (!this.has(token)) {
      throw new ConfigError(
        `no run service ${String(token.description ?? 'unnamed')} is bound in this run; load the plugin package that provides it (--plugin NAME)`,
      );
    }
    return this.container.get<T>(token);
  }

  /**
   * Every run service that has `snapshot` and `restore`, in binding order. Makes each service
   * that is not made yet, so the list (and so the checkpoints) is the same on every run of a
   * config, whichever plugin asked first.
   */
  stateful(): StatefulService[] {
    const out: StatefulService[] = [];
    for (const s of this.services) {
      const instance = this.get<Partial<StatefulService>>(s.token);
      const { snapshot, restore } = instance ?? {};
      if (typeof snapshot === 'function' && typeof restore === 'function') {
        out.push({
          owner: s.name,
          snapshot: () => snapshot.call(instance),
          restore: (bytes) => restore.call(instance, bytes),
        });
      }
    }
    return out;
  }

  private create(s: RunService): unknown {
    if (this.creating.has(s.token)) {
      throw new ConfigError(`run service '${s.name}' needs itself to be made (a cycle through its create)`);
    }
    this.creating.add(s.token);
    try {
      return s.create(this);
    } finally {
      this.creating.delete(s.token);
    }
  }
}

function describe(x: unknown): string {
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}
