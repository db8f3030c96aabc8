import { InvalidProgressError, ReplayDivergenceError } from '../errors.js';
import type { EventData, EventOfType, Metrics } from '../events/event.js';
import type { RunWriter } from './run-writer.js';

/** Named vectors of a progress report (e.g. `alpha`, flattened); typed arrays are taken as they are. */
export type ProgressValues = Readonly<Record<string, ArrayLike<number>>>;

/**
 * How a strategy (`StrategyContext.progress`) or a run service (`RunScope.progress(name)`)
 * records the progress of work it does between trials, e.g. one epoch of supernet training
 * inside `ask`: each report becomes a `Progressed` event of its owner.
 */
export interface ProgressReporter {
  /**
   * Records `step` (from 1, each after the owner's last) with its `metrics` and, optionally,
   * named `values`. Resolves once the event is in the log and on `events$`. While a resume or
   * `replay --verify` does again work the log already records, the report is instead checked
   * against the recorded one and rejects with ReplayDivergenceError if any field differs.
   * Rejects with InvalidProgressError, writing nothing, for a step that does not follow the
   * last or a metric or value that is not a finite number. Either error, let through the
   * strategy's `ask` or `tell`, stops the run (the log stays resumable from its last checkpoint).
   */
  report(step: number, metrics: Metrics, values?: ProgressValues): Promise<void>;
}

type Recorded = EventOfType<'Progressed'>;
type ProgressData = EventData<'Progressed'>;

/**
 * The progress of one run's owners, as the log has it. A fresh run appends each report through
 * the run's writer (`attach`). A replay first hands it the Progressed events of the work it
 * will do again (`expect`: after the restored checkpoint on resume, all of them on verify);
 * each report takes the next recorded one of its owner and must equal it, so work re-done
 * after a crash is checked, never written twice. Once an owner's recorded ones are used up,
 * its reports are written again (a resumed run that crashed in the middle of an epoch).
 */
export class RunProgress {
  private writer: RunWriter | undefined;
  private replaying: string | undefined;
  /** Recorded Progressed events still to be reported again, by owner, in log order. */
  private readonly recorded = new Map<string, Recorded[]>();
  /** Recorded reports that were reported again and equal. */
  checked = 0;
  /**
   * The first report that contradicted the log. A replay throws it even when the plugin that
   * reported caught it, or when a `tell` that threw is recorded as PluginFailed.
   */
  divergence: ReplayDivergenceError | undefined;
  /** The seq of the recorded event whose work a replay is doing again (named by a report the log lacks). */
  at = -1;

  reporter(owner: string): ProgressReporter {
    return { report: (step, metrics, values) => this.report(owner, step, metrics, values) };
  }

  /** Reports of run `runId` are checked against `events` (recorded, in log order) before any is written. */
  expect(runId: string, events: readonly Recorded[]): void {
    this.replaying = runId;
    this.recorded.clear();
    for (const e of events) {
      const queue = this.recorded.get(e.data.owner) ?? [];
      queue.push(e);
      this.recorded.set(e.data.owner, queue);
    }
  }

  /** From now on, a report for which nothing recorded is left is appended through `writer`. */
  attach(writer: RunWriter): void {
    this.writer = writer;
  }

  /** The first recorded Progressed before seq `before` that was not reported again, if any. */
  unreported(before = Number.POSITIVE_INFINITY): Recorded | undefined {
    let first: Recorded | undefined;
    for (const queue of this.recorded.values()) {
      const e = queue[0];
      if (e && e.seq < before && (!first || e.seq < first.seq)) first = e;
    }
    return first;
  }

  /**
   * Throws the first way the reports so far contradict the log: a report that differed from the
   * recorded one, or a recorded one before seq `before` that no report took again.
   */
  check(before = Number.POSITIVE_INFINITY): void {
    if (this.divergence) throw this.divergence;
    const left = this.unreported(before);
    if (left) {
      const { owner, step } = left.data;
      throw this.diverged(
        left.seq,
        `the log records progress step ${step} of '${owner}', which the run did not report again`,
      );
    }
  }

