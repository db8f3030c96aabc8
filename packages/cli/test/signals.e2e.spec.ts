import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { archlab, archlabAsync, archlabJson, exited, tempDir } from './cli-harness.js';

/** A table search with a budget it would take hours to spend: only a signal ends it. */
const LONG = [
  '--space',
  'nb201',
  '--estimator',
  'nb201:cifar10',
  '--strategy-option',
  'dedupe=false',
  '--trials',
  '10000000',
];

/** Resolves once the child says the run started, then lets it make progress for a while. */
async function running(child: ReturnType<typeof archlabAsync>, runId: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stderr?.on('data', (d: Buffer) => {
      seen += d.toString();
      if (new RegExp(`run ${runId} started|resuming ${runId}`).test(seen)) resolve();
    });
    child.on('close', () => reject(new Error(`exited before it started: ${seen}`)));
  });
  await sleep(1500);
}

/**
 * What a stop may take from the signal to the exit. The run stops well within 1 s (about 0.2 s
 * here, from the signal to the process's end); the margin is for a machine shared with other jobs.
 */
const STOP_MS = 2000;

/** Sends the signals, and how long the child took to exit after the first. */
async function stop(
  child: ReturnType<typeof archlabAsync>,
  signals: NodeJS.Signals[],
): Promise<{ code: number | null; ms: number }> {
  const done = exited(child);
  const t0 = performance.now();
  for (const s of signals) child.kill(s);
  const { code } = await done;
  return { code, ms: performance.now() - t0 };
}

describe('a signal stops a search on a table estimator within a second, exit 130', () => {
  const dir = tempDir();
  const stored = (db: string, run: string) => {
    const [r] = archlabJson<{ runId: string; status: string; trials: number }[]>(dir, 'runs', '--db', db);
    expect(r).toMatchObject({ runId: run });
    expect(r!.status).not.toBe('completed');
    expect(r!.trials).toBeGreaterThan(100);
    const verify = archlab(dir, 'replay', run, '--db', db, '--verify');
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    return r!.trials;
  };

  it.each([
    ['SIGINT', ['SIGINT']],
    ['SIGTERM', ['SIGTERM']],
    ['SIGINT twice', ['SIGINT', 'SIGINT']],
  ] as [string, NodeJS.Signals[]][])('%s', async (name, signals) => {
    const db = `${name.replace(' ', '-')}.db`;
    const child = archlabAsync(dir, 'search', ...LONG, '--db', db, '--run-id', 'r');
    await running(child, 'r');
    const { code, ms } = await stop(child, signals);
    expect(code).toBe(130);
    expect(ms).toBeLessThan(STOP_MS);
    stored(db, 'r');
  });

  it('stops a resumed run the same way, and what is stored still verifies', async () => {
    const child = archlabAsync(dir, 'search', ...LONG, '--db', 'resumed.db', '--run-id', 'r');
    await running(child, 'r');
    expect((await stop(child, ['SIGINT'])).code).toBe(130);
    const before = stored('resumed.db', 'r');
    const again = archlabAsync(dir, 'resume', 'r', '--db', 'resumed.db');
    await running(again, 'r');
    const { code, ms } = await stop(again, ['SIGTERM']);
    expect(code).toBe(130);
    expect(ms).toBeLessThan(STOP_MS);
    expect(stored('resumed.db', 'r')).toBeGreaterThan(before);
  });
});
