import { describeWith } from '@archlab/core/testing';
import { fashionMnistRequirement } from '@archlab/trainer-tfjs';
import { expect, it } from 'vitest';
import { archlab, readmeCommands, tempDir, words } from './cli-harness.js';

const opts = (flag: string, values: string[]) => values.flatMap((v) => [flag, v]);

// Later flags win: the commands run as printed, shrunk to tiny networks on 12×12 images, a grid
// of two points, φ=1 only and 100 training images.
const TINY = [
  ...opts('--space-option', [
    'stem=8',
    'widths=8,16',
    'strides=1,2',
    'final=16',
    'resolutions=12',
    'depths=1,2',
    'kernels=3',
    'expands=2',
  ]),
  ...opts('--strategy-option', [
    'base=r12-k3e2-k3e2',
    'alphas=1,2',
    'betas=1',
    'gammas=1,1.5',
    'tolerance=0.3',
    'phi-max=1',
  ]),
  ...opts('--estimator-option', ['max-train=100', 'max-test=50', 'workers=1']),
];

describeWith(fashionMnistRequirement(), "README's compound scaling commands", () => {
  it('run as pasted (shrunk by later flags): the grid and scaling, its coefficients, a width-only baseline', () => {
    const commands = readmeCommands('## EfficientNet compound scaling').map(words);
    expect(commands.map((c) => c[0])).toEqual(['search', 'events', 'search', 'show']);
    const [compound, events, width, show] = commands as [string[], string[], string[], string[]];
    const cwd = tempDir();
    const run = archlab(cwd, ...compound, ...TINY);
    expect(run.code, run.stderr).toBe(0);
    const progress = archlab(cwd, ...events);
    expect(progress.code).toBe(0);
    expect(progress.stdout).toMatch(/Progressed/);
    expect(progress.stdout).toMatch(/alpha/);
    const baseline = archlab(cwd, ...width, ...TINY);
    expect(baseline.code, baseline.stderr).toBe(0);
    const shown = archlab(cwd, ...show);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/d1,w\d(\.\d+)?,r1:r12-k3e2-k3e2/);
    expect(shown.stdout).toMatch(/latency_ms=/);
  }, 300_000);
});
