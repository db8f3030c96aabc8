import { DamagedLogError, InvalidOptionError, ReplayDivergenceError, replayRun, score } from '@archlab/core';
import { loadRecordedPlugins, openFromFlags, resolveRunId, type StoreFlags } from '../cli-context.js';
import { fmt } from '../progress.js';

export interface ReplayFlags extends StoreFlags {
  verify?: boolean;
  json?: boolean;
  /** `SEQ:HASH`, a head printed by an earlier verify: the log must still hold it. */
  expectHead?: string;
}

/**
 * `SEQ:HASH`, or the `head seq=SEQ hash=HASH` line a verify prints, pasted as it is; the hash may
 * be shortened to its first 12 or more hex digits, as git allows.
 */
function parseHead(text: string): { seq: number; hash: string } {
  const m = /^(?:head\s+)?(?:seq=)?(\d+)(?::|\s+hash=)([0-9a-f]{12,64})$/i.exec(text.trim());
  if (!m) {
    throw new InvalidOptionError(
      `--expect-head must be SEQ:HASH as a verify prints it (head seq=SEQ hash=HASH), got '${text}'`,
    );
  }
  return { seq: Number(m[1]), hash: m[2]!.toLowerCase() };
}

/**
 * `replay` rebuilds a run from its log (hash chain checked, every proposal re-made by the
 * strategy) and prints its best-so-far trajectory; `--verify` also re-evaluates every completed
 * trial of a deterministic estimator (and, in a screened run, every screen score and the warm-up
 * pool) and prints a verdict. Exit 1 on divergence.
 */
export async function replayCommand(run: string, flags: ReplayFlags): Promise<number> {
  const expectHead = flags.expectHead === undefined ? undefined : parseHead(flags.expectHead);
  const ctx = await openFromFlags(flags, true);
  try {
    const runId = await resolveRunId(ctx.store, run);
    await loadRecordedPlugins(ctx, runId);
    const t0 = performance.now();
    try {
      const r = await replayRun(ctx.store, ctx.registry, runId, {
        mode: 'verify',
        reevaluate: Boolean(flags.verify),
        ...(expectHead && { expectHead }),
        onProgress: (n) => {
          if (process.stderr.isTTY && !flags.json) process.stderr.write(`\r\x1b[2Kreplaying: ${n} events`);
        },
      });
      if (process.stderr.isTTY && !flags.json) process.stderr.write('\r\x1b[2K');
      const seconds = (performance.now() - t0) / 1000;
      const objective = r.plugins.config.objective;
      if (flags.json) {
        const out = {
          runId,
          ok: true,
          events: r.events,
          trials: r.state.trials.length,
          reevaluated: r.reevaluated,
          rescreened: r.rescreened,
          head: r.head,
          artifacts: r.artifacts,
          ...(r.progress > 0 && { progress: r.progress }),
          seconds,
        };
        process.stdout.write(
          `${JSON.stringify(flags.verify ? out : { ...out, trajectory: trajectory(r.state, objective) })}\n`,
        );
        return 0;
      }
      if (!flags.verify) {
        process.stdout.write('trial  status     objective  best-so-far  arch\n');
        for (const row of trajectory(r.state, objective)) {
          process.stdout.write(
            `${String(row.trialId).padStart(5)}  ${row.status.padEnd(9)}  ${fmt(row.value).padStart(9)}  ${fmt(row.best).padStart(11)}  ${row.arch ?? '-'}\n`,
          );
        }
      }
      const unchecked =
        flags.verify && !r.plugins.estimator.deterministic && r.state.counts.completed > 0
          ? `; results taken as recorded (${r.plugins.estimator.name} is not deterministic)`
          : '';
      const what = `${r.progress ? `, ${r.progress} progress report${r.progress === 1 ? '' : 's'} made again and equal` : ''}${r.reevaluated ? `, ${r.reevaluated} results re-evaluated and equal` : ''}${r.rescreened ? `, ${r.rescreened} screen scores recomputed and equal` : ''}${r.artifacts ? `, ${r.artifacts} artifact blob${r.artifacts === 1 ? '' : 's'} present and matching ${r.artifacts === 1 ? 'its' : 'their'} sha256` : ''}${unchecked}`;
      process.stdout.write(
        `${flags.verify ? 'verified' : 'replayed'}: run ${runId}, ${r.events} events, ${r.state.trials.length} trials; hash chain intact, every proposal reproduced${what} (${seconds.toFixed(2)} s)\n`,
      );
      // Pinned (e.g. in a paper), the head lets a later verify detect a truncated log (--expect-head).
      process.stdout.write(
        `head seq=${r.head.seq} hash=${r.head.hash}${pinnedNote(r.head.seq, expectHead)}\n`,
      );
      return 0;
    } catch (err) {
      // A damaged log (a missing or unreadable event) is a divergence too, at that seq.
      if (!(err instanceof ReplayDivergenceError || err instanceof DamagedLogError)) throw err;
      if (flags.json) {
        process.stdout.write(
          `${JSON.stringify({ runId, ok: false, divergence: { seq: err.seq, reason: err.reason } })}\n`,
        );
      } else {
        process.stdout.write(`DIVERGES at seq ${err.seq}: ${err.reason}\n`);
      }
      return 1;
    }
  } finally {
    await ctx.store.close();
  }
}

function pinnedNote(seq: number, pinned: { seq: number } | undefined): string {
  if (!pinned) return '';
  return pinned.seq === seq ? ' (as pinned)' : ` (it holds the pinned head at seq ${pinned.seq})`;
}

type Objective = { metric: string; direction: 'max' | 'min' };

function trajectory(state: import('@archlab/core').RunState, objective: Objective) {
  let best = Number.NaN;
  return state.trials.map((t) => {
    const s = score(objective, t.metrics);
    if (t.status === 'completed' && !t.violations && !Number.isNaN(s) && (Number.isNaN(best) || s > best))
      best = s;
    const sign = objective.direction === 'max' ? 1 : -1;
    return {
      trialId: t.trialId,
      status: t.status,
      arch: t.arch,
      value: t.metrics?.[objective.metric],
      best: Number.isNaN(best) ? undefined : sign * best,
    };
  });
}
