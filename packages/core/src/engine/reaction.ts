import type { Observable } from 'rxjs';
import type { RunEvent } from '../events/event.js';

/**
 * A reactive plugin: given the run's events (only those already stored), returns an Observable
 * of side effects. The engine subscribes, isolates each reaction's errors (recorded as
 * PluginFailed, the run goes on) and unsubscribes when the run ends.
 */
export interface Reaction {
  readonly name: string;
  react(events$: Observable<RunEvent>): Observable<unknown>;
}
// Symbol.for: a plugin built against another copy of @archlab/core still binds the same token.
export const Reaction: unique symbol = Symbol.for('archlab.Reaction');
