import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeWith } from '@archlab/core/testing';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumRequirement, useBrowser } from './browser-harness.js';
import { archlab, archlabJson, MO_SEARCH, type Served, serve, tempDir } from './cli-harness.js';

const NB201 = ['--space', 'nb201', '--estimator', 'nb201:cifar10', '-q'];
/** NAS-Bench-201's encoding: 6 edges, 5 operations each. */
const NB201_CELLS = 6 * 5;

/** SVG marks the Vega SVG renderer drew in chart `id`, by mark type (points are `symbol`s). */
function marks(page: Page, id: string): Promise<Record<string, number>> {
  return page.$eval(`[data-chart="${id}"] svg`, (svg) => {
    const out: Record<string, number> = {};
    for (const g of svg.querySelectorAll('g.role-mark')) {
      const type = [...g.classList].find((c) => c.startsWith('mark-'))!.slice('mark-'.length);
      out[type] =
        (out[type] ?? 0) + g.querySelectorAll(':scope > path, :scope > text, :scope > g > path').length;
    }
    return out;
  });
}

/** The best-so-far points of a run, from its CSV export: each strict improvement of test_acc, and the run's end. */
function bestSoFarPoints(dir: string, run: string): number {
  const [head, ...rows] = archlab(dir, 'export', run, '--db', 'runs.db', '--format', 'csv')
    .stdout.trim()
    .split('\n');
  const col = head!.split(',').indexOf('test_acc');
  let best = -Infinity;
  let improvedAt = 0;
  let points = 0;
  rows.forEach((r, i) => {
    const v = Number(r.split(',')[col]);
    if (r.includes(',completed,') && v > best) {
      best = v;
      points++;
      improvedAt = i + 1;
    }
  });
  return points + (improvedAt < rows.length ? 1 : 0);
}

/** Waits until the page has drawn `n` times (the report script counts its renders on `body`). */
async function rendered(page: Page, n: number): Promise<void> {
  await page.waitForFunction((k) => Number(document.body.dataset.rendered ?? 0) >= k, { timeout: 30_000 }, n);
}

const rows = (page: Page) => page.$eval('table.trials', (t) => Number(t.getAttribute('data-rows')));

describeWith(chromiumRequirement(), 'the report and the live page in headless Chromium', () => {
  const dir = tempDir();
  const browser = useBrowser();
  beforeAll(() => {
    archlabJson(dir, 'search', ...NB201, '--trials', '20', '--seed', '1', '--run-id', 'r', '--db', 'runs.db');
    archlabJson(
      dir,
      'search',
      ...MO_SEARCH,
      '-q',
      '--trials',
      '40',
      '--seed',
      '1',
      '--run-id',
      'mo',
      '--db',
      'runs.db',
    );
  });

  it('a report file draws every chart with a mark per datum, without an error', async () => {
    const r = archlab(dir, 'report', 'mo', '--db', 'runs.db', '--out', 'mo.html', '--verify', 'decisions');
    expect(r.code, r.stderr).toBe(0);
    const { page, errors } = await browser.open(pathToFileURL(join(dir, 'mo.html')).href);
    await rendered(page, 1);
    expect(errors).toEqual([]);
    const front = archlabJson<{ pareto: unknown[]; counts: { completed: number } }>(
      dir,
      'show',
      'mo',
      '--db',
      'runs.db',
    );
    // Every completed trial is a grey point; the front is a line with a point per member.
    expect(await marks(page, 'pareto')).toMatchObject({
      symbol: front.counts.completed + front.pareto.length,
      line: 1,
    });
    expect((await marks(page, 'hypervolume')).line).toBe(1);
    expect(await marks(page, 'ops')).toMatchObject({ rect: NB201_CELLS, text: NB201_CELLS });
    expect(await marks(page, 'best-trials')).toMatchObject({ line: 1, symbol: bestSoFarPoints(dir, 'mo') });
    expect(await rows(page)).toBe(40);
    await page.close();
  });

  describe('archlab serve', () => {
    let served: Served;
    beforeAll(async () => {
      served = await serve(dir, '--db', 'runs.db');
    });
    afterAll(() => served?.stop());

    it('lists the runs, opens one live, and draws a trial written while the page is open', async () => {
      const { page, errors } = await browser.open(served.url);
      expect(await page.$$eval('#runs a', (as) => as.map((a) => a.textContent))).toEqual(['r', 'mo']);
      await Promise.all([page.waitForNavigation(), page.click('#runs a[href="/runs/r"]')]);
      await rendered(page, 1);
      expect(await rows(page)).toBe(20);
      expect(await marks(page, 'best-trials')).toMatchObject({ line: 1, symbol: bestSoFarPoints(dir, 'r') });
      expect(await marks(page, 'ops')).toMatchObject({ rect: NB201_CELLS, text: NB201_CELLS });

      const resume = archlab(dir, 'resume', 'r', '--trials', '30', '--db', 'runs.db', '-q');
      expect(resume.code, resume.stderr).toBe(0);
      await page.waitForFunction(
        () => document.querySelector('table.trials')?.getAttribute('data-rows') === '30',
        {
          timeout: 30_000,
        },
      );
      await rendered(page, 2);
      expect(await marks(page, 'best-trials')).toMatchObject({ line: 1, symbol: bestSoFarPoints(dir, 'r') });
      expect(await page.$eval('#runs td.c-trials', (td) => td.textContent)).toMatch(/^30 completed/);
      expect(errors).toEqual([]);
      await page.close();
    });
  });
});
