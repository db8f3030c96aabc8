import { describeWith } from '@archlab/core/testing';
import { fashionMnistRequirement } from '@archlab/trainer-tfjs';
import { expect, it } from 'vitest';
import { archlab, archlabJson, readmeCommands, TINY_DATA, tempDir, words } from './cli-harness.js';

describeWith(fashionMnistRequirement(), "README's training commands", () => {
  // Later flags win: the commands run as printed, only shrunk to a few seconds (TINY_DATA).
  it('run as pasted (shrunk by later flags): the search, then the retraining of its best', () => {
    const commands = readmeCommands('## Training real networks');
    expect(commands.map((c) => words(c)[0])).toEqual(['search', 'train']);
    const [search, train] = commands.map(words) as [string[], string[]];
    const cwd = tempDir();

    const run = archlab(
      cwd,
      ...search,
      '--trials',
      '2',
      '--warmup',
      '200:2',
      ...TINY_DATA,
      '--estimator-option',
      'workers=1',
    );
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const best = /best .*\n\s+(\S+)/.exec(run.stdout)?.[1];
    expect(best).toBeDefined();

    const retrained = archlabJson<{ arch: string; metrics: Record<string, number> }>(
      cwd,
      ...train,
      ...TINY_DATA,
    );
    expect(retrained.arch).toBe(best);
    expect(retrained.metrics.epochs_run).toBe(1);
    expect(retrained.metrics.test_acc).toBeGreaterThan(0);
  });
});
