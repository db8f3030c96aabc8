import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spearman } from '@archlab/core';
import { itWith } from '@archlab/core/testing';
import { fashionMnistRequirement } from '@archlab/trainer-tfjs';
import { describe, expect, it } from 'vitest';
import { archlab, archlabJson, tempDir } from './cli-harness.js';

interface ProxyJson {
  proxies: string[];
  archs: number;
  warnings: string[];
  correlations: { proxy: string; benchmark: string; spearman: number; kendall: number; n: number }[];
  scores: { key: string; values: Record<string, number>; benchmarks?: Record<string, number> }[];
}

const ALL_NONE = '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|';

describe('archlab proxy', () => {
  const dir = tempDir();

  it('scores a seeded sample and correlates every proxy with every NB201 data set', () => {
    const args = [
      'proxy',
      '--space',
      'nb201',
      '--proxy',
      'params,flops',
      '--sample',
      '24',
      '--seed',
      '3',
      '-q',
    ];
    const out = archlabJson<ProxyJson>(dir, ...args);
    expect(out.proxies).toEqual(['params', 'flops']);
    expect(out.archs).toBe(24);
    expect(new Set(out.scores.map((s) => s.key)).size).toBe(24);
    expect(out.correlations.map((c) => `${c.proxy} ${c.benchmark}`)).toEqual([
      'params nb201:cifar10',
      'params nb201:cifar100',
      'params nb201:imagenet16-120',
      'flops nb201:cifar10',
      'flops nb201:cifar100',
      'flops nb201:imagenet16-120',
    ]);
    for (const c of out.correlations) {
      const xs = out.scores.map((s) => s.values[c.proxy]!);
      const ys = out.scores.map((s) => s.benchmarks![c.benchmark]!);
      expect(c.spearman).toBeCloseTo(spearman(xs, ys), 12);
      expect(c.n).toBe(24);
    }
    // Bigger networks are better on NB201: params is a strong baseline.
    expect(out.correlations[0]!.spearman).toBeGreaterThan(0.5);
    // The same seed draws the same sample.
    expect(archlabJson<ProxyJson>(dir, ...args).scores.map((s) => s.key)).toEqual(
      out.scores.map((s) => s.key),
    );
  });

  // jacob_cov scores a batch of real images.
  itWith(
    fashionMnistRequirement(),
    'reads --archs, and a proxy that is undefined for an architecture warns and scores last',
    () => {
      const file = join(dir, 'archs.txt');
      writeFileSync(
        file,
        `# two cells\n${ALL_NONE}\n\n|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|\n`,
      );
      const out = archlabJson<ProxyJson>(
        dir,
        'proxy',
        '--space',
        'nb201',
        '--proxy',
        'jacob_cov',
        '--archs',
        file,
        '-q',
      );
      expect(out.scores.map((s) => s.key)[0]).toBe(ALL_NONE);
      const [none, conv] = out.scores.map((s) => s.values.jacob_cov!);
      expect(Number.isFinite(none)).toBe(true);
      expect(Number.isFinite(conv)).toBe(true);
      expect(none).toBeLessThan(conv!);
      expect(out.warnings).toEqual([
        expect.stringMatching(/^jacob_cov of nb201 architecture '\|none~0.* is NaN; scored .* \(last\)$/),
      ]);
    },
  );

  it('rejects an unknown proxy, listing the known ones, and a malformed key, with exit 2', () => {
    const bad = archlab(dir, 'proxy', '--space', 'nb201', '--proxy', 'synflow,sinflow', '--sample', '2');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/sinflow/);
    expect(bad.stderr).toMatch(/synflow.*jacob_cov|jacob_cov.*synflow/);
    const file = join(dir, 'bad.txt');
    writeFileSync(file, 'not-a-cell\n');
    const malformed = archlab(dir, 'proxy', '--space', 'nb201', '--proxy', 'params', '--archs', file);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/^archlab: error: .*not-a-cell/m);
  });
});
