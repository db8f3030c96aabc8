import { readFileSync } from 'node:fs';
import { describeWith } from '@archlab/core/testing';
import { fashionMnistRequirement } from '@archlab/trainer-tfjs';
import { expect, it } from 'vitest';
import { archlab, archlabJson, tempDir } from './cli-harness.js';

const README = new URL('../../../README.md', import.meta.url);

/** The `archlab` command lines of the first `sh` block under `heading`, continuation lines joined. */
function readmeCommands(heading: string): string[] {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README has no section '${heading}'`);
  const block = /```sh\n([\s\S]*?)```/.exec(text.slice(start))?.[1];
  if (block === undefined) throw new Error(`README's '${heading}' has no sh block`);
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('archlab '));
}

/** Shell words of `line` (spaces separate; single quotes group), without the leading `archlab`. */
function words(line: string): string[] {
  const out = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  expect(out[0]).toBe('archlab');
  return out.slice(1);
}

// Later flags win: the commands run as printed, only shrunk to a few seconds.
const TINY_DATA = [
  '--epochs',
  '1',
  '--estimator-option',
  'max-train=200',
  '--estimator-option',
  'max-test=100',
];

describeWith(fashionMnistRequirement(), "README's training commands", () => {
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
