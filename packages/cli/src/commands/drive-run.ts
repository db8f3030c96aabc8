import type { RunOutcome, Search } from '@archlab/core';
import { ProgressReporter } from '../progress.js';
import { summarize, summaryText } from '../run-summary.js';

export interface OutputOptions {
  json?: boolean;
  quiet?: boolean;
}

/**
 * Runs a started or resumed search with progress on stderr, stops cleanly on Ctrl-C or SIGTERM
 * (a second signal exits at once; the log is safe either way) and prints the summary. Returns the
 * exit code: 130 when a signal stopped the run.
 */
export async function driveRun(search: Search, dbPath: string, out: OutputOptions): Promise<number> {
  const progress = new ProgressReporter(search.state, process.stderr, !out.quiet);
  const sub = search.events$.subscribe((e) => progress.onEvent(e));
  try {
    const outcome = await runStoppable(search);
    progress.finish();
    if (out.json) process.stdout.write(`${JSON.stringify(summarize(outcome.state))}\n`);
    else process.stdout.write(`${summaryText(outcome.state, dbPath)}\n`);
    return outcome.status === 'interrupted' ? 130 : 0;
  } finally {
    sub.unsubscribe();
  }
}

/** `search.run()`, stopped cleanly by a first Ctrl-C or SIGTERM (the trials in flight are left for resume); a second exits at once. */
export async function runStoppable(search: Search): Promise<RunOutcome> {
  const release = onStopSignals(() => {
    process.stderr.write(
      '\narchlab: stopping after the trials in flight are aborted (Ctrl-C again to quit now)\n',
    );
    search.stop();
  });
  try {
    return await search.run();
  } finally {
    release();
  }
}

/**
 * Calls `stop` on the first SIGINT or SIGTERM; a second exits at once with 130. Returns what
 * removes the handlers.
 */
export function onStopSignals(stop: () => void): () => void {
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