  private async report(
    owner: string,
    step: number,
    metrics: Metrics,
    values?: ProgressValues,
  ): Promise<void> {
    const data = progressData(owner, step, metrics, values);
    const next = this.recorded.get(owner)?.shift();
    // Reports come in the order they were recorded: one recorded before this one, of any owner, was skipped.
    if (next) this.check(next.seq);
    if (next) {
      const unlike = progressDifference(next.data, data);
      if (!unlike) {
        this.checked++;
        return;
      }
      throw this.diverged(
        next.seq,
        `'${owner}' reports progress step ${step} with ${unlike.field}=${unlike.fresh}, but the log records ${unlike.field}=${unlike.recorded}`,
      );
    }
    const { writer } = this;
    if (!writer) {
      if (this.replaying === undefined) throw new Error(`'${owner}' reported progress before its run began`);
      throw this.diverged(this.at, `'${owner}' reports progress step ${step}, which the log does not record`);
    }
    const last = writer.state.progress.get(owner)?.step ?? 0;
    if (step <= last) {
      throw new InvalidProgressError(
        `'${owner}' reported progress step ${step} after step ${last}; each step must follow the last`,
      );
    }
    await writer.append({ type: 'Progressed', data });
  }

  private diverged(seq: number, reason: string): ReplayDivergenceError {
    const err = new ReplayDivergenceError(this.replaying ?? '', seq, reason);
    this.divergence ??= err;
    return err;
  }
}

/** A report as the event records it (plain arrays), or InvalidProgressError for what cannot be recorded. */
function progressData(owner: string, step: number, metrics: Metrics, values?: ProgressValues): ProgressData {
  const bad = (what: string) =>
    new InvalidProgressError(`'${owner}' reported progress step ${step} with ${what}; nothing was recorded`);
  if (!Number.isSafeInteger(step) || step < 1) throw bad('a step that is not a whole number from 1');
  if (typeof metrics !== 'object' || metrics === null) throw bad('no metrics');
  for (const [name, v] of Object.entries(metrics)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${name}=${v}, not a finite number`);
  }
  if (values === undefined) return { owner, step, metrics: { ...metrics } };
  const vectors: Record<string, number[]> = {};
  for (const [name, v] of Object.entries(values)) {
    const vector = Array.from(v ?? []);
    const i = vector.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (i >= 0) throw bad(`${name}[${i}]=${vector[i]}, not a finite number`);
    vectors[name] = vector;
  }
  return { owner, step, metrics: { ...metrics }, values: vectors };
}

/** The first field in which a report differs from the recorded one (exactly: same backend, same numbers). */
function progressDifference(
  recorded: ProgressData,
  fresh: ProgressData,
): { field: string; recorded: unknown; fresh: unknown } | undefined {
  if (recorded.step !== fresh.step) return { field: 'step', recorded: recorded.step, fresh: fresh.step };
  const text = (v: unknown) => (v === undefined ? 'nothing' : v);
  for (const name of union(recorded.metrics, fresh.metrics)) {
    const [a, b] = [recorded.metrics[name], fresh.metrics[name]];
    if (a !== b) return { field: `metrics.${name}`, recorded: text(a), fresh: text(b) };
  }
  const rv = recorded.values ?? {};
  const fv = fresh.values ?? {};
  for (const name of union(rv, fv)) {
    const [a, b] = [rv[name], fv[name]];
    if (!a || !b || a.length !== b.length) {
      const size = (v: readonly number[] | undefined) => (v ? `${v.length} numbers` : 'nothing');
      return { field: `values.${name}`, recorded: size(a), fresh: size(b) };
    }
    const i = a.findIndex((x, k) => x !== b[k]);
    if (i >= 0) return { field: `values.${name}[${i}]`, recorded: a[i], fresh: b[i] };
  }
  return undefined;
}

function union(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}
