import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith } from '@archlab/core/testing';
import { fashionMnistRequirement } from '@archlab/trainer-tfjs';
import { expect, it } from 'vitest';
import { archlab, archlabJson, readmeCommands, TINY_DATA, tempDir, words } from './cli-harness.js';

const HEADING = "## The mbv3 space (Once-for-All's elastic MobileNetV3)";

// Later flags win: the commands run as printed, only shrunk to a few seconds.
const TINY = [...TINY_DATA, '--estimator-option', 'workers=1'];

describeWith(fashionMnistRequirement(), "README's mbv3 commands", () => {
  const commands = () => readmeCommands(HEADING).map(words) as [string[], string[], string[]];
  const cwd = tempDir();

  it('are train, profile-device and search', () => {
    expect(commands().map((c) => c[0])).toEqual(['train', 'profile-device', 'search']);
  });

  it('train one architecture as pasted (shrunk by later flags)', () => {
    const trained = archlabJson<{ arch: string; metrics: Record<string, number> }>(
      cwd,
      ...commands()[0],
      ...TINY,
    );
    expect(trained.arch).toBe('r24-k357e346-k35e46-k3355e6644-k77e33');
    expect(trained.metrics.epochs_run).toBe(1);
    expect(trained.metrics.test_acc).toBeGreaterThan(0);
  }, 300_000);

  it('profile the device, then search under a latency budget; a budget below the fastest subnet is refused as shown', () => {
    const [, profile, search] = commands();
    const profiled = archlab(cwd, ...profile, '--runs', '2', '--warmup', '1');
    expect(profiled.code).toBe(0);
    expect(profiled.stderr).toMatch(/profiled 324 operations/);
    const lut = JSON.parse(readFileSync(join(cwd, 'mbv3.lut.json'), 'utf8'));
    expect(lut.space).toBe('mbv3');

    const run = archlab(cwd, ...search, '--trials', '2', ...TINY);
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/constraint latency_ms<=5: \d+ pruned before evaluation/);
    const best = /best .*latency_ms=([\d.]+)\n\s+(r\d+(-k\d+e\d+){4})\n/.exec(run.stdout);
    expect(Number(best?.[1])).toBeLessThanOrEqual(5);

    const fast = search.map((w) =>
      w === 'latency_ms<=5' ? 'latency_ms<=0.001' : w === 'mbv3.db' ? 'fast.db' : w,
    );
    const refused = archlab(cwd, ...fast);
    expect(refused.code).toBe(2);
    const shown =
      /```text\n(archlab: error: constraint latency_ms<=1 prunes every architecture: .*)\n```/.exec(
        readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8'),
      )![1]!;
    const pattern = (line: string) =>
      line
        .replace(/latency_ms<=[\d.]+/, 'latency_ms<=X')
        .replace(/[\d.]+ ms/, 'Y ms')
        .replace(/\(r[^)]*\)/, '(KEY)');
    expect(pattern(refused.stderr.trim())).toBe(pattern(shown));
    expect(refused.stderr).toMatch(/takes [\d.]+ ms on this LUT \(r\d+(-k\d+e\d+){4}\); raise the bound\n$/);
    expect(existsSync(join(cwd, 'fast.db'))).toBe(false);
  }, 300_000);
});
