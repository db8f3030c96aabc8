import { WorkerPool } from '@archlab/core';
import { afterEach, describe, expect, it } from 'vitest';

// The pool itself is core's (packages/core/src/runner); what a tfjs worker reports is tested here.
const TENSORS = new URL('./test-workers/tensors.mjs', import.meta.url);

const pools: WorkerPool<unknown, unknown>[] = [];
function pool(): WorkerPool<Record<string, unknown>, Record<string, number>> {
  const p = new WorkerPool<Record<string, unknown>, Record<string, number>>({ script: TENSORS, size: 1 });
  pools.push(p as WorkerPool<unknown, unknown>);
  return p;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('WorkerPool with tfjs workers', () => {
  it('reports tensor memory after each task, flat for a worker that disposes its tensors', async () => {
    const p = pool();
    const counts: number[] = [];
    for (let seed = 0; seed < 4; seed++) {
      await p.run({ seed });
      counts.push(p.stats().workers[0]!.memory!.numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    await p.run({ seed: 9, leak: true });
    const leaked = p.stats().workers[0]!.memory!;
    expect(leaked.numTensors).toBe(counts[0]! + 2);
    expect(leaked.numBytes).toBeGreaterThan(64 * 64 * 4);
  });
});
