import { describe, expect, it } from 'vitest';
import { cellSvg } from './cell-svg.js';
import type { RunReport } from './report-data.js';
import {
  bandChartSpec,
  learningCurvesSpec,
  MAX_SCATTER_POINTS,
  opHeatmapSpec,
  paretoSpec,
  stepChartSpec,
} from './report-specs.js';
import { vegaLiteSvg } from './vega-svg.js';

const marks = (svg: string, kind: string) =>
  (svg.match(new RegExp(`class="mark-${kind} role-mark`, 'g')) ?? []).length;
/** Line/area paths drawn inside the mark groups of `kind`. */
const paths = (svg: string, kind: string) =>
  svg
    .split(`class="mark-${kind} role-mark`)
    .slice(1)
    .map((part) => (part.slice(0, part.indexOf('</g>')).match(/<path /g) ?? []).length)
    .reduce((a, b) => a + b, 0);

const band = (name: string, n: number) => ({
  name,
  points: Array.from({ length: n }, (_, i) => ({ x: i + 1, mean: i, lo: i - 1, hi: i + 1, n: 3 })),
});

describe('bandChartSpec', () => {
  it('has one data row per point and draws a band and a line per series, and the reference', async () => {
    const spec = bandChartSpec({
      title: 't',
      xTitle: 'trials',
      yTitle: 'best',
      series: [band('random', 10), band('evolution', 7)],
      reference: { y: 12, label: 'optimum 12' },
    });
    expect((spec.data as { values: unknown[] }).values).toHaveLength(17);
    const svg = await vegaLiteSvg(spec);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(paths(svg, 'area')).toBe(2);
    expect(paths(svg, 'line')).toBe(2);
    expect(marks(svg, 'rule')).toBe(1);
    expect(svg).toContain('optimum 12');
  });

  it('leaves out points without a mean (no run reached them)', () => {
    const s = band('a', 3);
    const spec = bandChartSpec({
      title: 't',
      xTitle: 'x',
      yTitle: 'y',
      series: [
        { ...s, points: [...s.points, { x: 4, mean: Number.NaN, lo: Number.NaN, hi: Number.NaN, n: 0 }] },
      ],
    });
    expect((spec.data as { values: unknown[] }).values).toHaveLength(3);
  });
});

describe('stepChartSpec', () => {
  it('draws one step line per run, held to its end', async () => {
    const spec = stepChartSpec({
      title: 't',
      xTitle: 'trials',
      yTitle: 'best',
      series: [
        { name: 'a', steps: { x: [1, 5], value: [3, 4] }, end: 9 },
        { name: 'b', steps: { x: [2], value: [1] }, end: 2 },
      ],
    });
    expect((spec.data as { values: { run: string; x: number }[] }).values).toEqual([
      { run: 'a', x: 1, best: 3 },
      { run: 'a', x: 5, best: 4 },
      { run: 'a', x: 9, best: 4 },
      { run: 'b', x: 2, best: 1 },
    ]);
    expect(paths(await vegaLiteSvg(spec), 'line')).toBe(2);
  });
});

