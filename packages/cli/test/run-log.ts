import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { archlab, archlabAsync, exited, type StoredRow, storedEvents } from './cli-harness.js';

// A run's log read straight from its SQLite file (`storedEvents`), for the tests that cut, kill
// and resume runs.

/**
 * What an interrupted and resumed run must have written exactly as the uninterrupted one: every
 * epoch's progress (α included), proposal, result and checkpoint (a checkpoint's blob is the
 * sha256 of the state it saved: the supernet's weights, optimizer slots, rng and data order),
 * in order, timings left out. RunStarted, RunResumed and RunCompleted hold times and the env;
 * a trial a crash interrupted is started again (TrialStarted, attempt 2).
 */
export function work(dbPath: string, runId: string): unknown[] {
  return storedEvents(dbPath, runId)
    .filter((r) => !['RunStarted', 'RunResumed', 'RunCompleted', 'TrialStarted'].includes(r.type))
    .map(({ type, data }) => {
      const { durationMs: _, ...rest } = data;
      return { type, ...rest };
    });
}

/** A crash right after event `seq`: the log cut there (appends are atomic, so this is what a kill leaves). */
export function cutAfter(dir: string, from: string, name: string, runId: string, seq: number): void {
  copyFileSync(join(dir, from), join(dir, name));
  const db = new Database(join(dir, name));
  try {
    db.prepare('DELETE FROM events WHERE run_id = ? AND seq > ?').run(runId, seq);
    db.prepare(
      'UPDATE runs SET last_seq = (SELECT max(seq) FROM events WHERE run_id = ?), last_ts = (SELECT max(ts) FROM events WHERE run_id = ?) WHERE run_id = ?',
    ).run(runId, runId, runId);
  } finally {
    db.close();
  }
}

/**
 * Runs `archlab ARGS --db NAME` in `dir`, kills it (SIGKILL) `delayMs` after its log first
 * satisfies `when`, resumes it, and expects the resumed run's `work` to equal `whole` (the
 * uninterrupted run's). Returns the log as the kill left it.
 */
export async function killAndResume(
  dir: string,
  args: readonly string[],
  name: string,
  runId: string,
  when: (log: StoredRow[]) => boolean,
  delayMs: number,
  whole: unknown[],
): Promise<StoredRow[]> {
  const child = archlabAsync(dir, ...args, '--db', name);
  const done = exited(child);
  for (;;) {
    const log = storedEvents(join(dir, name), runId);
    if (when(log)) break;
    await sleep(5);
  }
  await sleep(delayMs);
  child.kill('SIGKILL');
  expect((await done).signal).toBe('SIGKILL');
  const cut = storedEvents(join(dir, name), runId);
  expect(cut.some((r) => r.type === 'RunCompleted')).toBe(false);
  const r = archlab(dir, 'resume', runId, '--db', name);
  expect(r.code, r.stderr).toBe(0);
  expect(work(join(dir, name), runId)).toEqual(whole);
  return cut;
}
