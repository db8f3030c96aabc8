import type { RunEvent, RunState } from '@archlab/core';

/**
 * Reports a run's progress on stderr: a redrawn bar on a terminal, a plain line every tenth of
 * the budget (or every 10 s) otherwise, so logs of CI jobs stay readable.
 */
export class ProgressReporter {
  private readonly tty: boolean;
  private lastDraw = 0;
  private lastLine = 0;
  private lastReported = 0;
  private readonly started = Date.now();
  private startTrials = -1;

  constructor(
    private readonly state: RunState,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly enabled = true,
  ) {
    this.tty = Boolean(out.isTTY) && process.env.TERM !== 'dumb';
  }

  onEvent(e: RunEvent): void {
    if (!this.enabled) return;
    if (e.type !== 'TrialCompleted' && e.type !== 'TrialFailed' && e.type !== 'TrialPruned') return;
    const done = this.done();
    if (this.startTrials < 0) this.startTrials = done - 1;
    const now = Date.now();
    const total = this.state.config?.budget.trials;
    if (this.tty) {
      if (now - this.lastDraw < 80 && done !== total) return;
      this.lastDraw = now;
      this.out.write(`\r\x1b[2K${this.line(done, total, now)}`);
    } else {
      const step = total ? Math.max(1, Math.ceil(total / 10)) : Number.POSITIVE_INFINITY;
      if (Math.floor(done / step) === Math.floor(this.lastReported / step) && now - this.lastLine < 10_000)
        return;
      this.lastReported = done;
      this.lastLine = now;
      this.out.write(`archlab: ${this.line(done, total, now)}\n`);
    }
  }

  /** Clears the bar so the summary starts on a clean line. */
  finish(): void {
    if (this.enabled && this.tty && this.lastDraw) this.out.write('\r\x1b[2K');
  }

  private done(): number {
    const c = this.state.counts;
    return c.completed + c.failed + c.pruned;
  }

  private line(done: number, total: number | undefined, now: number): string {
    const objective = this.state.config?.objective;
    const best =
      objective && this.state.best
        ? `best ${objective.metric}=${fmt(this.state.best.metrics[objective.metric])}`
        : 'best -';
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? (done - Math.max(0, this.startTrials)) / secs : 0;
    const failed = this.state.counts.failed ? `  ${this.state.counts.failed} failed` : '';
    if (!total) return `${done} trials  ${best}${failed}  ${rate.toFixed(1)} trials/s`;
    const width = 28;
    const filled = Math.round((done / total) * width);
    const bar = this.tty ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    const eta = rate > 0 ? `  eta ${Math.ceil((total - done) / rate)}s` : '';
    return `${bar}${done}/${total} trials  ${best}${failed}  ${rate.toFixed(1)} trials/s${eta}`;
  }
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
