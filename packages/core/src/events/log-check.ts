import { StoreError } from '../errors.js';
import { evolve, initialRunState, type RunState } from '../projections/run-state.js';
import type { EventStore } from '../store/event-store.js';
import type { RunEvent } from './event.js';
import { eventHash, GENESIS_HASH } from './hash-chain.js';
import { type StoredEvent, upcast } from './upcast.js';

/** `run 'X': the log is damaged at seq N: REASON`, the one wording of a damaged log in errors and warnings. */
export function damageText(runId: string, seq: number, reason: string): string {
  return `run '${runId}': the log is damaged at seq ${seq}: ${reason}`;
}

/**
 * A run's log cannot be read as a run: an event is missing, unreadable, or does not fit the
 * events before it. What is stored is left as it is.
 */
export class DamagedLogError extends StoreError {
  override readonly code = 'DAMAGED_LOG';
  constructor(
    readonly runId: string,
    readonly seq: number,
    readonly reason: string,
    options?: { cause?: unknown; unreadable?: boolean },
  ) {
    // Where the store cannot read the event at all, export cannot show it either.
    const look = options?.unreadable ? '' : `, or see what is stored with 'archlab export ${runId}'`;
    super(`${damageText(runId, seq, reason)}; restore the database from a backup${look}`, options);
  }
}

/**
 * What is wrong at one point of a log: `gap` (a missing seq), `start` (seq 0 is not RunStarted),
 * `hash` (the chain does not verify: an event was altered), or `end` (the log ends before the
 * store's index of runs says it does: events were deleted from its end).
 */
export interface LogFault {
  readonly kind: 'gap' | 'start' | 'hash' | 'end';
  readonly seq: number;
  readonly reason: string;
}

/** Checks a run's stored events one by one, in the order read: seqs gap-free from 0, RunStarted first, the hash chain. */
export class LogChecker {
  private prevHash = GENESIS_HASH;
  private next = 0;

  /** The fault `e` shows, if any. After a gap the chain is taken up again from `e`. */
  check(e: StoredEvent): LogFault | undefined {
    const expected = this.next;
    const prevHash = this.prevHash;
    this.next = e.seq + 1;
    this.prevHash = e.hash;
    if (e.seq !== expected) {
      return {
        kind: 'gap',
        seq: expected,
        reason: `seq ${expected} is missing (the next stored event is seq ${e.seq})`,
      };
    }
    if (e.seq === 0 && e.type !== 'RunStarted') {
      return { kind: 'start', seq: 0, reason: `the log starts with ${e.type}, not RunStarted` };
    }
    if (eventHash(prevHash, e) !== e.hash) {
      return {
        kind: 'hash',
        seq: e.seq,
        reason: `${e.type} does not match its hash: the stored event was altered after it was written`,
      };
    }
    return undefined;
  }

  /**
   * The `end` fault when the log read ends before `indexed`, the last seq the store's index of
   * runs recorded before the read began (read first: a writer may append while the log is read).
   */
  checkEnd(indexed: number): LogFault | undefined {
    const last = this.next - 1;
    if (last >= indexed) return undefined;
    return {
      kind: 'end',
      seq: last + 1,
      reason: `the log ends at seq ${last}, but the store's index of runs records events up to seq ${indexed}`,
    };
  }
}

const TRIAL_EVENTS = new Set([
  'TrialProposed',
  'TrialStarted',
  'TrialProgressed',
  'TrialCompleted',
  'TrialFailed',
  'TrialPruned',
]);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What keeps `e` from being folded (a field the fold and the read commands rely on is missing or of the wrong type), or undefined. */
function shapeFault(e: RunEvent): string | undefined {
  const data: unknown = e.data;
  if (!isObject(data)) return `${e.type}'s data is not an object`;
  if (e.type === 'RunStarted') {
    const c = data.config;
    if (!isObject(c)) return 'RunStarted has no config';
    for (const field of ['space', 'estimator', 'strategy'] as const) {
      if (typeof c[field] !== 'string') return `RunStarted's config has no ${field}`;
    }
    if (!isObject(c.objective) || typeof c.objective.metric !== 'string') {
      return "RunStarted's config has no objective";
    }
    return undefined;
  }
  if (e.type === 'Progressed') {
    if (typeof data.owner !== 'string') return 'Progressed has no owner';
    if (!Number.isSafeInteger(data.step)) return 'Progressed has no step';
    if (!isObject(data.metrics)) return 'Progressed has no metrics';
    return undefined;
  }
  if (TRIAL_EVENTS.has(e.type)) {
    if (!Number.isSafeInteger(data.trialId) || (data.trialId as number) < 0)
      return `${e.type} has no trialId`;
    if (e.type === 'TrialProposed' && typeof data.arch !== 'string') return 'TrialProposed has no arch';
    if ((e.type === 'TrialCompleted' || e.type === 'TrialPruned') && !isObject(data.metrics)) {
      return `${e.type} has no metrics`;
    }
  }
  return undefined;
}

/** `evolve`, for events read from a store: an event that does not fit the run is a DamagedLogError, not a crash. */
export function foldStoredEvent(state: RunState, e: RunEvent): RunState {
  const fault = shapeFault(e);
  if (fault) throw new DamagedLogError(e.runId, e.seq, fault);
  try {
    return evolve(state, e);
  } catch (err) {
    throw new DamagedLogError(e.runId, e.seq, (err as Error).message, { cause: err });
  }
}

/**
 * Folds a run's log as the read commands need it. A log that cannot be read as a run (a missing
 * event, no RunStarted, an event that does not fit) throws DamagedLogError; a hash chain that
 * does not verify, or a log that ends before the store's index says, is returned in `faults`,
 * since the events may still be read.
 */
export async function foldLog(
  store: EventStore,
  runId: string,
): Promise<{ state: RunState; faults: LogFault[] }> {
  const state = initialRunState(runId);
  const checker = new LogChecker();
  const faults: LogFault[] = [];
  const indexed = await store.lastSeq(runId);
  for await (const stored of store.read(runId)) {
    const fault = checker.check(stored);
    if (fault?.kind === 'hash') {
      if (!faults.length) faults.push(fault);
    } else if (fault) throw new DamagedLogError(runId, fault.seq, fault.reason);
    foldStoredEvent(state, upcast(stored));
  }
  if (state.lastSeq < 0) throw new DamagedLogError(runId, 0, 'the run has no events left');
  const end = checker.checkEnd(indexed);
  if (end) faults.push(end);
  return { state, faults };
}
