import type { WarmupCandidate } from '../engine/decide.js';
import type { GateMeasurements } from '../events/event.js';
import { Rng } from '../rng/rng.js';
import type { SearchSpace } from '../space/search-space.js';
import type { ScreenEstimator } from './screen.js';

/**
 * Proposes trials before the strategy's first (an effect the engine runs once, at the start of
 * a run): the candidates it returns, in draw order, are ranked and admitted by `decide`.
 */
export interface Seeder {
  /**
   * The candidates, each with its screen value. `admit` is the engine's cheap gate: it gives what
   * it measured of a candidate it admits (kept with the candidate), undefined for one it rejects,
   * which is left out. Returns [] once `signal` is aborted.
   */
  candidates(
    admit: (arch: unknown, key: string) => Promise<GateMeasurements | undefined>,
    signal: AbortSignal,
  ): Promise<WarmupCandidate[]>;
}

/**
 * The zero-cost warm-up (Abdelfattah et al. 2021): `pool` distinct architectures (by
 * isomorphism class where the space has one) drawn from the run's seed, scored by the screen;
 * those the cheap gate rejects or the screen cannot score are left out.
 */
export class WarmupSeeder implements Seeder {
  constructor(
    private readonly screen: ScreenEstimator,
    private readonly space: SearchSpace,
    private readonly runSeed: number,
    private readonly pool: number,
  ) {}

  async candidates(
    admit: (arch: unknown, key: string) => Promise<GateMeasurements | undefined>,
    signal: AbortSignal,
  ): Promise<WarmupCandidate[]> {
    const { space } = this;
    const rng = Rng.fromSeed(`${this.runSeed}/screen/pool`);
    const classes = new Set<string>();
    const drawn: { arch: unknown; key: string }[] = [];
    for (let draws = 0; drawn.length < this.pool && draws < 100 * this.pool; draws++) {
      const arch = space.sample(rng);
      const id = space.isomorphismKey ? space.isomorphismKey(arch) : space.key(arch);
      if (classes.has(id)) continue;
      classes.add(id);
      drawn.push({ arch, key: space.key(arch) });
    }
    const scored: WarmupCandidate[] = [];
    for (const { arch, key } of drawn) {
      if (signal.aborted) return [];
      const gates = await admit(arch, key);
      if (!gates) continue;
      try {
        const value = await this.screen.value(arch, key, -1, signal);
        scored.push({ key, value, ...(Object.keys(gates).length > 0 && { gates }) });
      } catch {
        // An architecture the screen cannot score is not a warm-up candidate.
      }
    }
    return signal.aborted ? [] : scored;
  }
}
