import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith } from '@archlab/core/testing';
import { fashionMnistRequirement } from '@archlab/trainer-tfjs';
import { expect, it } from 'vitest';
import { archlab, readmeCommands, storedEvents, tempDir, words } from './cli-harness.js';

const HEADING = '## Once-for-All';

// Later flags win: the commands run as printed, only shrunk to a minute (one epoch of 256
// images per phase, four measured subnets; the four budgets as printed).
const TINY = [
  '--trials',
  '12',
  ...[
    'train-images=256',
    'val-images=128',
    'full-epochs=1',
    'kernel-epochs=1',
    'depth-epochs=1',
    'expand-epochs=1',
    'predictor-samples=4',
    'search-steps=60',
  ].flatMap((o) => ['--strategy-option', o]),
  '--estimator-option',
  'bn-images=64',
];

describeWith(fashionMnistRequirement(), "README's Once-for-All commands", () => {
  const commands = () => readmeCommands(HEADING).map(words) as [string[], string[], string[]];
  const cwd = tempDir();

  it('are profile-device, search and export', () => {
    expect(commands().map((c) => c[0])).toEqual(['profile-device', 'search', 'export']);
  });

  it("export a pick with the section's second block", () => {
    expect(readmeCommands(HEADING, 1).map(words)).toEqual([
      'export-model --db ofa.db --run ofa --trial 48 --out ofa-8ms.onnx'.split(' '),
    ]);
  });

  it('profile the device, train the supernet once and pick a subnet under each budget; list them; export the one under 8 ms', () => {
    const [profile, search, list] = commands();
    const profiled = archlab(cwd, ...profile, '--runs', '2');
    expect(profiled.code, profiled.stderr).toBe(0);
    const run = archlab(cwd, ...search, ...TINY);
    expect(run.code, run.stderr).toBe(0);
    const budgets = search
      .find((w) => w.startsWith('budgets='))!
      .slice('budgets='.length)
      .split(',')
      .map(Number);
    expect(budgets).toHaveLength(4);
    const csv = archlab(cwd, ...list);
    expect(csv.code, csv.stderr).toBe(0);
    const [header, ...lines] = csv.stdout.trim().split('\n');
    const col = header!.split(',');
    const trials = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [col[i], v])));
    expect(trials).toHaveLength(12);
    // The last four are the picks, one per budget in order, each within its budget.
    for (const [i, budget] of budgets.entries()) {
      const pick = trials[8 + i]!;
      expect(pick.status).toBe('completed');
      expect(Number(pick.latency_ms)).toBeLessThanOrEqual(budget);
      expect(Number(pick.ofa_acc)).toBeGreaterThanOrEqual(0);
    }
    const phases = storedEvents(join(cwd, 'ofa.db'), 'ofa')
      .filter((r) => r.type === 'Progressed')
      .map((r) => (r.data.metrics as { phase: number }).phase);
    expect(phases).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);

    // The shrunk run's picks are trials 8-11, the one under 8 ms trial 10 (a later --trial wins).
    const [exportPick] = readmeCommands(HEADING, 1).map(words) as [string[]];
    const exported = archlab(cwd, ...exportPick, '--trial', '10', '--json');
    expect(exported.code, exported.stderr).toBe(0);
    const pick = trials[10]!;
    const side = Number(/^r(\d+)-/.exec(pick.arch!)![1]);
    expect(JSON.parse(exported.stdout)).toMatchObject({
      out: 'ofa-8ms.onnx',
      trial: 10,
      arch: pick.arch,
      input: { shape: ['batch', side, side, 1], resizedFrom: [28, 28, 1] },
    });
    expect(existsSync(join(cwd, 'ofa-8ms.onnx'))).toBe(true);
    const sample = archlab(cwd, ...exportPick, '--trial', '5', '--out', 'sample.onnx');
    expect(sample.code).toBe(2);
    expect(sample.stderr).toMatch(
      /trial 5 of run ofa has no trained weights .*the trials that have them: 8-11 \(/,
    );
  }, 600_000);

  it('refuse a budget below the fastest subnet on the table before anything is written', () => {
    const search = commands()[1].map((w) =>
      w.startsWith('budgets=') ? 'budgets=0.001,5' : w === 'ofa.db' ? 'fast.db' : w,
    );
    const refused = archlab(cwd, ...search);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^archlab: error: constraint latency_ms<=0\.001 prunes every architecture: the fastest mbv3 subnet takes [\d.]+ ms on this LUT \(r\d+(-k\d+e\d+){4}\); raise the bound\n$/,
    );
    expect(existsSync(join(cwd, 'fast.db'))).toBe(false);
  }, 300_000);
});
