import { StoreError } from '../errors.js';
import {
  CURRENT_VERSIONS,
  type EventData,
  isEventType,
  type RunEvent,
  type RunEventType,
  SCREEN_GATE_VALUE,
} from './event.js';

/** An event as a store holds it: possibly an older schema version, possibly an unknown type. */
export interface StoredEvent {
  readonly type: string;
  readonly v: number;
  readonly runId: string;
  readonly seq: number;
  readonly ts: number;
  readonly data: unknown;
  readonly hash: string;
}

/** Turns `data` of version `from` into version `from + 1`. */
export type Upcaster = (data: unknown) => unknown;

/**
 * Upcasters by event type and source version: when a shape changes, the old version's upcaster
 * goes here and old logs keep replaying.
 */
const UPCASTERS: Partial<Record<string, Record<number, Upcaster>>> = {
  // v2 only added optional config fields (objectives, constraints, hardware, reward, screen).
  RunStarted: { 1: (data) => data },
  // v2 only added the optional `artifacts`.
  TrialCompleted: { 1: (data) => data },
  // v2 records every gate's measurement; v1 recorded only the screen's, and whether it seeded the run.
  TrialProposed: {
    1: (data) => {
      const { screen, ...rest } = data as { screen?: { value: number; warmup?: true } };
      if (!screen) return rest;
      return {
        ...rest,
        gates: { screen: { [SCREEN_GATE_VALUE]: screen.value } },
        ...(screen.warmup && { seeded: 'warmup' }),
      };
    },
  },
  // v2 names the gate; before it, the pre-filter's reasons were the only ones starting `screen:`.
  TrialPruned: {
    1: (data) => {
      const d = data as { reason?: unknown };
      const gate = typeof d.reason === 'string' && d.reason.startsWith('screen:') ? 'screen' : 'hardware';
      return { ...(data as object), gate };
    },
  },
};

/**
 * Event types renamed since, by their stored name: the type they are read as, and their data
 * as that type's version `v`.
 */
const RENAMED: Partial<Record<string, { type: RunEventType; v: number; data: (data: unknown) => unknown }>> =
  {
    // One checkpoint event for every owner; the strategy was the only one before.
    StrategyCheckpointed: {
      type: 'Checkpointed',
      v: 1,
      data: (data) => ({ owner: 'strategy', ...(data as object) }),
    },
  };

/**
 * The version an event is stored as: the oldest that can hold its data (downcast on write).
 * A RunStarted whose config uses none of the v2 fields is written as v1, byte for byte what
 * earlier versions wrote, so they can still read such a run; one that does is v2, which they
 * refuse with "upgrade archlab" instead of misreading it (ignoring its constraints). The same
 * holds for a TrialCompleted with artifacts (v2) and a TrialProposed with gate measurements (v2).
 */
export function storedVersion<T extends RunEventType>(type: T, data: EventData<T>): number {
  if (type === 'RunStarted') {
    const c = (data as EventData<'RunStarted'>).config;
    const v2 = c.objectives ?? c.constraints ?? c.hardware ?? c.reward ?? c.screen ?? c.trialSeed;
    return v2 === undefined ? 1 : 2;
  }
  if (type === 'TrialCompleted') {
    return (data as EventData<'TrialCompleted'>).artifacts === undefined ? 1 : 2;
  }
  if (type === 'TrialProposed') {
    const d = data as EventData<'TrialProposed'>;
    return d.gates === undefined && d.seeded === undefined ? 1 : 2;
  }
  return CURRENT_VERSIONS[type];
}

export class UnsupportedEventError extends StoreError {
  override readonly code = 'UNSUPPORTED_EVENT';
}

/** Upcast a stored event to the current schema of its type. Runs at the store's edge, on read. */
export function upcast(stored: StoredEvent, upcasters = UPCASTERS): RunEvent {
  const renamed = RENAMED[stored.type];
  const e =
    renamed && stored.v <= 1
      ? { ...stored, type: renamed.type, v: renamed.v, data: renamed.data(stored.data) }
      : stored;
  if (!isEventType(e.type)) {
    throw new UnsupportedEventError(
      `run '${e.runId}' seq ${e.seq} has event type '${e.type}', which this archlab does not know; upgrade archlab`,
    );
  }
  const current = CURRENT_VERSIONS[e.type];
  if (e.v > current) {
    throw new UnsupportedEventError(
      `run '${e.runId}' seq ${e.seq} is ${e.type} v${e.v}, newer than this archlab's v${current}; upgrade archlab`,
    );
  }
  let data = e.data;
  for (let v = e.v; v < current; v++) {
    const step = upcasters[e.type]?.[v];
    if (!step) throw new UnsupportedEventError(`no upcaster for ${e.type} v${v} → v${v + 1}`);
    data = step(data);
  }
  return (data === e.data && e.v === current ? e : { ...e, v: current, data }) as RunEvent;
}
