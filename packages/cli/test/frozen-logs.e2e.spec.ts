import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { archlab, archlabJson, tempDir, trialsCsv } from './cli-harness.js';

/** A database written by an earlier archlab; how each run was made: fixtures/README.md. */
interface Frozen {
  commit: string;
  completed: string[];
  /** Unfinished runs, with the search flags that make the same run uninterrupted. */
  unfinished: Record<string, string[]>;
}

const STRATEGIES = ['random', 'evolution', 'local-search', 'rl', 'pnas', 'bananas', 'nsga2'].map(
  (s) => `strat-${s}`,
);
const KILLED = {
  killed: ['--strategy', 'evolution', '--seed', '8', '--trials', '1500', '--checkpoint-every', '100'],
  'killed-resumed': ['--strategy', 'rl', '--seed', '9', '--trials', '1500', '--checkpoint-every', '100'],
};

const FROZEN: Frozen[] = [
  { commit: '65f2723', completed: [...STRATEGIES, 'screened', 'constrained'], unfinished: KILLED },
  {
    // After the trust fixes, before the redesign: adds RunExtended, the MnasNet reward, recorded
    // `archlab train` runs with weight blobs (TrialCompleted v2) and a killed screened run.
    commit: '57761fe',
    completed: [...STRATEGIES, 'screened', 'constrained', 'reward', 'extended', 'trained', 'trained-search'],
    unfinished: {
      ...KILLED,
      'killed-screened': [
        ...['--strategy', 'evolution', '--seed', '10', '--trials', '60', '--checkpoint-every', '20'],
        ...['--screen', 'zc:synflow', '--warmup', '30:5', '--prefilter', '0.5:5'],
      ],
    },
  },
];

/**
 * The uninterrupted run of today that unfinished run `run` must resume to: its best and trials.
 * Made once for both fixtures (their `killed` and `killed-resumed` runs have the same flags).
 */
const todays = new Map<string, { best: unknown; trials: string }>();
function uninterrupted(run: string, args: readonly string[]): { best: unknown; trials: string } {
  const key = [run, ...args].join(' ');
  let made = todays.get(key);
  if (!made) {
    const dir = tempDir();
    const fresh = archlabJson<{ best: unknown }>(
      dir,
      ...['search', '--space', 'nb201', '--estimator', 'nb201:cifar10', ...args],
      ...['--run-id', run, '--db', 'fresh.db', '-q'],
    );
    made = { best: fresh.best, trials: trialsCsv(dir, 'fresh.db', run) };
    todays.set(key, made);
  }
  return made;
}

describe.each(FROZEN)('logs written by archlab at $commit', ({ commit, completed, unfinished }) => {
  let dir: string;
  const db = 'frozen.db';

  beforeAll(() => {
    dir = tempDir();
    const fixture = new URL(`./fixtures/logs-${commit}.db.gz`, import.meta.url);
    writeFileSync(join(dir, db), gunzipSync(readFileSync(fixture)));
  });

  it('are all listed, with their recorded status', () => {
    const runs = archlabJson<{ runId: string; status: string }[]>(dir, 'runs', '--db', db);
    expect(Object.fromEntries(runs.map((r) => [r.runId, r.status]))).toEqual({
      ...Object.fromEntries(completed.map((r) => [r, 'completed'])),
      ...Object.fromEntries(Object.keys(unfinished).map((r) => [r, 'unfinished'])),
    });
  });

  it.each([...completed, ...Object.keys(unfinished)])(
    '%s verifies: hash chain, proposals, results',
    (run) => {
      const r = archlab(dir, 'replay', run, '--db', db, '--verify');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^verified: run ${run}, `));
    },
  );

  it.each(Object.entries(unfinished))(
    '%s resumes to the trials and best of an uninterrupted run of today, and then verifies',
    (run, args) => {
      const resumed = archlabJson<{ status: string; best: unknown }>(dir, 'resume', run, '--db', db, '-q');
      expect(resumed.status).toBe('completed');
      const fresh = uninterrupted(run, args);
      expect(resumed.best).toEqual(fresh.best);
      expect(trialsCsv(dir, db, run)).toBe(fresh.trials);
      expect(archlab(dir, 'replay', run, '--db', db, '--verify').code).toBe(0);
    },
    180_000,
  );
});
