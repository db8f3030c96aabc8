import { describe, expect, it } from 'vitest';
import { randomStrategyFactory, type StrategyFactory } from '../src/index.js';
import { expectAcceptsSeededTrials } from '../src/testing/index.js';

describe("the strategy contract's seeded warm-up case", () => {
  it('fails a strategy that is told only the trials it proposed', async () => {
    const picky: StrategyFactory = {
      ...randomStrategyFactory,
      name: 'picky',
      create(ctx) {
        const inner = randomStrategyFactory.create(ctx);
        const mine = new Set<string>();
        return {
          ask: async () => {
            const arch = await inner.ask();
            if (arch !== undefined) mine.add(ctx.space.key(arch));
            return arch;
          },
          tell: (r) => {
            if (!mine.has(r.key)) throw new Error(`trial ${r.trialId} is not one of mine`);
            return inner.tell(r);
          },
        };
      },
    };
    await expect(expectAcceptsSeededTrials(picky)).rejects.toThrow(
      /the strategy threw while told a seeded trial or later/,
    );
  });

  it('passes a strategy that accepts them', async () => {
    const run = await expectAcceptsSeededTrials(randomStrategyFactory);
    expect(run.state.trials.slice(0, 5).every((t) => t.status === 'completed')).toBe(true);
  });
});
