import type { Observable, Subject } from 'rxjs';
import type { EventData, RunEvent, RunEventType } from '../events/event.js';
import { eventHash } from '../events/hash-chain.js';
import { storedVersion, upcast } from '../events/upcast.js';
import { evolve, type RunState } from '../projections/run-state.js';
import type { EventStore } from '../store/event-store.js';
import { rx } from './rx.js';

export type NewEvent = { [T in RunEventType]: { type: T; data: EventData<T> } }[RunEventType];

/**
 * The only writer of a run. Appends are serialized; each gets the next seq, the version it is
 * stored as (`storedVersion`) and a hash chained to the previous event. An event is folded into
 * the state and published on `events$` only after the store accepted it, as a reader would see
 * it (upcast to the current version).
 */
export class RunWriter {
  private readonly subject: Subject<RunEvent> = new (rx().Subject)<RunEvent>();
  readonly events$: Observable<RunEvent> = this.subject.asObservable();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    readonly state: RunState,
    private readonly clock: () => number,
  ) {}

  get runId(): string {
    return this.state.runId;
  }

  /** Appends `events` as one atomic batch, after every append queued before it. */
  append(...events: NewEvent[]): Promise<RunEvent[]> {
    const next = this.tail.then(() => this.write(events));
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every queued append has finished. */
  async flush(): Promise<void> {
    await this.tail;
  }

  complete(): void {
    this.subject.complete();
  }

  private async write(events: NewEvent[]): Promise<RunEvent[]> {
    const ts = this.clock();
    let prev = this.state.lastHash;
    const base = this.state.lastSeq;
    const stored = events.map((e, i) => {
      const content = {
        runId: this.runId,
        seq: base + 1 + i,
        type: e.type,
        v: storedVersion(e.type, e.data),
        ts,
        data: e.data,
      };
      prev = eventHash(prev, content);
      return { ...content, hash: prev };
    });
    await this.store.append(this.runId, base, stored);
    const live = stored.map((e) => upcast(e));
    for (const e of live) evolve(this.state, e);
    for (const e of live) this.subject.next(e);
    return live;
  }
}