describe('opHeatmapSpec', () => {
  it('has a cell per decision × choice, with its count', async () => {
    const spec = opHeatmapSpec({
      top: 3,
      decisions: [
        { name: '0->1', choices: ['a', 'b'], counts: [1, 2] },
        { name: '0->2', choices: ['a', 'b'], counts: [3, 0] },
      ],
    })!;
    const svg = await vegaLiteSvg(spec);
    // Four cells, each labelled with its count.
    expect(marks(svg, 'text')).toBe(1);
    const rects = svg.split('class="mark-rect role-mark')[1]!;
    expect((rects.slice(0, rects.indexOf('</g>')).match(/<path /g) ?? []).length).toBe(4);
    const texts = svg.split('class="mark-text role-mark')[1]!;
    const labels = [...texts.slice(0, texts.indexOf('</g>')).matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map(
      (m) => m[1],
    );
    expect(labels.sort()).toEqual(['0', '1', '2', '3']);
    expect(opHeatmapSpec({ top: 0, decisions: [] })).toBeUndefined();
  });
});

describe('paretoSpec', () => {
  const run = (n: number) =>
    ({
      pareto: {
        objectives: [
          { metric: 'acc', direction: 'max' },
          { metric: 'lat', direction: 'min' },
        ],
        front: [
          { trialId: 0, arch: 'x', values: [1, 1] },
          { trialId: 1, arch: 'y', values: [2, 2] },
        ],
        reference: [0, 3],
        hypervolume: { trial: [], value: [] },
      },
      trials: {
        id: Array.from({ length: n }, (_, i) => i),
        status: Array(n).fill(0),
        statuses: ['completed'],
        feasible: Array(n).fill(true),
        metrics: {
          acc: Array.from({ length: n }, (_, i) => i % 7),
          lat: Array.from({ length: n }, (_, i) => i % 5),
        },
      },
    }) as unknown as RunReport;

  it('draws every feasible trial and the front', async () => {
    const spec = paretoSpec(run(50))!;
    const layers = spec.layer as { data: { values: unknown[] } }[];
    expect(layers[0]!.data.values).toHaveLength(50);
    expect(layers[1]!.data.values).toHaveLength(2);
    const svg = await vegaLiteSvg(spec);
    const symbols = svg.split('class="mark-symbol role-mark')[1]!;
    expect((symbols.slice(0, symbols.indexOf('</g>')).match(/<path /g) ?? []).length).toBe(50);
  });

  it('thins a large run to at most MAX_SCATTER_POINTS points', () => {
    const spec = paretoSpec(run(3 * MAX_SCATTER_POINTS + 1))!;
    const n = (spec.layer as { data: { values: unknown[] } }[])[0]!.data.values.length;
    expect(n).toBeLessThanOrEqual(MAX_SCATTER_POINTS);
    expect(n).toBeGreaterThan(MAX_SCATTER_POINTS / 2);
  });
});

describe('learningCurvesSpec', () => {
  it('draws a line per trial in a panel per metric', async () => {
    const curve = (trialId: number, metric: string) => ({
      trialId,
      metric,
      step: [1, 2, 3],
      value: [3, 2, 1],
    });
    const run = {
      learningCurves: [curve(4, 'loss'), curve(4, 'acc'), curve(9, 'loss'), curve(9, 'acc')],
    } as unknown as RunReport;
    const spec = learningCurvesSpec(run)!;
    expect((spec.data as { values: unknown[] }).values).toHaveLength(12);
    expect(spec.title).toBe('learning curves of the best 2 trials');
    expect(paths(await vegaLiteSvg(spec), 'line')).toBe(4);
    expect(learningCurvesSpec({ learningCurves: [] } as unknown as RunReport)).toBeUndefined();
  });
});

describe('cellSvg', () => {
  it('draws decisions named FROM->TO as a graph, an edge each with its op', () => {
    const svg = cellSvg({
      arch: 'k',
      decisions: [
        { name: '0->1', choice: 'conv' },
        { name: '0->2', choice: 'none' },
        { name: '1->2', choice: 'pool' },
      ],
    });
    expect(svg).toContain('data-cell="graph"');
    expect(svg.match(/<g class="edge"/g)).toHaveLength(3);
    expect(svg.match(/<g class="node"/g)).toHaveLength(3);
    expect(svg).toContain('data-from="1" data-to="2" data-op="pool"');
  });

  it('draws other decisions as a chain of blocks, one per name prefix', () => {
    const svg = cellSvg({
      arch: 'k',
      decisions: [
        { name: 'layer1.op', choice: 'conv3x3' },
        { name: 'layer1.width', choice: '16' },
        { name: 'layer2.op', choice: '<pool>' },
      ],
    });
    expect(svg).toContain('data-cell="chain"');
    expect(svg.match(/<g class="block"/g)).toHaveLength(2);
    expect(svg).toContain('width: 16');
    expect(svg).toContain('op: &lt;pool&gt;');
  });
});
