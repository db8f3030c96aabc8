import { activeMs, type Metrics, type RunEvent, type RunState, type Trial } from '@archlab/core';

/** The part of a stream the reporter writes to (stderr, or a fake in tests). */
export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

/**
 * Reports a run's progress on stderr. On a terminal it redraws a block: one bar for the run and,
 * for estimators that report progress (training), one line per running trial with its latest
 * epoch. Otherwise it writes plain lines: one every tenth of the budget (or every 10 s), and one
 * per progress report of a trial, so logs of CI jobs stay readable.
 */
export class ProgressReporter {
  private readonly tty: boolean;
  private lastDraw = 0;
  private lastLine = 0;
  private lastReported = 0;
  /** Lines of the block drawn last, so the next draw can move up over them. */
  private drawnLines = 0;
  private readonly started: number;
  private startTrials = -1;

  constructor(
    private readonly state: RunState,
    private readonly out: ProgressStream = process.stderr,
    private readonly enabled = true,
    private readonly clock: () => number = Date.now,
  ) {
    this.started = clock();
    this.tty = Boolean(out.isTTY) && process.env.TERM !== 'dumb';
  }

  onEvent(e: RunEvent): void {
    if (!this.enabled) return;
    const now = this.clock();
    if (e.type === 'TrialProgressed') {
      if (this.tty) this.draw(now, false);
      else this.out.write(`archlab: ${this.trialLine(this.state.trials[e.data.trialId])}\n`);
      return;
    }
    if (e.type === 'TrialStarted' && this.tty) {
      this.draw(now, false);
      return;
    }
    if (e.type !== 'TrialCompleted' && e.type !== 'TrialFailed' && e.type !== 'TrialPruned') return;
    const done = this.done();
    if (this.startTrials < 0) this.startTrials = done - 1;
    const total = this.state.config?.budget.trials;
    if (this.tty) {
      this.draw(now, done === total);
    } else {
      const step = total ? Math.max(1, Math.ceil(total / 10)) : Number.POSITIVE_INFINITY;
      if (Math.floor(done / step) === Math.floor(this.lastReported / step) && now - this.lastLine < 10_000)
        return;
      this.lastReported = done;
      this.lastLine = now;
      this.out.write(`archlab: ${this.runLine(done, total, now)}\n`);
    }
  }

  /** Clears the block so the summary starts on a clean line. */
  finish(): void {
    if (this.enabled && this.tty && this.lastDraw) this.out.write(this.clear());
  }

  private draw(now: number, force: boolean): void {
    if (!force && now - this.lastDraw < 80) return;
    this.lastDraw = now;
    const running = this.state.trials.filter((t) => t?.status === 'running' && t.progress);
    const lines = [
      this.runLine(this.done(), this.state.config?.budget.trials, now),
      ...running.map((t) => `  ${this.trialLine(t)}`),
    ];
    this.out.write(`${this.clear()}${lines.join('\n')}`);
    this.drawnLines = lines.length;
  }

  /** Moves to the start of the block drawn last and erases it. */
  private clear(): string {
    const up = this.drawnLines > 1 ? `\x1b[${this.drawnLines - 1}A` : '';
    return `\r${up}\x1b[0J`;
  }

  /** Trials that used the budget: pruned ones cost nothing and do not count. */
  private done(): number {
    const c = this.state.counts;
    return c.completed + c.failed;
  }

  private runLine(done: number, total: number | undefined, now: number): string {
    const objective = this.state.config?.objective;
    const best =
      objective && this.state.best
        ? `best ${objective.metric}=${fmt(this.state.best.metrics[objective.metric])}`
        : 'best -';
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? (done - Math.max(0, this.startTrials)) / secs : 0;
    const { failed: nf, pruned: np } = this.state.counts;
    const failed = `${nf ? `  ${nf} failed` : ''}${np ? `  ${np} pruned` : ''}`;
    const wallTimeMs = this.state.config?.budget.wallTimeMs;
    const left = etaSeconds({
      done,
      total,
      rate,
      ...(wallTimeMs !== undefined && { wallLeftMs: wallTimeMs - activeMs(this.state, now) }),
    });
    const eta = left === undefined ? '' : `  eta ${left}s`;
    if (!total) return `${done} trials  ${best}${failed}  ${rate.toFixed(1)} trials/s${eta}`;
    const width = 28;
    const filled = Math.round((done / total) * width);
    const bar = this.tty ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    return `${bar}${done}/${total} trials  ${best}${failed}  ${rate.toFixed(1)} trials/s${eta}`;
  }

  /** `trial 4 step 2/15 loss=0.41 val_acc=0.87`: steps out of the estimator's `epochs` option when it has one. */
  private trialLine(t: Trial | undefined): string {
    if (!t?.progress) return `trial ${t?.trialId ?? '?'}`;
    const epochs = this.state.config?.estimatorOptions.epochs;
    const of = typeof epochs === 'number' ? `/${epochs}` : '';
    return `trial ${t.trialId} step ${t.progress.step}${of}  ${metricsText(t.progress.metrics)}`;
  }
}

/**
 * Seconds until the run ends: whichever budget ends first, the trials left at the current rate
 * (trials/s) or the wall time left. Undefined when neither is known.
 */
export function etaSeconds(p: {
  done: number;
  total?: number;
  rate: number;
  wallLeftMs?: number;
}): number | undefined {
  const byTrials = p.total && p.rate > 0 ? (p.total - p.done) / p.rate : Number.POSITIVE_INFINITY;
  const byWall = p.wallLeftMs === undefined ? Number.POSITIVE_INFINITY : Math.max(0, p.wallLeftMs) / 1000;
  const secs = Math.min(byTrials, byWall);
  return Number.isFinite(secs) ? Math.ceil(secs) : undefined;
}

/**
 * One line per progress report of a single evaluation (`archlab train`, `archlab eval`):
 * `step 3/15  loss=0.31 val_acc=90.1  6m 40s, eta 26m 40s`. The step is out of `steps` and the
 * remaining time is extrapolated from the mean time per step when `steps` is known.
 */
export function stepLine(step: number, metrics: Metrics, elapsedMs: number, steps?: number): string {
  const elapsed = duration(elapsedMs);
  if (steps === undefined || step < 1) return `step ${step}  ${metricsText(metrics)}  ${elapsed}`;
  const eta = step < steps ? `, eta ${duration((elapsedMs / step) * (steps - step))}` : '';
  return `step ${step}/${steps}  ${metricsText(metrics)}  ${elapsed}${eta}`;
}

/** `42s`, `6m 40s`, `2h 5m`. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** `k=v k=v`, numbers shortened by `fmt`. */
export function metricsText(m: Metrics, separator = ' '): string {
  return Object.entries(m)
    .map(([k, v]) => `${k}=${fmt(v)}`)
    .join(separator);
}

export function fmt(v: number | undefined): string {
  if (v === undefined) return '-';
  return Number.isInteger(v)
    ? String(v)
    : v
        .toFixed(Math.abs(v) >= 100 ? 1 : 4)
        .replace(/0+$/, '')
        .replace(/\.$/, '');
}
