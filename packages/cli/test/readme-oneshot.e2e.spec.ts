import { describeWith } from '@archlab/core/testing';
import { fashionMnistRequirement } from '@archlab/trainer-tfjs';
import { expect, it } from 'vitest';
import { archlab, readmeCommands, tempDir, words } from './cli-harness.js';

// Later flags win: the commands run as printed, only shrunk to a few seconds.
const TINY = ['epochs=1', 'train-images=128', 'val-images=64', 'batch-size=32'].flatMap((o) => [
  '--strategy-option',
  o,
]);

describeWith(fashionMnistRequirement(), "README's one-shot commands", () => {
  it('run as pasted (shrunk by later flags): a darts search, its progress, its verification, a spos search', () => {
    const commands = readmeCommands('## One-shot searches (DARTS, GDAS, SPOS, ENAS)').map(words);
    expect(commands.map((c) => c[0])).toEqual(['search', 'events', 'replay', 'search']);
    const [darts, events, verify, spos] = commands as [string[], string[], string[], string[]];
    const cwd = tempDir();
    const run = archlab(cwd, ...darts, ...TINY, '--trials', '1');
    expect(run.code, run.stderr).toBe(0);
    const progress = archlab(cwd, ...events);
    expect(progress.code).toBe(0);
    expect(progress.stdout).toMatch(/Progressed/);
    expect(progress.stdout).toMatch(/alpha/);
    const verified = archlab(cwd, ...verify);
    expect(verified.code, verified.stdout).toBe(0);
    const searched = archlab(cwd, ...spos, ...TINY, '--trials', '3');
    expect(searched.code, searched.stderr).toBe(0);
  }, 300_000);
});
