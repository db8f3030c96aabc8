import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describeWith } from '@archlab/core/testing';
import { fashionMnistRequirement } from '@archlab/trainer-tfjs';
import { expect, it } from 'vitest';
import { archlab, readmeCommands, TINY_DATA, tempDir, words } from './cli-harness.js';

const HEADING = '## Export a network';

/** The `js` block under the heading: the onnxruntime-node snippet. */
function readmeSnippet(): string {
  const text = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = text.slice(text.indexOf(`\n${HEADING}\n`));
  const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error(`README's '${HEADING}' has no js block`);
  return block;
}

describeWith(fashionMnistRequirement(), "README's export commands", () => {
  it('run as pasted (the search shrunk by later flags), and the node snippet loads the model in onnxruntime-node', () => {
    const commands = readmeCommands(HEADING).map(words);
    expect(commands.map((c) => c[0])).toEqual(['search', 'export-model', 'export-model']);
    const [search, ...exports] = commands as [string[], ...string[][]];
    const cwd = tempDir();
    const run = archlab(cwd, ...search, '--trials', '2', ...TINY_DATA, '--estimator-option', 'workers=1');
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    for (const e of exports) {
      const r = archlab(cwd, ...e);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^wrote model(-pixels)?\.onnx \(ONNX opset 13/);
    }

    // `npm install onnxruntime-node` in the user's folder: the repository's copy, linked there.
    const ort = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    mkdirSync(join(cwd, 'node_modules'));
    symlinkSync(ort, join(cwd, 'node_modules', 'onnxruntime-node'), 'dir');
    writeFileSync(join(cwd, 'predict.mjs'), readmeSnippet());
    expect(readmeSnippet().trim().split('\n')).toHaveLength(5);
    const predicted = spawnSync(process.execPath, ['predict.mjs'], { cwd, encoding: 'utf8' });
    expect(predicted.stderr).toBe('');
    expect(predicted.status).toBe(0);
    const scores = JSON.parse(predicted.stdout) as number[];
    expect(scores).toHaveLength(10);
    expect(scores.every(Number.isFinite)).toBe(true);
  }, 600_000);
});
